//! The committed report fixtures (tests/fixtures/) are what their generator
//! (examples/regen-fixtures/, compiled in here) writes: the same folders,
//! files and results. Compared as typed results rather than bytes, so a new
//! result field with a default does not fail this test; a changed figure, a
//! changed generator or a fixture edited by hand does. To update them:
//! `cargo run --example regen-fixtures`.

#[allow(dead_code)]
#[path = "../examples/regen-fixtures/generate.rs"]
mod generate;

use std::path::{Path, PathBuf};

use gauntlet::results::{read_json, RunManifest, ServerRunResult};

fn json_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// A result file as this build reads it, back to JSON (so fields the file
/// lacks appear with their defaults on both sides).
fn typed(path: &Path) -> serde_json::Value {
    let value = if path.ends_with("manifest.json") {
        serde_json::to_value(read_json::<RunManifest>(path).unwrap())
    } else {
        serde_json::to_value(read_json::<ServerRunResult>(path).unwrap())
    };
    value.unwrap()
}

#[test]
fn committed_fixtures_are_what_the_generator_writes() {
    let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let fresh = tempfile::tempdir().unwrap();
    generate::generate(fresh.path()).unwrap();
    for folder in generate::FOLDERS {
        let (want, got) = (committed.join(folder), fresh.path().join(folder));
        let names = json_files(&got);
        assert!(names.contains(&"manifest.json".to_string()));
        assert_eq!(
            json_files(&want),
            names,
            "{folder}: the files differ; run `cargo run --example regen-fixtures`"
        );
        for name in &names {
            assert!(
                typed(&want.join(name)) == typed(&got.join(name)),
                "tests/fixtures/{folder}/{name} is not what the generator writes; run `cargo run --example regen-fixtures` and commit the result"
            );
        }
    }
}

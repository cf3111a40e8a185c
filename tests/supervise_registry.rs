//! The server registry as a user meets it: `gauntlet servers`, manifests
//! with mistakes, unknown server names, missing toolchains and cached builds.

mod supervise_support;

use assert_cmd::Command;
use gauntlet::exit::{code_for_error, Classify, Outcome};
use gauntlet::servers::Registry;
use predicates::prelude::*;
use supervise_support::{write_servers, Spec};

fn spec<'a>(name: &'a str) -> Spec<'a> {
    Spec {
        name,
        run: vec!["sh".into(), "-c".into(), "exit 0".into()],
        requires: vec!["sh"],
        env: vec![],
        build: vec![],
        build_inputs: vec![],
        extra: "",
    }
}

fn gauntlet(servers_dir: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("gauntlet").unwrap();
    cmd.env("GAUNTLET_SERVERS_DIR", servers_dir);
    cmd
}

#[test]
fn servers_lists_what_is_here_with_reasons_and_versions() {
    let tmp = tempfile::tempdir().unwrap();
    let mut missing = spec("needs-missing-tool");
    missing.requires = vec!["sh", "no-such-runtime-gauntlet"];
    let dir = write_servers(tmp.path(), &[spec("alpha"), missing]);

    gauntlet(&dir)
        .arg("servers")
        .assert()
        .success()
        .stdout(
            predicate::str::is_match(
                r"(?m)^alpha +stdlib +Test +test runtime +available +test-runtime 1\.2\.3$",
            )
            .unwrap(),
        )
        .stdout(predicate::str::contains(
            "unavailable: not found on PATH: no-such-runtime-gauntlet",
        ));

    let out = gauntlet(&dir).args(["servers", "--json"]).output().unwrap();
    assert!(out.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["name"], "alpha");
    assert_eq!(rows[0]["available"], true);
    assert_eq!(rows[0]["runtime_version"], "test-runtime 1.2.3");
    assert_eq!(rows[1]["available"], false);
    assert_eq!(
        rows[1]["reason"],
        "not found on PATH: no-such-runtime-gauntlet"
    );
}

#[test]
fn a_manifest_with_a_mistake_names_file_line_and_key_and_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bad = spec("typo");
    bad.extra = "ready_pth = \"/json\"";
    let dir = write_servers(tmp.path(), &[spec("alpha"), bad]);
    gauntlet(&dir)
        .arg("servers")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("typo/server.toml"))
        .stderr(predicate::str::contains("line 10"))
        .stderr(predicate::str::contains("unknown field `ready_pth`"))
        .stderr(predicate::str::contains("did you mean `ready_path`?"));
}

#[test]
fn a_wrong_type_and_a_mismatched_name_are_explained() {
    let tmp = tempfile::tempdir().unwrap();
    let mut wrong_type = spec("wrong-type");
    wrong_type.extra = "port_env = 8080";
    let dir = write_servers(tmp.path(), &[wrong_type]);
    let err = Registry::from_dir(&dir).unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.contains("wrong-type/server.toml") && text.contains("port_env"),
        "{text}"
    );
    assert!(
        err.is_input(),
        "a bad manifest is the user's to fix: {text}"
    );
    assert_eq!(code_for_error(&err.into()), Outcome::UsageError);

    let tmp = tempfile::tempdir().unwrap();
    let dir = write_servers(tmp.path(), &[spec("folder-name")]);
    std::fs::rename(dir.join("folder-name"), dir.join("other-folder")).unwrap();
    let text = format!("{:#}", Registry::from_dir(&dir).unwrap_err());
    assert!(
        text.contains("key `name`") && text.contains("\"other-folder\""),
        "{text}"
    );
}

#[test]
fn an_unknown_server_lists_the_known_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = write_servers(tmp.path(), &[spec("beta"), spec("alpha")]);
    let registry = Registry::from_dir(&dir).unwrap();
    assert_eq!(registry.names(), ["alpha", "beta"]);
    let err = registry.get("gamma").unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown server \"gamma\"; known servers: alpha, beta"
    );
    assert!(err.is_input());
    // Wrapped in context by a caller, the variant still decides.
    let wrapped = anyhow::Error::from(err).context("choosing the servers");
    assert_eq!(code_for_error(&wrapped), Outcome::UsageError);
}

#[test]
fn placeholders_are_expanded_in_commands_and_env() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = spec("placed");
    s.run = vec!["{server_dir}/bin".into(), "{workspace}".into()];
    s.env = vec![("WHERE", "{target_dir}/x".into())];
    let dir = write_servers(tmp.path(), &[s]);
    let registry = Registry::from_dir(&dir).unwrap();
    let entry = registry.get("placed").unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let server_dir = root.join("servers/placed");
    assert_eq!(
        entry.manifest.run[0],
        server_dir.join("bin").display().to_string()
    );
    assert_eq!(entry.manifest.run[1], root.display().to_string());
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    assert_eq!(
        entry.manifest.env["WHERE"],
        target.join("x").display().to_string()
    );
}

#[test]
fn builds_are_cached_until_an_input_changes_and_failures_show_their_output() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = spec("built");
    s.build = vec!["sh", "-c", "echo run >> builds.log && mkdir -p build"];
    s.build_inputs = vec!["src"];
    let mut failing = spec("broken-build");
    failing.build = vec![
        "sh",
        "-c",
        "echo compiling; echo 'error: the detail' >&2; exit 7",
    ];
    let dir = write_servers(tmp.path(), &[s, failing]);
    std::fs::create_dir_all(dir.join("built/src")).unwrap();
    std::fs::write(dir.join("built/src/main.txt"), "one").unwrap();
    let registry = Registry::from_dir(&dir).unwrap();
    let entry = registry.get("built").unwrap();
    let builds = || {
        std::fs::read_to_string(dir.join("built/builds.log"))
            .unwrap()
            .lines()
            .count()
    };

    let first = entry.build().unwrap();
    assert!(!first.cached);
    assert_eq!(builds(), 1);
    let second = entry.build().unwrap();
    assert!(second.cached && second.seconds == 0.0);
    assert_eq!(builds(), 1);
    std::fs::write(dir.join("built/src/main.txt"), "two").unwrap();
    assert!(!entry.build().unwrap().cached);
    assert_eq!(builds(), 2);
    std::fs::write(dir.join("built/src/new.txt"), "new file").unwrap();
    assert!(!entry.build().unwrap().cached);
    assert_eq!(builds(), 3);
    assert!(entry.build().unwrap().cached);
    // Outputs deleted by hand: the stamp alone must not skip the build.
    std::fs::remove_dir_all(dir.join("built/build")).unwrap();
    assert!(!entry.build().unwrap().cached);
    assert_eq!(builds(), 4);
    assert!(entry.build().unwrap().cached);

    let err = registry.get("broken-build").unwrap().build().unwrap_err();
    let text = format!("{err:#}");
    assert!(text.contains("building broken-build failed"), "{text}");
    assert!(text.contains("exit status: 7"), "{text}");
    assert!(
        text.contains("compiling") && text.contains("error: the detail"),
        "{text}"
    );
}

#[test]
fn servers_lists_every_reference_server_of_this_checkout() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut folders: Vec<String> = std::fs::read_dir(root.join("reference-servers"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("server.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let out = Command::cargo_bin("gauntlet")
        .unwrap()
        .current_dir(root.join("src"))
        .env_remove("GAUNTLET_SERVERS_DIR")
        .args(["servers", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, folders);
    for row in rows.as_array().unwrap() {
        let available = row["available"].as_bool().unwrap();
        assert_eq!(available, row["reason"].is_null(), "{row}");
        assert_eq!(available, row["runtime_version"].is_string(), "{row}");
    }
}

//! `cargo run --example regen-fixtures [FOLDER]`: writes the synthetic
//! report fixtures (tests/fixtures/README.md) into FOLDER, by default the
//! committed tests/fixtures/ of this checkout. Run it after a change to the
//! result schema or to the generator, and commit what it writes;
//! tests/report_fixtures.rs fails until the committed fixtures match.

mod generate;

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let root = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"));
    generate::generate(&root)?;
    for folder in generate::FOLDERS {
        println!("wrote {}", root.join(folder).display());
    }
    Ok(())
}

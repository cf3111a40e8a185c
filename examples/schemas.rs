//! Regenerates the JSON Schemas in `schemas/` from the Rust types
//! (`gauntlet::results::json_schema`), after a change to a result type:
//!
//! ```sh
//! cargo run --example schemas                 # rewrite every schemas/*.schema.json
//! cargo run --example schemas -- server-result  # print one schema to stdout
//! ```
//!
//! tests/schemas.rs fails while a committed schema differs from what the
//! types generate, and says to run this.

use std::path::Path;
use std::process::ExitCode;

use gauntlet::results::json_schema::{render, SCHEMAS};

fn main() -> ExitCode {
    let names: Vec<String> = std::env::args().skip(1).collect();
    if let Some(name) = names.first() {
        return match render(name) {
            Some(text) => {
                print!("{text}");
                ExitCode::SUCCESS
            }
            None => {
                let known: Vec<&str> = SCHEMAS.iter().map(|s| s.name).collect();
                eprintln!(
                    "unknown schema {name:?} (expected one of: {})",
                    known.join(", ")
                );
                ExitCode::from(2)
            }
        };
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for s in SCHEMAS {
        let text = render(s.name).expect("every listed schema generates");
        let path = root.join(s.path());
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {}", s.path());
    }
    ExitCode::SUCCESS
}

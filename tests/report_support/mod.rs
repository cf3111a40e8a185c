//! Shared setup of the report tests that render through the real binary:
//! a working folder holding a claims file (the report reads
//! `claims/claims.toml` from where it runs), and `gauntlet report` run there
//! into a folder of its own, returning the page and the summary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A temporary working folder whose `claims/claims.toml` holds `claims`.
pub fn with_claims(claims: &str) -> tempfile::TempDir {
    let cwd = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(cwd.path().join("claims")).unwrap();
    std::fs::write(cwd.path().join("claims/claims.toml"), claims).unwrap();
    cwd
}

/// What `gauntlet report` wrote.
pub struct Rendered {
    /// index.html.
    pub html: String,
    /// summary.md.
    pub md: String,
}

/// `gauntlet report INPUTS` run in `cwd`, into a temporary folder (never
/// into `cwd`, which may be the workspace); it must succeed.
pub fn render(cwd: &Path, inputs: &[PathBuf]) -> Rendered {
    let out_dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .arg("report")
        .args(inputs)
        .arg("--out")
        .arg(out_dir.path())
        .current_dir(cwd)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |name: &str| std::fs::read_to_string(out_dir.path().join(name)).unwrap();
    Rendered {
        html: read("index.html"),
        md: read("summary.md"),
    }
}

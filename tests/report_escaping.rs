//! Nothing from a result file reaches the HTML report or summary.md as
//! markup: a run whose server names, failure reason, stderr tail and scenario
//! description are full of `<script>`, `|`, backticks and newlines renders
//! them as text in both outputs.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

const HOSTILE: &str = "<script>alert(1)</script>|`x`|<img src=x onerror=alert(2)>\n| a | b |";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn edit(path: &Path, change: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    change(&mut v);
    fs::write(path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

/// The failed-server fixture with hostile strings in every free-text field.
fn hostile_results() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in fs::read_dir(fixture("failed-server")).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    for (file, server) in [
        ("plaintext__rust-hyper.json", format!("rust{HOSTILE}")),
        ("plaintext__node-http.json", format!("node{HOSTILE}")),
        ("plaintext__go-nethttp.json", format!("go{HOSTILE}")),
    ] {
        edit(&dir.path().join(file), |v| {
            v["server"]["name"] = Value::String(server);
            v["server"]["runtime"] = Value::String(HOSTILE.into());
            v["scenario"]["description"] = Value::String(format!("desc {HOSTILE}"));
            if let Some(reason) = v["status"].get_mut("reason") {
                *reason = Value::String(format!("reason {HOSTILE}"));
            }
            if let Some(tail) = v["status"].get_mut("stderr_tail") {
                *tail = serde_json::json!([HOSTILE, "panicked at <b>|</b>"]);
            }
        });
    }
    dir
}

#[test]
fn hostile_strings_are_text_in_the_html_report_and_the_markdown_summary() {
    let results = hostile_results();
    let out = tempfile::tempdir().unwrap();
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args(["report"])
        .arg(results.path())
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();

    let html = fs::read_to_string(out.path().join("index.html")).unwrap();
    for raw in ["<script>alert", "<img src=x", "<b>|"] {
        assert!(!html.contains(raw), "index.html carries {raw:?} as markup");
    }
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "index.html does not show the hostile name as text"
    );
    assert!(
        html.contains("reason &lt;script&gt;"),
        "the reason is missing"
    );
    for entry in fs::read_dir(out.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "svg") {
            let svg = fs::read_to_string(&path).unwrap();
            assert!(
                !svg.contains("<script"),
                "{} carries <script>",
                path.display()
            );
        }
    }

    let md = fs::read_to_string(out.path().join("summary.md")).unwrap();
    for raw in ["<script", "<img", "<b>"] {
        assert!(
            !md.contains(raw),
            "summary.md carries {raw:?} as markup:\n{md}"
        );
    }
    assert!(md.contains("&lt;script&gt;"), "summary.md lost the text");
    // Every row of every table has as many cell separators as its header:
    // the `|` and newlines of names and reasons cannot add or split cells.
    let separators = |l: &str| l.matches('|').count() - l.matches("\\|").count();
    let mut header: Option<usize> = None;
    let mut rows = 0;
    for line in md.lines() {
        if !line.starts_with('|') {
            header = None;
            continue;
        }
        match header {
            None => header = Some(separators(line)),
            Some(n) => {
                rows += 1;
                assert_eq!(
                    separators(line),
                    n,
                    "a row with a wrong cell count:\n{line}"
                );
            }
        }
    }
    assert!(rows >= 4, "too few table rows:\n{md}");
    // No line of the summary starts with what the hostile text carried.
    assert!(!md.lines().any(|l| l.starts_with("| a | b |")), "{md}");
}

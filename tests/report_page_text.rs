//! The HTML page reads the same whatever renders it: the committed sample
//! report re-renders from its results identically apart from whitespace,
//! and the page of the test fixtures (several runs, a failed server, a
//! generator-limited one, the matrix, thresholds, and a Claims section with
//! markup in a claim) is pinned by snapshots. Charts are compared as
//! `<svg/>` here (their own tests check them). The snapshots were first
//! taken from the page before it moved to askama templates, so they show the
//! move changed no text.

mod report_support;

use std::path::{Path, PathBuf};

use report_support::{render, with_claims};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The page without whitespace differences: every inline SVG as `<svg/>`,
/// each line trimmed, blank lines dropped.
fn normalised(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        text.push_str(&rest[..start]);
        text.push_str("<svg/>");
        let end = rest[start..].find("</svg>").expect("every <svg> is closed");
        rest = &rest[start + end + "</svg>".len()..];
    }
    text.push_str(rest);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n") + "\n"
}

#[test]
fn the_sample_report_re_renders_the_same_apart_from_whitespace() {
    let committed = std::fs::read_to_string(root().join("reports/sample/index.html")).unwrap();
    // Rendered from the workspace root, like reports/sample/README.md says.
    let again = render(root(), &[root().join("reports/sample/results")]).html;
    let (committed, again) = (normalised(&committed), normalised(&again));
    if committed != again {
        let line = committed
            .lines()
            .zip(again.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "reports/sample/index.html differs from a re-render at normalised line {}:\ncommitted: {:?}\nrendered:  {:?}",
            line + 1,
            committed.lines().nth(line),
            again.lines().nth(line)
        );
    }
}

#[test]
fn the_page_of_the_fixtures_reads_as_it_did() {
    let cwd = tempfile::tempdir().unwrap();
    let inputs: Vec<PathBuf> = ["two-servers", "failed-server", "generator-limited"]
        .iter()
        .map(|f| root().join("tests/fixtures").join(f))
        .collect();
    insta::assert_snapshot!(normalised(&render(cwd.path(), &inputs).html));
}

#[test]
fn the_claims_section_reads_as_it_did_and_escapes_the_claims_file() {
    let cwd = with_claims(
        r#"
[[claim]]
id = "C1"
claim = "Rust <b>beats</b> \"Go\" & friends"
scenario = "plaintext"
predicate = "throughput(rust-hyper) / throughput(go-nethttp) in 0.5..20"

[[claim]]
id = "C2"
claim = "Memory'ish"
scenario = "plaintext"
predicate = "rss_peak(rust-hyper) < 1GB"
"#,
    );
    let page = render(cwd.path(), &[root().join("tests/fixtures/two-servers")]).html;
    assert!(!page.contains("<b>beats"), "a claim's markup is escaped");
    insta::assert_snapshot!(normalised(&page));
}

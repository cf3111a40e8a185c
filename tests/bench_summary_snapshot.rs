//! A snapshot of the `bench` summary a user reads, with the figures of the
//! run (times, counts, rates, the port) filtered out: its layout and wording
//! change only by a reviewed change to the snapshot.

mod bench_support;

use std::time::Duration;

use bench_support::{gauntlet, start};

/// What depends on the run, filtered in order: a warning that the machine's
/// load decides, every number (with its unit) as `[n]` (labels such as
/// `p99.9` keep their digits, which follow a letter), then the
/// column padding that the numbers' widths decide.
fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"(?m)^  WARNING: .*$\n?", ""),
        (r"(^|[\s(/:=,])\d+(\.\d+)?(µs|ms|s|%)?", "${1}[n]"),
        (r" {2,}", "  "),
    ]
}

fn summary(args: &[&str], url: &str) -> String {
    let out = gauntlet()
        .arg("bench")
        .arg(url)
        .args(args)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_closed_model_summary_reads_as_it_did() {
    let server = start("fast-plaintext", &[]);
    let text = summary(&["-c", "2", "-d", "1s", "-q"], &server.url("/plaintext"));
    insta::with_settings!({filters => filters()}, {
        insta::assert_snapshot!(text);
    });
}

#[test]
fn the_open_model_summary_reads_as_it_did() {
    let server = start("fast-plaintext", &[]);
    let text = summary(
        &["-c", "2", "-R", "200", "-d", "1s", "-q"],
        &server.url("/plaintext"),
    );
    insta::with_settings!({filters => filters()}, {
        insta::assert_snapshot!(text);
    });
}

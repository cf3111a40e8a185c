//! `gauntlet bench` rejects bad input before any load, with exit code 2 and a
//! message that names the flag and the expected form.

mod bench_support;

use bench_support::gauntlet;
use predicates::str::contains;

fn rejects(args: &[&str], flag: &str, form: &str) {
    gauntlet()
        .arg("bench")
        .args(args)
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(contains(flag))
        .stderr(contains(form));
}

const URL: &str = "http://127.0.0.1:9/plaintext";

#[test]
fn bad_urls_name_the_expected_form() {
    rejects(&["not a url"], "URL", "http://127.0.0.1:8080/plaintext");
    rejects(&["https://127.0.0.1/x"], "https://", "only http://");
    rejects(&["ftp://127.0.0.1/x"], "ftp://", "only http://");
    rejects(&["127.0.0.1:8080/x"], "URL", "http://");
}

#[test]
fn zero_rate_duration_connections_are_rejected() {
    rejects(
        &[URL, "-R", "0"],
        "--rate",
        "positive number of requests per second",
    );
    rejects(&[URL, "--rate=-5"], "--rate", "positive number");
    rejects(&[URL, "-d", "0s"], "--duration", "e.g. -d 10s");
    rejects(
        &[URL, "-d", "soon"],
        "--duration",
        "expected a duration like 10s",
    );
    rejects(&[URL, "-c", "0"], "--connections", "at least 1");
    rejects(&[URL, "-t", "0"], "--threads", "at least 1");
}

#[test]
fn unreadable_body_file_and_bad_header_are_rejected() {
    rejects(
        &[URL, "--body-file", "/nonexistent/body.json"],
        "--body-file /nonexistent/body.json",
        "readable file",
    );
    rejects(&[URL, "-H", "no-colon-here"], "--header", "Name: value");
    rejects(&[URL, "--cpus", "3-1"], "--cpus", "expected a list like");
    rejects(&[URL, "--cpus", "1000"], "--cpus 1000", "not available");
}

#[test]
fn help_teaches_the_models() {
    gauntlet()
        .args(["bench", "--help"])
        .assert()
        .success()
        .stdout(contains("--rate"))
        .stdout(contains("closed model"))
        .stdout(contains("--hlog"));
}

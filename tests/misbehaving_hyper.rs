//! The misbehaving-server matrix against hyper's HTTP/1.1 client
//! (`GAUNTLET_HTTP1_CLIENT=hyper`, the measurement switch of src/load/http1.rs),
//! for the cases where hyper's own parser decides: the same bounds on time
//! and memory, and the error kinds hyper can tell apart.

mod misbehaving_support;

use misbehaving_support::{assert_bounded, bench, count, Client};

fn check(case: &str, ok: impl Fn(&gauntlet::results::LoadReport) -> bool) {
    let run = bench(case, Client::Hyper, &[]);
    assert_bounded(&run);
    let r = &run.report;
    assert!(
        ok(r),
        "case {case} (hyper): errors {:?}, {} successes",
        r.errors,
        r.successes
    );
}

#[test]
fn hyper_counts_a_cut_body_as_a_reset() {
    check("truncated-body", |r| {
        count(r, "reset") > 0 && r.successes == 0
    });
}

#[test]
fn hyper_names_a_bad_status_line() {
    check("bad-status-line", |r| {
        count(r, "bad_status_line") > 0 && r.successes == 0
    });
}

#[test]
fn hyper_names_a_one_mib_header() {
    check("huge-header", |r| {
        count(r, "header_too_large") > 0 && r.successes == 0
    });
}

#[test]
fn hyper_streams_past_an_endless_chunked_body() {
    check("endless-chunked", |r| {
        count(r, "timeout") > 0 && r.successes == 0
    });
}

#[test]
fn hyper_streams_past_an_endless_content_length_body() {
    check("endless-length", |r| {
        count(r, "timeout") > 0 && r.successes == 0
    });
}

#[test]
fn hyper_skips_interim_responses_and_reads_http10() {
    check("interim-1xx", |r| r.errors.is_empty() && r.successes > 10);
    check("http10-close", |r| r.errors.is_empty() && r.successes > 10);
}

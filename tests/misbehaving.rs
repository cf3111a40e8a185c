//! The misbehaving-server matrix (crates/testservers/src/bin/fault-matrix.rs)
//! against the lean HTTP/1.1 client: one test per case, each checking the
//! error kind `gauntlet bench` reports, that the run ends within its duration
//! plus timeout plus a grace, and that the generator's peak RSS stays within
//! a bound of what a well-behaved server costs it (a 1 MiB header or an
//! endless body must be streamed past, not buffered).
mod misbehaving_support;

use misbehaving_support::{assert_bounded, bench, count, Client};

macro_rules! case {
    ($test:ident, $case:literal, |$r:ident| $check:expr) => {
        #[test]
        fn $test() {
            let run = bench($case, Client::Lean, &[]);
            assert_bounded(&run);
            let $r = &run.report;
            assert!(
                $check,
                "case {}: errors {:?}, {} successes",
                $case, $r.errors, $r.successes
            );
        }
    };
}

case!(a_valid_server_has_no_errors, "ok", |r| r.errors.is_empty()
    && r.successes > 10);
case!(a_head_cut_short_is_a_reset, "truncated-head", |r| count(
    r, "reset"
) > 0
    && r.successes == 0);
case!(a_body_cut_short_is_a_reset, "truncated-body", |r| count(
    r, "reset"
) > 0
    && r.successes == 0);
case!(
    a_body_longer_than_its_length_is_body_overflow,
    "body-overflow",
    |r| count(r, "body_overflow") > 0 && count(r, "malformed") == 0
);
case!(a_bad_status_line_is_named, "bad-status-line", |r| count(
    r,
    "bad_status_line"
) > 0
    && r.successes == 0
    && r.errors.len() == 1);
case!(
    a_one_mib_header_is_header_too_large,
    "huge-header",
    |r| count(r, "header_too_large") > 0 && r.successes == 0
);
case!(
    an_endless_chunked_body_times_out,
    "endless-chunked",
    |r| count(r, "timeout") > 0 && r.successes == 0
);
case!(
    an_endless_content_length_body_times_out,
    "endless-length",
    |r| count(r, "timeout") > 0 && r.successes == 0
);
case!(a_slow_drip_times_out, "slow-drip", |r| count(r, "timeout")
    > 0
    && r.successes == 0);
case!(
    a_close_right_after_accept_is_a_reset,
    "close-on-accept",
    |r| count(r, "reset") > 0 && r.successes == 0
);
case!(http10_close_delimited_bodies_succeed, "http10-close", |r| r
    .errors
    .is_empty()
    && r.successes > 10);
case!(interim_1xx_responses_are_skipped, "interim-1xx", |r| r
    .errors
    .is_empty()
    && r.successes > 10
    && r.status_codes.keys().all(|c| *c == 200));
case!(
    a_204_with_a_body_is_body_overflow,
    "no-content-body",
    |r| count(r, "body_overflow") > 0 && count(r, "malformed") == 0
);
case!(
    a_304_with_a_body_is_body_overflow,
    "not-modified-body",
    |r| count(r, "body_overflow") > 0 && count(r, "malformed") == 0
);
case!(tls_on_a_plain_port_is_named, "tls", |r| count(
    r,
    "tls_on_plain_port"
) > 0
    && r.successes == 0
    && r.errors.len() == 1);
case!(
    a_server_that_never_reads_times_out,
    "never-read",
    |r| count(r, "timeout") > 0 && r.successes == 0
);

#[test]
fn a_server_that_never_reads_a_large_body_times_out() {
    // 4 MiB per request fills the socket buffers: the write itself stalls.
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body.bin");
    std::fs::write(&body, vec![b'x'; 4 * 1024 * 1024]).unwrap();
    let run = bench(
        "never-read",
        Client::Lean,
        &["-m", "POST", "--body-file", body.to_str().unwrap()],
    );
    assert_bounded(&run);
    let r = &run.report;
    assert!(
        count(r, "timeout") > 0 && r.successes == 0,
        "{:?}",
        r.errors
    );
}

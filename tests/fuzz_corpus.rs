//! Replays every committed fuzz corpus file (fuzz/corpus/<target>/) through
//! the same checks the fuzz targets run (fuzz/src/lib.rs, compiled in here),
//! so CI checks the corpora on stable without libFuzzer; and runs the HTTP/1.1
//! check on inputs larger than the fuzzer's, where the size limits bite.

#[path = "../fuzz/src/lib.rs"]
mod checks;

use std::path::PathBuf;

/// Runs `check` on every file of `fuzz/corpus/<target>/`, naming the files
/// that fail; expects at least `min_files` (an emptied corpus is a mistake).
fn replay(target: &str, min_files: usize, check: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("listing").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(
        files.len() >= min_files,
        "{}: {} files, expected at least {min_files}",
        dir.display(),
        files.len()
    );
    let failed: Vec<String> = files
        .iter()
        .filter(|file| {
            let bytes = std::fs::read(file).expect("corpus file");
            std::panic::catch_unwind(|| check(&bytes)).is_err()
        })
        .map(|file| file.display().to_string())
        .collect();
    assert!(failed.is_empty(), "corpus inputs that fail: {failed:#?}");
}

#[test]
fn http1_response_corpus() {
    replay("http1_response", 10, checks::http1_response);
}

#[test]
fn scenario_toml_corpus() {
    replay("scenario_toml", 10, checks::scenario_toml);
}

#[test]
fn server_manifest_corpus() {
    replay("server_manifest", 5, checks::server_manifest);
}

#[test]
fn result_json_corpus() {
    replay("result_json", 10, checks::result_json);
}

#[test]
fn histogram_corpus() {
    replay("histogram", 5, checks::histogram);
}

/// The fuzzer's inputs are a few KiB; these reach the 64 KiB limits on the
/// head, the chunk-size line and the trailers, in one read and in many.
#[test]
fn http1_limits_hold_on_large_inputs() {
    let big = |prefix: &[u8], fill: u8, len: usize| {
        let mut v = prefix.to_vec();
        v.resize(len, fill);
        v
    };
    let inputs = [
        // A head that never ends.
        big(b"HTTP/1.1 200 OK\r\nX-Long: ", b'a', 70_000),
        // A chunk extension that never ends.
        big(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=",
            b'b',
            70_000,
        ),
        // Trailers that never end.
        big(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: ",
            b'c',
            70_000,
        ),
        // A body far longer than what arrives.
        big(
            b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n",
            b'd',
            140_000,
        ),
        // A close-delimited body.
        big(b"HTTP/1.0 200 OK\r\n\r\n", b'e', 140_000),
    ];
    for input in inputs {
        // Whole, and in reads of 1..=256 bytes (two ways); keeping the body and not.
        for flags in [0x00, 0x05, 0xfd] {
            let mut data = vec![flags];
            data.extend_from_slice(&input);
            checks::http1_response(&data);
        }
    }
}

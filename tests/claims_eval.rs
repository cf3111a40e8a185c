//! The claims evaluator on hand-made result folders whose figures are set by
//! the test: every verdict, intervals over repetitions, generator-limited,
//! failed and missing figures, figures from two machines; and claims files
//! that are wrong in each way, reported with file:line:column.

mod claims_support;

use std::path::Path;

use claims_support::{standard_run, write_run, Rep, Server};
use gauntlet::claims::{evaluate, ClaimResult, ClaimsFile, Evaluation, Verdict};
use gauntlet::results::RunFolder;

const KNOWN: &[&str] = &[
    "go-nethttp",
    "java-httpserver",
    "node-http",
    "python-uvicorn",
    "rust-hyper",
];

const CLAIMS: &str = r#"
[[claim]]
id = "C1a"
claim = "Go needs 10-50 MB"
scenario = "plaintext"
predicate = "rss_peak(go-nethttp) in 10MB..50MB"

[[claim]]
id = "C1b"
claim = "Java needs 200-500 MB"
scenario = "plaintext"
predicate = "rss_peak(java-httpserver) in 200MB..500MB"

[[claim]]
id = "C3a"
claim = "Go starts in milliseconds"
predicate = "startup(go-nethttp @ plaintext) < 100ms"

[[claim]]
id = "C3b"
claim = "The JVM starts in seconds"
predicate = "startup(java-httpserver @ plaintext) >= 1s"

[[claim]]
id = "C4"
claim = "Go handles 5-20x the load of Node"
scenario = "plaintext"
predicate = "throughput(go-nethttp) / throughput(node-http) in 5..20"

[[claim]]
id = "C4b"
claim = "Go handles 10-20x the load of Node"
scenario = "plaintext"
predicate = "throughput(go-nethttp) / throughput(node-http) in 10..20"

[[claim]]
id = "C5"
claim = "Go holds a connection in a few KB"
predicate = "bytes_per_idle_connection(go-nethttp @ plaintext) < 10KB"

[[claim]]
id = "C7"
claim = "Go serves over a thousand JSON requests a second"
scenario = "json"
predicate = "throughput(go-nethttp) > 1000"

[[claim]]
id = "C7c"
claim = "Go answers JSON within a second"
scenario = "json"
predicate = "p99(go-nethttp) < 1s"

[[claim]]
id = "C7b"
claim = "Go idles under 10 MB"
scenario = "json"
predicate = "rss_idle(go-nethttp) < 10MB"

[[claim]]
id = "C8"
claim = "Rust serves plaintext"
predicate = "throughput(rust-hyper @ plaintext) > 1"

[[claim]]
id = "C8b"
claim = "Go starts fast in the cpu suite"
predicate = "startup(go-nethttp @ cpu) < 1s"

[[claim]]
id = "C9"
claim = "Go and Node have the same tail"
scenario = "plaintext"
predicate = "p99(go-nethttp) - p99(node-http) < 1ms"

[[claim]]
id = "C11"
claim = "Python serves JSON"
predicate = "throughput(python-uvicorn @ json) > 1"

[[claim]]
id = "C13"
claim = "Go binaries are 5-20 MB"
not_testable = "needs: the deployable footprint"
"#;

fn evaluate_text(claims: &str, folders: &[&Path]) -> Evaluation {
    let file = ClaimsFile::parse(Path::new("claims.toml"), claims, Some(KNOWN)).unwrap();
    let folders: Vec<RunFolder> = folders
        .iter()
        .map(|f| RunFolder::open(f).unwrap())
        .collect();
    evaluate(&file, &folders)
}

fn claim<'a>(e: &'a Evaluation, id: &str) -> &'a ClaimResult {
    e.claims.iter().find(|c| c.id == id).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

#[test]
fn every_verdict_with_its_figure_interval_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run-a");
    standard_run(&run);
    let e = evaluate_text(CLAIMS, &[&run]);
    assert_eq!(e.claims.len(), 15);
    let hw = e.hardware.as_ref().unwrap();
    assert_eq!(
        (hw.cpu_model.as_str(), hw.logical_cpus),
        ("Test CPU @ 3.00GHz", 2)
    );

    // Peak RSS 20, 24, 22 MB: median 22, interval 20..24, inside 10..50 MB.
    let c = claim(&e, "C1a");
    assert_eq!(c.verdict, Verdict::Supported, "{c:?}");
    assert!(close(c.figure.unwrap(), 22e6));
    assert_eq!(c.interval.unwrap(), [20e6, 24e6]);
    assert_eq!(c.measured, "22.0 MB (20.0 MB–24.0 MB, n=3)");
    assert_eq!(c.reason, "the whole interval is in 10.0 MB..50.0 MB");

    // Java at 40-45 MB lies wholly below 200 MB.
    let c = claim(&e, "C1b");
    assert_eq!(c.verdict, Verdict::Contradicted, "{c:?}");
    assert_eq!(c.reason, "no part of the interval is in 200 MB..500 MB");

    // Startup: the interval is the cold starts (5, 7, 9 ms), in µs.
    let c = claim(&e, "C3a");
    assert_eq!(c.verdict, Verdict::Supported, "{c:?}");
    assert_eq!(c.interval.unwrap(), [5_000.0, 9_000.0]);
    // Java's cold starts 400, 450, 1200 ms straddle 1 s.
    let c = claim(&e, "C3b");
    assert_eq!(c.verdict, Verdict::Inconclusive, "{c:?}");
    assert_eq!(
        c.reason,
        "the interval straddles a boundary: not all of it is ≥ 1.00 s"
    );

    // Go 90k-110k over Node 9k-11k: ratio 10, interval 90/11..110/9.
    let c = claim(&e, "C4");
    assert_eq!(c.verdict, Verdict::Supported, "{c:?}");
    assert!(close(c.figure.unwrap(), 10.0));
    let [lo, hi] = c.interval.unwrap();
    assert!(
        close(lo, 90_000.0 / 11_000.0) && close(hi, 110_000.0 / 9_000.0),
        "{lo} {hi}"
    );
    assert_eq!(c.unit, Some("ratio"));
    // The same figure against 10..20: the interval 8.2..12.2 straddles 10.
    assert_eq!(claim(&e, "C4b").verdict, Verdict::Inconclusive);

    let c = claim(&e, "C5");
    assert_eq!(c.verdict, Verdict::Supported, "{c:?}");
    assert_eq!(c.interval.unwrap(), [6_000.0, 6_000.0]);

    // Repetition 2 of go-nethttp @ json was generator-limited: throughput
    // is then a lower bound, and 50k-52k and up is all over 1,000.
    let c = claim(&e, "C7");
    assert_eq!(c.verdict, Verdict::Supported, "{c:?}");
    assert!(
        c.reason.starts_with("as a lower bound")
            && c.reason.contains("generator-limited")
            && c.reason.contains("repetition 2"),
        "{}",
        c.reason
    );
    assert!(c.measured.ends_with("lower bound"), "{}", c.measured);
    assert!(close(c.figure.unwrap(), 51_000.0));
    // Latency from the same repetitions may move either way with more load:
    // no verdict, and the reason does not call it a bound.
    let c = claim(&e, "C7c");
    assert_eq!(c.verdict, Verdict::Inconclusive, "{c:?}");
    assert!(
        c.reason
            .contains("generator-limited (the generator, not only the server, shaped it)"),
        "{}",
        c.reason
    );
    // Idle memory is measured before the load: the generator cannot limit it.
    assert_eq!(claim(&e, "C7b").verdict, Verdict::Supported);

    // Missing server, missing scenario: inconclusive, saying which.
    let c = claim(&e, "C8");
    assert_eq!(c.verdict, Verdict::Inconclusive);
    assert!(
        c.reason
            .contains("no result for server rust-hyper in scenario plaintext"),
        "{}",
        c.reason
    );
    assert_eq!(c.figure, None);
    let c = claim(&e, "C8b");
    assert_eq!(c.verdict, Verdict::Inconclusive);
    assert!(
        c.reason.contains("no result for scenario cpu"),
        "{}",
        c.reason
    );

    // A difference: equal tails (2 ms each) differ by 0, below 1 ms.
    let c = claim(&e, "C9");
    assert_eq!(c.verdict, Verdict::Supported, "{c:?}");
    assert_eq!(c.interval.unwrap(), [0.0, 0.0]);

    // A failed server: what it measured is shown, but no verdict.
    let c = claim(&e, "C11");
    assert_eq!(c.verdict, Verdict::Inconclusive, "{c:?}");
    assert!(
        c.reason
            .contains("python-uvicorn @ json failed: exited with signal 9"),
        "{}",
        c.reason
    );

    let c = claim(&e, "C13");
    assert_eq!(c.verdict, Verdict::NotTestable);
    assert_eq!(c.reason, "needs: the deployable footprint");
}

#[test]
fn figures_from_two_machines_are_never_combined_and_a_later_folder_wins() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    write_run(
        &a,
        "Machine A",
        &[Server::new(
            "plaintext",
            "go-nethttp",
            vec![Rep::new(100_000.0, 20.0)],
        )],
    );
    write_run(
        &b,
        "Machine B",
        &[
            Server::new("plaintext", "node-http", vec![Rep::new(10_000.0, 60.0)]),
            Server::new("json", "go-nethttp", vec![Rep::new(10_000.0, 30.0)]),
        ],
    );
    let claims = r#"
[[claim]]
id = "C4"
claim = "Go handles 5-20x the load of Node"
scenario = "plaintext"
predicate = "throughput(go-nethttp) / throughput(node-http) in 5..20"
"#;
    let e = evaluate_text(claims, &[&a, &b]);
    let c = claim(&e, "C4");
    assert_eq!(c.verdict, Verdict::Inconclusive, "{c:?}");
    assert!(c.reason.contains("different machines"), "{}", c.reason);
    assert_eq!(e.hardware_all.len(), 2);

    // The same server and scenario in both folders: the later one is used.
    let c2 = dir.path().join("c");
    write_run(
        &c2,
        "Machine A",
        &[Server::new(
            "plaintext",
            "go-nethttp",
            vec![Rep::new(1.0, 90.0)],
        )],
    );
    let claims = r#"
[[claim]]
id = "C1a"
claim = "Go needs 10-50 MB"
predicate = "rss_peak(go-nethttp @ plaintext) in 10MB..50MB"
"#;
    let e = evaluate_text(claims, &[&a, &c2]);
    assert_eq!(claim(&e, "C1a").verdict, Verdict::Contradicted);
    let e = evaluate_text(claims, &[&c2, &a]);
    assert_eq!(claim(&e, "C1a").verdict, Verdict::Supported);
}

fn error(text: &str) -> String {
    ClaimsFile::parse(Path::new("claims/bad.toml"), text, Some(KNOWN))
        .unwrap_err()
        .to_string()
}

const HEAD: &str = "[[claim]]\nid = \"C1\"\nclaim = \"x\"\n";

#[test]
fn bad_claims_files_name_file_line_column_and_what_is_expected() {
    // Unknown metric: points at the metric inside the predicate string.
    let e = error(&format!(
        "{HEAD}predicate = \"rss_top(go-nethttp @ plaintext) < 10MB\"\n"
    ));
    assert!(
        e.starts_with("claims/bad.toml:4:14: key `predicate`: unknown metric \"rss_top\""),
        "{e}"
    );
    assert!(
        e.contains("rss_peak") && e.contains("bytes_per_idle_connection"),
        "{e}"
    );

    // Unknown server: points at the server name and lists the known ones.
    let e = error(&format!(
        "{HEAD}predicate = \"rss_peak(go-nethtp @ plaintext) < 10MB\"\n"
    ));
    assert!(
        e.starts_with("claims/bad.toml:4:23: key `predicate`: unknown server \"go-nethtp\""),
        "{e}"
    );
    assert!(e.contains("go-nethttp, java-httpserver"), "{e}");

    // Bad range: low above high; bound without its unit.
    let e = error(&format!(
        "{HEAD}predicate = \"rss_peak(go-nethttp @ plaintext) in 50MB..10MB\"\n"
    ));
    assert!(e.starts_with("claims/bad.toml:4:"), "{e}");
    assert!(e.contains("low end is above its high end"), "{e}");
    let e = error(&format!(
        "{HEAD}predicate = \"startup(go-nethttp @ plaintext) < 100\"\n"
    ));
    assert!(
        e.contains("claims/bad.toml:4:48") && e.contains("a time with its unit"),
        "{e}"
    );

    // Duplicate id: names the line of the first.
    let e = error(&format!(
        "{HEAD}not_testable = \"needs: x\"\n\n{HEAD}not_testable = \"needs: y\"\n"
    ));
    assert!(
        e.starts_with("claims/bad.toml:7:6: key `id`: duplicate id \"C1\": already used on line 2"),
        "{e}"
    );

    // Unknown id form, unknown key, neither test nor both, no scenario.
    let e = error("[[claim]]\nid = \"claim-1\"\nclaim = \"x\"\nnot_testable = \"y\"\n");
    assert!(
        e.starts_with("claims/bad.toml:2:6: key `id`") && e.contains("C4, C1a"),
        "{e}"
    );
    let e = error(&format!("{HEAD}predicat = \"p99(go-nethttp) < 1ms\"\n"));
    assert!(
        e.starts_with("claims/bad.toml:4:1: key `predicat`")
            && e.contains("unknown field")
            && e.contains("did you mean `predicate`?"),
        "{e}"
    );
    let e = error(HEAD);
    assert!(
        e.contains("neither `predicate`") && e.contains(":1:"),
        "{e}"
    );
    let e = error(&format!(
        "{HEAD}predicate = \"p99(go-nethttp) < 1ms\"\nnot_testable = \"y\"\n"
    ));
    assert!(e.contains("not both"), "{e}");
    let e = error(&format!("{HEAD}predicate = \"p99(go-nethttp) < 1ms\"\n"));
    assert!(
        e.starts_with("claims/bad.toml:4:18: key `predicate`: no scenario for go-nethttp"),
        "{e}"
    );
    let e = error("");
    assert!(e.contains("no claims"), "{e}");
}

#[test]
fn the_shipped_claims_file_parses_and_covers_c1_to_c15() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let registry = gauntlet::servers::Registry::from_dir(&root.join("reference-servers")).unwrap();
    let names = registry.names();
    let file = ClaimsFile::load(&root.join("claims/claims.toml"), Some(&names)).unwrap();
    for n in 1..=15 {
        let id = format!("C{n}");
        assert!(
            file.claims.iter().any(|c| c.id == id
                || (c.id.starts_with(&id)
                    && c.id[id.len()..].chars().all(|ch| ch.is_ascii_lowercase()))),
            "{id} missing from claims/claims.toml"
        );
    }
    // Every scenario a predicate needs is one of the claims suite's.
    let suite: Vec<String> = std::fs::read_dir(root.join("scenarios/claims"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let doc: toml::Table = std::fs::read_to_string(&p).unwrap().parse().unwrap();
            doc["name"].as_str().unwrap().to_string()
        })
        .collect();
    for c in &file.claims {
        for (scenario, _) in &c.needs {
            assert!(
                suite.contains(scenario),
                "{}: scenario {scenario} is not in scenarios/claims/ ({suite:?})",
                c.id
            );
        }
    }
}

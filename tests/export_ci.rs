//! CI-native outputs end to end: `bench --csv` holds the summary's figures,
//! `run --csv` one row per scenario × server, and `run --junit` one test case
//! per server and per threshold, a failed threshold a failure.

mod run_support;

use run_support::{text, Setup};

fn csv_records(path: &std::path::Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    let rows = reader.records().map(Result::unwrap).collect();
    (header, rows)
}

fn field<'a>(header: &csv::StringRecord, row: &'a csv::StringRecord, name: &str) -> &'a str {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    &row[i]
}

#[test]
fn run_writes_its_table_as_csv_and_thresholds_as_junit() {
    let s = Setup::new();
    s.server("hello", "fast-plaintext", &[], &[]);
    let scenario = s.scenario(
        "name = \"ci-export\"\nservers = [\"hello\"]\nduration = \"1s\"\nwarmup = \"0s\"\n\
         repetitions = 1\nstartup_samples = 1\n\
         thresholds = [\"p99 < 60s\", \"throughput > 1000000000\"]\n\
         [load]\nconnections = 2\n[[request]]\npath = \"/plaintext\"\n",
    );
    let csv_path = s.dir.path().join("run.csv");
    let junit = s.dir.path().join("run.xml");
    let out = s
        .command(&scenario)
        .arg("--csv")
        .arg(&csv_path)
        .arg("--junit")
        .arg(&junit)
        .output()
        .unwrap();
    // The impossible throughput threshold fails the run.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));

    let (header, rows) = csv_records(&csv_path);
    assert_eq!(rows.len(), 1);
    let result = s.result("ci-export", "hello");
    assert_eq!(field(&header, &rows[0], "scenario"), "ci-export");
    assert_eq!(field(&header, &rows[0], "server"), "hello");
    let throughput: f64 = field(&header, &rows[0], "throughput_rps").parse().unwrap();
    let measured = result.repetitions[0].load.throughput_rps;
    assert!(
        (throughput - measured).abs() < 0.01,
        "{throughput} vs {measured}"
    );
    assert!(field(&header, &rows[0], "failed_thresholds").contains("throughput"));

    let xml = std::fs::read_to_string(&junit).unwrap();
    // One case for the run, one per threshold; only the throughput one fails.
    assert!(xml.contains("tests=\"3\" failures=\"1\""), "{xml}");
    assert!(xml.contains("<testsuite name=\"ci-export\""), "{xml}");
    assert!(xml.contains("name=\"hello: ran\""), "{xml}");
    assert!(xml.contains("<failure message=\"throughput"), "{xml}");
}

#[test]
fn bench_writes_its_summary_as_csv() {
    let s = Setup::new();
    let exe = s.server("hello", "fast-plaintext", &[], &[]);
    let mut server = std::process::Command::new(&exe)
        .env("PORT", "0")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let port = line.trim().rsplit(':').next().unwrap().to_string();
    let csv_path = s.dir.path().join("bench.csv");
    let json = s.dir.path().join("bench.json");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .arg("bench")
        .arg(format!("http://127.0.0.1:{port}/plaintext"))
        .args(["-c", "2", "-d", "1s", "-q", "--csv"])
        .arg(&csv_path)
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report: gauntlet::results::LoadReport = gauntlet::results::read_json(&json).unwrap();
    let (header, rows) = csv_records(&csv_path);
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(field(&header, row, "requests"), report.requests.to_string());
    assert_eq!(
        field(&header, row, "successes"),
        report.successes.to_string()
    );
    assert_eq!(
        field(&header, row, "p99_us"),
        report.latency.p99_us.to_string()
    );
    assert_eq!(field(&header, row, "model"), "closed");
}

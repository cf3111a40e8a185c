//! Rendering tests of `gauntlet report` on the synthetic result folders in
//! tests/fixtures/: every chart is drawn and well-formed, marks for failed
//! and generator-limited figures show, the Markdown summary is stable, and
//! bad input gets exit code 2 with a message naming the path.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn render(inputs: &[PathBuf], png: bool) -> (tempfile::TempDir, Vec<PathBuf>) {
    let out = tempfile::tempdir().expect("tempdir");
    let written = gauntlet::report::render(inputs, out.path(), png).expect("render");
    (out, written.files)
}

/// Parses `text` as XML and fails the test on the first error; returns the
/// number of elements.
fn assert_well_formed(name: &str, text: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth = 0i64;
    let mut elements = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => {
                depth += 1;
                elements += 1;
            }
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Empty(_)) => elements += 1,
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "{name} is not well-formed XML at {}: {e}",
                reader.error_position()
            ),
        }
    }
    assert_eq!(depth, 0, "{name}: unclosed elements");
    elements
}

const PER_SCENARIO: [&str; 7] = [
    "throughput",
    "latency-spectrum",
    "latency-over-time",
    "throughput-over-time",
    "rss-over-time",
    "memory",
    "efficiency",
];

#[test]
fn every_chart_renders_as_well_formed_svg_with_titles_and_series() {
    let (out, written) = render(&[fixture("two-servers")], false);
    let mut expected: Vec<String> = ["plaintext", "json"]
        .iter()
        .flat_map(|s| PER_SCENARIO.iter().map(move |c| format!("{c}-{s}.svg")))
        .collect();
    expected.push("startup.svg".into());
    for name in &expected {
        let path = out.path().join(name);
        assert!(written.contains(&path), "{name} not reported as written");
        let svg = fs::read_to_string(&path).expect("read svg");
        let elements = assert_well_formed(name, &svg);
        assert!(
            elements > 20,
            "{name} has only {elements} elements: nothing drawn?"
        );
        assert!(svg.starts_with("<svg"), "{name} does not start with <svg");
        for server in ["rust-hyper", "go-nethttp"] {
            assert!(svg.contains(server), "{name} does not name {server}");
        }
    }
    let spectrum = fs::read_to_string(out.path().join("latency-spectrum-plaintext.svg")).unwrap();
    for label in [
        "99.999%",
        "99.9%",
        "percentile (log scale)",
        "latency (ms, log scale)",
        "service time",
        "latency (corrected)",
    ] {
        assert!(spectrum.contains(label), "spectrum lacks {label:?}");
    }
    // the same server has the same colour in every chart (rust-hyper orange, go cyan)
    for name in &expected {
        let svg = fs::read_to_string(out.path().join(name)).unwrap();
        assert!(
            svg.contains("#F28E2B"),
            "{name} does not use rust-hyper's colour"
        );
        assert!(
            svg.contains("#179EC8"),
            "{name} does not use go-nethttp's colour"
        );
    }
    assert!(out.path().join("index.html").is_file());
    assert!(out.path().join("summary.md").is_file());
}

#[test]
fn html_is_self_contained_with_every_chart_inlined_and_the_environment() {
    let (out, _) = render(&[fixture("two-servers")], false);
    let html = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), 15, "every chart inlined once");
    assert!(!html.contains("<script"), "no JavaScript needed");
    assert!(!html.contains("<link"), "no external stylesheet");
    assert!(!html.contains("src=\"http"), "no network resource");
    for text in [
        "fixture-host",
        "6.1.0-fixture-amd64",
        "rustc 1.82.0",
        "fixture00000",
        "Ranking",
        "Thresholds",
        "✘ fail",
        "✔ pass",
    ] {
        assert!(html.contains(text), "index.html lacks {text:?}");
    }
}

#[test]
fn failed_and_skipped_servers_render_with_their_mark() {
    let (out, _) = render(&[fixture("failed-server")], false);
    let bars = fs::read_to_string(out.path().join("throughput-plaintext.svg")).unwrap();
    assert!(
        bars.contains("FAILED"),
        "failed server not marked on the throughput chart"
    );
    assert!(
        bars.contains("SKIPPED"),
        "skipped server not marked on the throughput chart"
    );
    let spectrum = fs::read_to_string(out.path().join("latency-spectrum-plaintext.svg")).unwrap();
    assert!(
        spectrum.contains("node-http [FAILED]"),
        "failed server's curve not marked"
    );
    let memory = fs::read_to_string(out.path().join("memory-plaintext.svg")).unwrap();
    assert!(memory.contains("FAILED"));
    let html = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(html.contains("FAILED: exited with signal 9 during repetition 2"));
    assert!(html.contains("SKIPPED: toolchain missing"));
}

#[test]
fn generator_limited_figures_are_marked_not_drawn_clean() {
    let (out, _) = render(&[fixture("generator-limited")], false);
    let bars = fs::read_to_string(out.path().join("throughput-plaintext.svg")).unwrap();
    assert_eq!(
        bars.matches("generator-bound").count(),
        1,
        "exactly the limited server is marked"
    );
    let spectrum = fs::read_to_string(out.path().join("latency-spectrum-plaintext.svg")).unwrap();
    assert!(spectrum.contains("rust-hyper [generator-bound]"));
    assert!(!spectrum.contains("go-nethttp [generator-bound]"));
    assert!(
        spectrum.contains("rust-hyper: generator-bound (a lower bound)"),
        "no banner"
    );
    let md = fs::read_to_string(out.path().join("summary.md")).unwrap();
    assert!(
        md.contains("generator-bound (generator 97 % busy): a lower bound of the server's capacity, not ranked"),
        "{md}"
    );
    // The faster but generator-bound rust-hyper is listed below go-nethttp, unranked.
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
    assert!(rows[2].starts_with("| 1 | go-nethttp"), "{md}");
    assert!(rows[3].starts_with("| – | rust-hyper"), "{md}");
}

#[test]
fn markdown_summary_of_a_clean_run() {
    let (out, _) = render(&[fixture("two-servers")], false);
    insta::assert_snapshot!(fs::read_to_string(out.path().join("summary.md")).unwrap());
}

#[test]
fn markdown_summary_of_a_run_with_a_failed_server() {
    let (out, _) = render(&[fixture("failed-server")], false);
    insta::assert_snapshot!(fs::read_to_string(out.path().join("summary.md")).unwrap());
}

/// A copy of the two-servers plaintext results in which each server's
/// repetitions have the given throughputs.
fn with_throughputs(servers: &[(&str, [f64; 3])]) -> tempfile::TempDir {
    let run = tempfile::tempdir().unwrap();
    for (server, rps) in servers {
        let name = format!("plaintext__{server}.json");
        let text = fs::read_to_string(fixture("two-servers").join(&name)).unwrap();
        let mut result: serde_json::Value = serde_json::from_str(&text).unwrap();
        let reps = result["repetitions"].as_array_mut().unwrap();
        assert_eq!(reps.len(), rps.len());
        // One repetition peaks far above the others: 20, 60, 30 MiB.
        for ((rep, v), peak_mib) in reps.iter_mut().zip(rps).zip([20u64, 60, 30]) {
            rep["load"]["throughput_rps"] = serde_json::json!(v);
            rep["server"]["peak_rss_bytes"] = serde_json::json!(peak_mib << 20);
        }
        fs::write(run.path().join(name), result.to_string()).unwrap();
    }
    run
}

#[test]
fn ranking_and_figures_follow_the_median_like_the_run_table_not_the_mean() {
    // rust-hyper has one fast outlier: mean 10 033 but median 9 100, below
    // go-nethttp's 9 600 (mean and median alike). By the mean it would rank first.
    let run = with_throughputs(&[
        ("rust-hyper", [9_000.0, 12_000.0, 9_100.0]),
        ("go-nethttp", [9_500.0, 9_600.0, 9_700.0]),
    ]);
    let data = gauntlet::report::model::ReportData::load(&[run.path().to_path_buf()]).unwrap();
    let ranked: Vec<(Option<usize>, &str)> = gauntlet::report::model::ranking(&data, "plaintext")
        .into_iter()
        .map(|(rank, e)| (rank, e.result.server.name.as_str()))
        .collect();
    assert_eq!(ranked, [(Some(1), "go-nethttp"), (Some(2), "rust-hyper")]);
    // the report's headline figure is the one `gauntlet run` prints
    for e in &data.entries {
        let row = gauntlet::scenario::summary::Row::from_result(&e.result);
        assert_eq!(
            e.summary.throughput.map(|t| t.median),
            row.throughput_rps,
            "{}",
            e.result.server.name
        );
        assert_eq!(
            e.summary.peak_rss.map(|b| b as f64),
            row.peak_rss_bytes,
            "peak RSS of {}",
            e.result.server.name
        );
    }

    let (out, _) = render(&[run.path().to_path_buf()], false);
    let md = fs::read_to_string(out.path().join("summary.md")).unwrap();
    for row in [
        "| 1 | go-nethttp | 9 600 (9 500–9 700, n=3) |",
        "| 2 | rust-hyper | 9 100 (9 000–12 000, n=3) |",
    ] {
        assert!(md.contains(row), "summary.md lacks {row:?}: {md}");
    }
    assert!(!md.contains("10 033"), "the mean is shown: {md}");
    assert!(
        md.contains("| 30.0 MiB |") && !md.contains("60.0 MiB"),
        "peak RSS is not the median of the repetitions' peaks: {md}"
    );
    let html = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(html.contains("9 100 (9 000–12 000, n=3)"));
    let bars = fs::read_to_string(out.path().join("throughput-plaintext.svg")).unwrap();
    for label in ["9.1k req/s (n=3)", "9.6k req/s (n=3)"] {
        assert!(bars.contains(label), "no median bar label {label:?}");
    }
    assert!(!bars.contains("10k req/s"), "bar label shows the mean");
    assert!(bars.contains("median throughput (requests/s)"));
}

#[test]
fn png_charts_carry_rendered_text() {
    let (out, written) = render(&[fixture("generator-limited")], true);
    let png = out.path().join("throughput-plaintext.png");
    assert!(written.contains(&png));
    let img = image::open(&png).expect("decode png").to_rgb8();
    assert_eq!(img.dimensions(), (960, 520));
    // the title is drawn in black near the top centre: without a font there is no ink there
    let dark = (0..40)
        .flat_map(|y| (300..660).map(move |x| (x, y)))
        .filter(|&(x, y)| img.get_pixel(x, y).0.iter().all(|c| *c < 80))
        .count();
    assert!(
        dark > 100,
        "no title text in the PNG ({dark} dark pixels): is a font installed?"
    );
}

#[test]
fn several_runs_and_single_files_render_side_by_side() {
    let single = fixture("generator-limited").join("plaintext__go-nethttp.json");
    let (out, _) = render(&[fixture("two-servers"), single], false);
    let bars = fs::read_to_string(out.path().join("throughput-plaintext.svg")).unwrap();
    assert!(bars.contains("rust-hyper (run 1)"));
    assert!(bars.contains("go-nethttp (run 2)"));
    let md = fs::read_to_string(out.path().join("summary.md")).unwrap();
    assert!(md.contains("**Run 2**: 2026-11-22T12-00-00Z-generator-limited"));
    assert!(md.contains("# Gauntlet report: 2026-11-22T10-00-00Z-two-servers vs 2026-11-22T12-00-00Z-generator-limited"));
}

#[test]
fn the_runtime_by_endpoint_matrix_compares_only_what_the_server_bounded() {
    let (out, _) = render(
        &[fixture("two-servers"), fixture("generator-limited")],
        false,
    );
    let md = fs::read_to_string(out.path().join("summary.md")).unwrap();
    let html = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(
        html.contains("id=\"matrix\""),
        "the matrix section is on the page"
    );
    assert!(
        html.find("id=\"matrix\"").unwrap() < html.find("id=\"scenario-1\"").unwrap(),
        "the matrix stands above the per-scenario sections"
    );
    let throughput = md
        .split("**Throughput")
        .nth(1)
        .and_then(|t| t.split("**Requests per server CPU-second").next())
        .expect("a throughput matrix in summary.md");
    let row = |label: &str| {
        throughput
            .lines()
            .find(|l| l.starts_with(&format!("| {label} |")))
            .unwrap_or_else(|| panic!("no row {label} in {throughput}"))
            .to_string()
    };
    // The generator-limited run is shown with what bounded it, never as a share.
    let limited = row("rust-hyper (run 2)");
    assert!(limited.contains("_generator-bound_"), "{limited}");
    assert!(!limited.contains('%'), "{limited}");
    // Run 2 has no json scenario: its cell is a dash, not a zero.
    assert!(limited.ends_with("| – |"), "{limited}");
    // The best comparable server of each column is 100 %.
    assert!(row("rust-hyper (run 1)").contains("**100 %**"));
    let efficiency = md.split("**Requests per server CPU-second").nth(1).unwrap();
    let limited_eff = efficiency
        .lines()
        .find(|l| l.starts_with("| rust-hyper (run 2) |"))
        .unwrap();
    assert!(
        limited_eff.contains(" %**"),
        "requests per CPU-second is compared for a clean run even when its throughput is not: {limited_eff}"
    );
}

#[test]
fn cli_writes_the_report_and_names_bad_input() {
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("gauntlet")
        .unwrap()
        .arg("report")
        .arg(fixture("two-servers"))
        .arg("--out")
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("index.html"));
    assert!(out.path().join("index.html").is_file());

    Command::cargo_bin("gauntlet")
        .unwrap()
        .args(["report", "no/such/run", "--out"])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/run does not exist"));

    let bogus = out.path().join("bogus.json");
    fs::write(&bogus, "{\"hello\": 1}").unwrap();
    Command::cargo_bin("gauntlet")
        .unwrap()
        .arg("report")
        .arg(&bogus)
        .arg("--out")
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bogus.json is not a Gauntlet result file",
        ));
}

#[test]
fn a_crashed_run_missing_a_listed_result_renders_what_is_there() {
    let run = tempfile::tempdir().unwrap();
    let src = fixture("two-servers");
    for name in [
        "manifest.json",
        "plaintext__rust-hyper.json",
        "json__rust-hyper.json",
    ] {
        fs::copy(src.join(name), run.path().join(name)).unwrap();
    }
    let (out, _) = render(&[run.path().to_path_buf()], false);
    let md = fs::read_to_string(out.path().join("summary.md")).unwrap();
    assert!(md.contains("**Missing results**"), "{md}");
    assert!(md.contains("plaintext__go-nethttp.json"));
    assert!(md.contains("| 1 | rust-hyper |"));
    let html = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(html.contains("listed in the manifest but not found"));
}

#[test]
fn cli_defaults_to_reports_run_id() {
    let cwd = tempfile::tempdir().unwrap();
    Command::cargo_bin("gauntlet")
        .unwrap()
        .current_dir(cwd.path())
        .arg("report")
        .arg(fixture("generator-limited"))
        .assert()
        .success();
    assert!(cwd
        .path()
        .join("reports/2026-11-22T12-00-00Z-generator-limited/index.html")
        .is_file());
}

/// The numeric labels of an SVG chart, keyed by text and (coarse) position,
/// with how often each is drawn.
fn numeric_labels(svg: &str) -> std::collections::HashMap<(String, i64, i64), usize> {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut at = None;
    let mut counts = std::collections::HashMap::new();
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) if e.name().as_ref() == b"text" => {
                let attr = |key: &[u8]| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == key)
                        .and_then(|a| String::from_utf8_lossy(&a.value).parse::<f64>().ok())
                };
                at = attr(b"x").zip(attr(b"y"));
            }
            Ok(quick_xml::events::Event::Text(t)) => {
                let text = t
                    .unescape()
                    .map(|t| t.trim().to_string())
                    .unwrap_or_default();
                if let Some((x, y)) = at.take() {
                    if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || c == '.') {
                        *counts
                            .entry((text, (x / 8.0) as i64, (y / 8.0) as i64))
                            .or_insert(0) += 1;
                    }
                }
            }
            Ok(quick_xml::events::Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    counts
}

#[test]
fn no_axis_label_is_drawn_twice_one_over_the_other() {
    // The committed sample run: its latency axes span one to two decades,
    // where plotters' own 1-2-5 labels once landed on top of ours.
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/sample/results");
    let (out, written) = render(&[sample], false);
    let mut log_charts = 0;
    for path in written
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
    {
        let svg = fs::read_to_string(path).unwrap();
        let labels = numeric_labels(&svg);
        let twice: Vec<_> = labels.iter().filter(|(_, n)| **n > 1).collect();
        assert!(
            twice.is_empty(),
            "{}: drawn twice: {twice:?}",
            path.display()
        );
        if svg.contains("log scale") {
            log_charts += 1;
        }
    }
    assert!(
        log_charts >= 8,
        "only {log_charts} log-scale charts in {out:?}"
    );
}

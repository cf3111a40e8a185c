//! Every ready-made scenario parses, and every kind of mistake in a scenario
//! is rejected with the file, line, column, key and what was expected.

use std::path::Path;
use std::time::Duration;

use gauntlet::load::plan::Schedule;
use gauntlet::scenario::{Overrides, Scenario};

const KNOWN: &[&str] = &[
    "go-nethttp",
    "java-httpserver",
    "node-http",
    "python-uvicorn",
    "rust-hyper",
    "rust-hyper-single",
    "rust-threads",
];

fn parse(text: &str) -> Result<Scenario, String> {
    Scenario::parse(Path::new("bad.toml"), text, &Overrides::default(), KNOWN)
        .map_err(|e| e.to_string())
}

fn error_of(text: &str) -> String {
    parse(text).expect_err("the scenario should be rejected")
}

const MINIMAL: &str = "servers = [\"rust-hyper\"]\n[[request]]\npath = \"/plaintext\"\n";

/// The names of the scenarios in one folder, sorted; every one must parse.
fn scenario_names(dir: &Path) -> Vec<String> {
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let scenario = Scenario::load(&path, &Overrides::default(), KNOWN)
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(!scenario.servers.is_empty());
            seen.push(scenario.info.name.clone());
        }
    }
    seen.sort();
    seen
}

#[test]
fn every_ready_made_scenario_parses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    assert_eq!(
        scenario_names(&dir),
        ["capacity", "concurrency", "fanout", "mixed", "quick"]
    );
    let capacity =
        Scenario::load(&dir.join("capacity.toml"), &Overrides::default(), KNOWN).unwrap();
    assert_eq!(capacity.servers.len(), 7);
    let spec = capacity.capacity.expect("a capacity search");
    let slo: Vec<&str> = spec.slo.iter().map(|t| t.expression.as_str()).collect();
    assert_eq!(slo, ["p99 < 10ms", "error_rate < 0.001"]);
    assert_eq!(spec.time_limit, std::time::Duration::from_secs(45));
    assert_eq!(
        scenario_names(&dir.join("runtimes")),
        [
            "alloc",
            "cpu",
            "echo",
            "echo-64k",
            "fanout",
            "json",
            "plaintext",
            "sleep"
        ]
    );
}

#[test]
fn the_per_endpoint_suites_run_one_kind_of_work_each_against_all_seven() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/runtimes");
    for name in [
        "alloc",
        "cpu",
        "echo",
        "echo-64k",
        "fanout",
        "json",
        "plaintext",
        "sleep",
    ] {
        let s = Scenario::load(
            &dir.join(format!("{name}.toml")),
            &Overrides::default(),
            KNOWN,
        )
        .unwrap();
        assert_eq!(s.servers.len(), 7, "{name}");
        assert_eq!(s.requests.len(), 1, "{name}: one endpoint per scenario");
    }
    let sleep = Scenario::load(&dir.join("sleep.toml"), &Overrides::default(), KNOWN).unwrap();
    assert!(sleep.connections >= 5000, "sleep runs at high concurrency");
    let big = Scenario::load(&dir.join("echo-64k.toml"), &Overrides::default(), KNOWN).unwrap();
    let body = &big.requests[0].body;
    assert!(
        (60_000..=65_536).contains(&body.len()),
        "{} bytes",
        body.len()
    );
    serde_json::from_slice::<serde_json::Value>(body).expect("the 64 KiB body is JSON");
}

#[test]
fn body_file_is_read_relative_to_the_scenario_and_mistakes_are_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.json"), "{\"a\":1}").unwrap();
    let file = dir.path().join("s.toml");
    let text = format!("{MINIMAL}body_file = \"b.json\"\n");
    std::fs::write(&file, &text).unwrap();
    let s = Scenario::load(&file, &Overrides::default(), KNOWN).unwrap();
    assert_eq!(&s.requests[0].body[..], b"{\"a\":1}");

    let missing = format!("{MINIMAL}body_file = \"nope.json\"\n");
    let err = error_of(&missing);
    assert!(err.contains("bad.toml:4:"), "{err}");
    assert!(err.contains("request.body_file"), "{err}");
    assert!(err.contains("nope.json"), "{err}");
    let both = format!("{MINIMAL}body = \"x\"\nbody_file = \"b.json\"\n");
    assert!(error_of(&both).contains("not both"), "{}", error_of(&both));
}

#[test]
fn quick_runs_only_the_rust_servers_and_runtimes_all_seven() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let quick = Scenario::load(&dir.join("quick.toml"), &Overrides::default(), KNOWN).unwrap();
    assert_eq!(
        quick.servers,
        ["rust-hyper", "rust-hyper-single", "rust-threads"]
    );
    let runtimes = Scenario::load(&dir.join("mixed.toml"), &Overrides::default(), KNOWN).unwrap();
    assert_eq!(runtimes.servers.len(), 7);
    let fanout = Scenario::load(&dir.join("fanout.toml"), &Overrides::default(), KNOWN).unwrap();
    assert!(fanout.upstream.is_some());
    assert!(fanout.requests[0].path.contains("n=800&deadline_ms=200"));
}

#[test]
fn defaults_fill_what_is_not_written() {
    let s = parse(MINIMAL).unwrap();
    assert_eq!(s.info.name, "bad");
    assert_eq!(s.duration, Duration::from_secs(10));
    assert_eq!(s.repetitions, 1);
    assert_eq!(s.startup_samples, 5);
    assert_eq!(s.sample_interval, Duration::from_millis(100));
    assert_eq!(s.schedule, Schedule::Closed);
    assert_eq!(s.requests[0].method, "GET");
    let cpus = gauntlet::cpus::CpuSet::current().unwrap();
    if cpus.len() >= 2 {
        let server = s.server_cpus.expect("pinned by default");
        let loadgen = s.loadgen_cpus.expect("pinned by default");
        assert_eq!(server.cpus()[0], cpus.cpus()[0]);
        assert!(!loadgen.cpus().contains(&cpus.cpus()[0]));
    } else {
        assert!(s.placement_note.unwrap().contains("not pinned"));
    }
}

#[test]
fn all_means_every_known_server_and_overrides_win() {
    let text = MINIMAL.replace("[\"rust-hyper\"]", "\"all\"");
    assert_eq!(parse(&text).unwrap().servers.len(), KNOWN.len());
    let overrides = Overrides {
        servers: vec!["go-nethttp".into()],
        duration: Some(Duration::from_secs(3)),
        repetitions: Some(4),
    };
    let s = Scenario::parse(Path::new("x.toml"), MINIMAL, &overrides, KNOWN).unwrap();
    assert_eq!(s.servers, ["go-nethttp"]);
    assert_eq!(s.duration, Duration::from_secs(3));
    assert_eq!(s.repetitions, 4);
}

#[test]
fn unknown_server_lists_the_known_ones_with_its_place() {
    let err = error_of("servers = [\"rust-hyperr\"]\n[[request]]\npath = \"/\"\n");
    assert!(err.starts_with("bad.toml:1:11: key `servers`"), "{err}");
    assert!(err.contains("unknown server \"rust-hyperr\""), "{err}");
    assert!(err.contains("known servers: go-nethttp"), "{err}");
    let overrides = Overrides {
        servers: vec!["nope".into()],
        ..Overrides::default()
    };
    let err = Scenario::parse(Path::new("x.toml"), MINIMAL, &overrides, KNOWN)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("--servers") && err.contains("rust-threads"),
        "{err}"
    );
}

#[test]
fn unknown_keys_are_errors_not_ignored() {
    let err = error_of(&format!("{MINIMAL}colour = \"red\"\n"));
    assert!(err.contains("bad.toml:4:1"), "{err}");
    assert!(err.contains("unknown field `colour`"), "{err}");
    let err = error_of(&format!("[load]\nconection = 3\n{MINIMAL}"));
    assert!(err.contains("bad.toml:2:1: key `conection`"), "{err}");
    assert!(err.contains("expected one of"), "{err}");
    assert!(err.contains("did you mean `connections`?"), "{err}");
    let err = error_of(&format!("{MINIMAL}colour = \"red\"\n"));
    assert!(
        !err.contains("did you mean"),
        "no near miss for colour: {err}"
    );
}

#[test]
fn wrong_types_name_the_key_and_the_expected_type() {
    let err = error_of(&format!("repetitions = \"three\"\n{MINIMAL}"));
    assert!(err.contains("bad.toml:1:15: key `repetitions`"), "{err}");
    assert!(err.contains("expected i64"), "{err}");
}

#[test]
fn malformed_toml_says_where() {
    let err = error_of("servers = [\"rust-hyper\"\n");
    assert!(err.starts_with("bad.toml:"), "{err}");
    assert!(err.contains(":1:") || err.contains(":2:"), "{err}");
}

#[test]
fn bad_values_say_what_is_expected() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "duration = \"ten\"\n",
            "bad.toml:1:12: key `duration`",
            "like \"10s\"",
        ),
        ("duration = \"0s\"\n", "key `duration`", "longer than 0s"),
        (
            "warmup = \"1 fortnight\"\n",
            "key `warmup`",
            "not a duration",
        ),
        ("repetitions = 0\n", "key `repetitions`", "from 1 to 1000"),
        ("startup_samples = -1\n", "key `startup_samples`", "from 0"),
        (
            "sample_interval = \"10us\"\n",
            "key `sample_interval`",
            "at least \"1ms\"",
        ),
        (
            "server_cpus = \"a\"\n",
            "key `server_cpus`",
            "expected a list like",
        ),
        (
            "server_cpus = \"1000\"\n",
            "key `server_cpus`",
            "not available here",
        ),
        (
            "thresholds = [\"p98 < 1ms\"]\n",
            "key `thresholds`",
            "unknown metric",
        ),
        (
            "thresholds = [\"p99 < soon\"]\n",
            "key `thresholds`",
            "duration",
        ),
        ("name = \"a b\"\n", "key `name`", "letters, digits"),
        (
            "servers = 3\n",
            "key `servers`",
            "\"all\", \"tier:stdlib\", \"tier:framework\" or a non-empty list",
        ),
        ("servers = []\n", "key `servers`", "non-empty list"),
        (
            "[upstream]\ndelay = \"9ms..1ms\"\n",
            "key `upstream.delay`",
            "runs backwards",
        ),
    ];
    for (line, place, expected) in cases {
        let text = if line.starts_with("servers") {
            format!("{line}[[request]]\npath = \"/\"\n")
        } else if line.starts_with('[') {
            format!("{MINIMAL}{line}")
        } else {
            format!("{line}{MINIMAL}")
        };
        let err = error_of(&text);
        assert!(err.contains(place), "{line}: {err}");
        assert!(err.contains(expected), "{line}: {err}");
    }
}

#[test]
fn bad_requests_say_what_is_expected() {
    let base = "servers = \"all\"\n[[request]]\n";
    let cases: &[(&str, &str, &str)] = &[
        (
            "path = \"plaintext\"\n",
            "bad.toml:3:8: key `request.path`",
            "starting with `/`",
        ),
        (
            "path = \"/\"\nmethod = \"get\"\n",
            "key `request.method`",
            "upper-case",
        ),
        (
            "path = \"/\"\nweight = 0\n",
            "key `request.weight`",
            "from 1",
        ),
        (
            "path = \"/\"\nexpect_status = 42\n",
            "key `request.expect_status`",
            "from 100 to 599",
        ),
        (
            "path = \"/\"\nheaders = { Host = \"x\" }\n",
            "key `request.headers`",
            "set by Gauntlet",
        ),
        (
            "method = \"GET\"\n",
            "key `request`",
            "missing field `path`",
        ),
    ];
    for (body, place, expected) in cases {
        let err = error_of(&format!("{base}{body}"));
        assert!(err.contains(place), "{body}: {err}");
        assert!(err.contains(expected), "{body}: {err}");
    }
    let err = error_of("servers = \"all\"\n");
    assert!(
        err.contains("request") && err.contains("at least one [[request]]"),
        "{err}"
    );
    let err = error_of("[[request]]\npath = \"/\"\n");
    assert!(err.contains("servers: missing"), "{err}");
}

#[test]
fn load_shapes_are_checked() {
    let s = parse(&format!("{MINIMAL}[load]\nconnections = 8\nrate = 500.0\n")).unwrap();
    assert_eq!(s.schedule, Schedule::OpenConstant { rate: 500.0 });
    assert_eq!(s.connections, 8);
    let staged = format!(
        "{MINIMAL}[load]\nconnections = 100\nstages = [{{ duration = \"2s\", connections = 10 }}, {{ duration = \"3s\", connections = 100 }}]\n"
    );
    let s = parse(&staged).unwrap();
    assert_eq!(s.duration, Duration::from_secs(5));
    assert!(matches!(s.schedule, Schedule::ClosedStages(ref st) if st.len() == 2));
    let cases: &[(&str, &str, &str)] = &[
        ("rate = 0.0\n", "key `load.rate`", "above 0"),
        ("connections = 0\n", "key `load.connections`", "from 1"),
        ("rate = 5.0\nstages = [{ duration = \"1s\", rate = 5.0 }]\n", "key `load.rate`", "not both"),
        ("stages = [{ duration = \"1s\", rate = 5.0 }, { duration = \"1s\", connections = 2 }]\n", "key `load.stages`", "exactly one of `rate`"),
        ("connections = 4\nstages = [{ duration = \"1s\", connections = 10 }]\n", "key `load.stages.connections`", "raise load.connections"),
        ("stages = [{ duration = \"soon\", rate = 5.0 }]\n", "key `load.stages.duration`", "not a duration"),
    ];
    for (body, place, expected) in cases {
        let err = error_of(&format!("{MINIMAL}[load]\n{body}"));
        assert!(err.contains(place), "{body}: {err}");
        assert!(err.contains(expected), "{body}: {err}");
    }
    let err = error_of(&format!(
        "duration = \"5s\"\n{MINIMAL}[load]\nstages = [{{ duration = \"1s\", rate = 5.0 }}]\n"
    ));
    assert!(
        err.contains("key `duration`") && err.contains("stages"),
        "{err}"
    );
    let overrides = Overrides {
        duration: Some(Duration::from_secs(1)),
        ..Overrides::default()
    };
    let err = Scenario::parse(Path::new("x.toml"), &staged, &overrides, KNOWN)
        .unwrap_err()
        .to_string();
    assert!(err.contains("--duration"), "{err}");
}

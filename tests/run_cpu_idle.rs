//! `gauntlet run` end to end on the two figures that were easy to misread:
//! requests per CPU-second of a light open-model run (a server whose CPU
//! cost per request is known) and memory per idle connection against a
//! server that closes idle connections beyond a known cap.

mod run_support;
use run_support::{text, Setup};

/// One server (a copied test server behind a manifest) and one scenario.
fn setup(
    name: &str,
    bin: &str,
    env: &[(&str, &str)],
    scenario: &str,
) -> (Setup, std::path::PathBuf) {
    let s = Setup::new();
    s.server(name, bin, env, &[]);
    let file = s.scenario(scenario);
    (s, file)
}

#[test]
fn a_light_open_model_run_reads_the_known_cpu_cost_not_zero() {
    // 10 requests a second for 2 s, each costing the server 2 ms of CPU:
    // about 40 ms of CPU, 4 of /proc's 10 ms ticks, which read it as 0 to
    // 50 % off. The CPU-time clock reads it: at most 500 requests per
    // CPU-second (a little less for parsing and writing).
    let (s, scenario) = setup(
        "burn",
        "cpu-burn",
        &[("BURN_MS", "2")],
        "name = \"light\"\nservers = \"all\"\nduration = \"2s\"\nwarmup = \"0s\"\n\
         repetitions = 2\nstartup_samples = 1\n[load]\nconnections = 2\nrate = 10\n\
         [[request]]\npath = \"/burn\"\n",
    );
    let out = s.command(&scenario).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let r = s.result("light", "burn");
    assert_eq!(r.repetitions.len(), 2);
    for rep in &r.repetitions {
        let usage = rep.server.as_ref().unwrap();
        assert!(rep.load.requests >= 10, "{}", rep.load.requests);
        assert!(!usage.cpu_below_resolution, "{usage:?}");
        let per_cpu = usage.requests_per_cpu().unwrap();
        assert!(
            (375.0..=505.0).contains(&per_cpu),
            "{per_cpu} requests per CPU-s for {} requests in {} CPU-s; expected ~490",
            rep.load.requests,
            usage.cpu_s
        );
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let row = stdout.lines().find(|l| l.contains("burn")).unwrap();
    assert!(!row.contains("below resolution"), "{row}");
}

#[test]
fn idle_memory_is_charged_to_the_connections_the_server_held() {
    // The server keeps 50 idle connections and closes the rest after
    // answering them: of 200 asked for, 50 are held.
    let (s, scenario) = setup(
        "capped",
        "idle-cap",
        &[("IDLE_CAP", "50")],
        "name = \"idle\"\nservers = \"all\"\nduration = \"1s\"\nwarmup = \"0s\"\n\
         repetitions = 1\nstartup_samples = 1\nidle_connections = 200\n[load]\nconnections = 2\n\
         [[request]]\npath = \"/plaintext\"\nexpect_body = \"Hello, World!\"\n",
    );
    let out = s.command(&scenario).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let idle = s.result("idle", "capped").idle_connections.unwrap();
    assert_eq!(
        (idle.requested, idle.opened, idle.held),
        (200, 200, Some(50))
    );
    let growth = idle.rss_after_bytes.saturating_sub(idle.rss_before_bytes) as f64;
    assert_eq!(idle.bytes_per_connection, growth / 50.0);
    let said = "200 requested, 50 held: the server closed 150";
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(said), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(said), "{}", text(&out));
}

//! `gauntlet run` end to end on the two figures that were easy to misread:
//! requests per CPU-second of a light open-model run (a server whose CPU
//! cost per request is known) and memory per idle connection against a
//! server that closes idle connections beyond a known cap.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use gauntlet::results::{read_json, ServerRunResult};

/// Builds crates/testservers once and returns its target folder.
fn testservers_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let status = Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "gauntlet-testservers"])
            .current_dir(root)
            .status()
            .expect("cargo build -p gauntlet-testservers");
        assert!(status.success());
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"));
        target.join("debug")
    })
}

/// A temporary folder with one server (a copied test server binary behind a
/// manifest) and one scenario, run with the real `gauntlet` binary.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new(name: &str, bin: &str, env: &[(&str, &str)], scenario: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("servers").join(name);
        std::fs::create_dir_all(&folder).unwrap();
        let exe = folder.join(format!("{name}-bin"));
        std::fs::copy(testservers_dir().join(bin), &exe).unwrap();
        let env: String = env
            .iter()
            .map(|(k, v)| format!("{k} = \"{v}\"\n"))
            .collect();
        std::fs::write(
            folder.join("server.toml"),
            format!(
                "name = \"{name}\"\nlanguage = \"Rust\"\nruntime = \"test\"\n\
                 concurrency_model = \"thread per connection\"\nrequires = []\n\
                 version_command = [\"sh\", \"-c\", \"echo test-runtime 1.0\"]\n\
                 run = [\"{}\"]\n[env]\n{env}",
                exe.display()
            ),
        )
        .unwrap();
        std::fs::write(dir.path().join("s.toml"), scenario).unwrap();
        Setup { dir }
    }

    fn run(&self) -> Output {
        Command::new(env!("CARGO_BIN_EXE_gauntlet"))
            .arg("run")
            .arg(self.dir.path().join("s.toml"))
            .arg("--out")
            .arg(self.dir.path().join("results"))
            .arg("--no-report")
            .current_dir(self.dir.path())
            .env("GAUNTLET_SERVERS_DIR", self.dir.path().join("servers"))
            .env_remove("GAUNTLET_REQUIRE_RUNTIMES")
            .output()
            .unwrap()
    }

    fn result(&self, scenario: &str, server: &str) -> ServerRunResult {
        let path = self
            .dir
            .path()
            .join("results")
            .join(format!("{scenario}__{server}.json"));
        read_json(&path).unwrap()
    }
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_light_open_model_run_reads_the_known_cpu_cost_not_zero() {
    // 10 requests a second for 2 s, each costing the server 2 ms of CPU:
    // about 40 ms of CPU, 4 of /proc's 10 ms ticks, which read it as 0 to
    // 50 % off. The CPU-time clock reads it: at most 500 requests per
    // CPU-second (a little less for parsing and writing).
    let s = Setup::new(
        "burn",
        "cpu-burn",
        &[("BURN_MS", "2")],
        "name = \"light\"\nservers = \"all\"\nduration = \"2s\"\nwarmup = \"0s\"\n\
         repetitions = 2\nstartup_samples = 1\n[load]\nconnections = 2\nrate = 10\n\
         [[request]]\npath = \"/burn\"\n",
    );
    let out = s.run();
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
    let s = Setup::new(
        "capped",
        "idle-cap",
        &[("IDLE_CAP", "50")],
        "name = \"idle\"\nservers = \"all\"\nduration = \"1s\"\nwarmup = \"0s\"\n\
         repetitions = 1\nstartup_samples = 1\nidle_connections = 200\n[load]\nconnections = 2\n\
         [[request]]\npath = \"/plaintext\"\nexpect_body = \"Hello, World!\"\n",
    );
    let out = s.run();
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

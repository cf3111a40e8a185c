//! A temporary folder of test-server manifests and scenarios for running
//! `gauntlet run` end to end (the same setup tests/run_supervised.rs uses).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use gauntlet::results::{read_json, ServerRunResult};

/// Builds crates/testservers once and returns its target folder.
pub fn testservers_dir() -> &'static Path {
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

/// A temporary folder with test servers and scenarios.
pub struct Setup {
    /// The folder.
    pub dir: tempfile::TempDir,
}

impl Setup {
    /// An empty setup.
    pub fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("servers")).unwrap();
        Setup { dir }
    }

    /// A server named `name` running the test server `bin` (copied, so
    /// its processes can be recognised) with extra environment.
    pub fn server(
        &self,
        name: &str,
        bin: &str,
        env: &[(&str, &str)],
        requires: &[&str],
    ) -> PathBuf {
        let folder = self.dir.path().join("servers").join(name);
        std::fs::create_dir_all(&folder).unwrap();
        let exe = folder.join(format!("{name}-bin"));
        copy_executable(&testservers_dir().join(bin), &exe);
        let env: String = env
            .iter()
            .map(|(k, v)| format!("{k} = \"{v}\"\n"))
            .collect();
        let requires: Vec<String> = requires.iter().map(|r| format!("\"{r}\"")).collect();
        std::fs::write(
            folder.join("server.toml"),
            format!(
                "name = \"{name}\"\nlanguage = \"Rust\"\nruntime = \"test\"\n\
                 concurrency_model = \"thread per connection\"\nrequires = [{}]\n\
                 version_command = [\"sh\", \"-c\", \"echo test-runtime 1.0\"]\n\
                 run = [\"{}\"]\n[env]\n{env}",
                requires.join(", "),
                exe.display()
            ),
        )
        .unwrap();
        exe
    }

    /// Writes `text` as the scenario file.
    pub fn scenario(&self, text: &str) -> PathBuf {
        let path = self.dir.path().join("s.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Where results go.
    pub fn out(&self) -> PathBuf {
        self.dir.path().join("results")
    }

    /// `gauntlet run SCENARIO --out … --no-report` with the servers of this setup.
    pub fn command(&self, scenario: &Path) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gauntlet"));
        cmd.arg("run")
            .arg(scenario)
            .arg("--out")
            .arg(self.out())
            .arg("--no-report")
            .current_dir(self.dir.path())
            .env("GAUNTLET_SERVERS_DIR", self.dir.path().join("servers"))
            .env_remove("GAUNTLET_REQUIRE_RUNTIMES");
        cmd
    }

    /// `gauntlet report` over this setup's results into `report/`, which
    /// must succeed; returns that folder.
    pub fn render_report(&self) -> PathBuf {
        let report = self.dir.path().join("report");
        let out = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
            .arg("report")
            .arg(self.out())
            .arg("--out")
            .arg(&report)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        report
    }

    /// A result file read back.
    pub fn result(&self, scenario: &str, server: &str) -> ServerRunResult {
        read_json(&self.out().join(format!("{scenario}__{server}.json"))).unwrap()
    }
}

/// Status, stdout and stderr of a finished command, for failure messages.
pub fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Copies an executable with `cp`, in a child process. Copied here, the
/// destination's write descriptor would be open in this test process for a
/// moment, and a test on another thread that forks just then hands it to its
/// child until that child execs: running the copy then fails with "Text file
/// busy" (ETXTBSY), as a CI run did. In `cp`'s process no fork can inherit it.
pub fn copy_executable(from: &Path, to: &Path) {
    let status = std::process::Command::new("cp")
        .arg(from)
        .arg(to)
        .status()
        .expect("run cp");
    assert!(status.success(), "cp {} {}", from.display(), to.display());
}

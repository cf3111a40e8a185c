//! Shared helpers of the bench_* integration tests: start a test server from
//! crates/testservers on port 0 and learn its port, run the real binary.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Once;

/// A running test server, killed when dropped.
pub struct TestServer {
    child: Child,
    /// The port it bound.
    pub port: u16,
}

impl TestServer {
    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The folder holding the gauntlet binary under test (and, once built, the test servers).
pub fn bin_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_gauntlet"))
        .parent()
        .expect("binary has a folder")
        .to_path_buf()
}

fn build_testservers() {
    static BUILD: Once = Once::new();
    BUILD.call_once(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-q", "-p", "gauntlet-testservers"]);
        if bin_dir().ends_with("release") {
            cmd.arg("--release");
        }
        let status = cmd
            .status()
            .expect("running cargo build for the test servers");
        assert!(status.success(), "building gauntlet-testservers failed");
    });
}

/// Starts test server `name` with extra environment variables, waiting for
/// its `listening on 127.0.0.1:<port>` line.
pub fn start(name: &str, env: &[(&str, &str)]) -> TestServer {
    build_testservers();
    let mut child = Command::new(bin_dir().join(name))
        .env("PORT", "0")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting test server {name}: {e}"));
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("reading the server's first line");
    let port = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{name} printed {line:?}, not `listening on 127.0.0.1:<port>`"));
    TestServer { child, port }
}

/// The gauntlet binary as an assert_cmd command.
pub fn gauntlet() -> assert_cmd::Command {
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_gauntlet"))
}

/// A port on which nothing listens (bound, then released).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("binding port 0");
    l.local_addr().expect("local addr").port()
}

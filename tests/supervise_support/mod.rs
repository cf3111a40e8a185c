//! Shared helpers of the supervise_* tests: building the test servers of
//! crates/testservers and writing a temporary folder of server manifests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use gauntlet::servers::{Registry, ServerEntry};

/// The target folder Cargo builds into.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// The path of a test server binary, built once per test process.
pub fn testserver(name: &str) -> PathBuf {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = Command::new(cargo)
            .args(["build", "-q", "-p", "gauntlet-testservers", "--bins"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    });
    if let Err(e) = built {
        panic!("building the test servers failed:\n{e}");
    }
    let path = target_dir().join("debug").join(name);
    assert!(path.exists(), "{} missing", path.display());
    path
}

/// One server folder to write.
pub struct Spec<'a> {
    pub name: &'a str,
    pub run: Vec<String>,
    pub requires: Vec<&'a str>,
    pub env: Vec<(&'a str, String)>,
    pub build: Vec<&'a str>,
    pub build_inputs: Vec<&'a str>,
    pub extra: &'a str,
}

impl<'a> Spec<'a> {
    /// A server that runs the test server `bin` with `env`.
    pub fn testserver(name: &'a str, bin: &str, env: &[(&'a str, &str)]) -> Spec<'a> {
        Spec {
            name,
            run: vec![testserver(bin).display().to_string()],
            requires: vec![],
            env: env.iter().map(|(k, v)| (*k, v.to_string())).collect(),
            build: vec![],
            build_inputs: vec![],
            extra: "",
        }
    }
}

fn toml_list<S: AsRef<str>>(items: &[S]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{:?}", s.as_ref())).collect();
    format!("[{}]", quoted.join(", "))
}

/// Writes `<root>/<name>/server.toml` for every spec under `root/servers/`
/// and returns that folder.
pub fn write_servers(root: &Path, specs: &[Spec]) -> PathBuf {
    let dir = root.join("servers");
    for spec in specs {
        let server_dir = dir.join(spec.name);
        std::fs::create_dir_all(&server_dir).unwrap();
        let mut text = format!(
            "name = {:?}\nlanguage = \"Test\"\nruntime = \"test runtime\"\n\
             concurrency_model = \"one thread per connection\"\nrequires = {}\n\
             version_command = [\"sh\", \"-c\", \"echo test-runtime 1.2.3\"]\n\
             build = {}\nbuild_inputs = {}\nrun = {}\n{}\n[env]\n",
            spec.name,
            toml_list(&spec.requires),
            toml_list(&spec.build),
            toml_list(&spec.build_inputs),
            toml_list(&spec.run),
            spec.extra,
        );
        for (k, v) in &spec.env {
            text.push_str(&format!("{k} = {v:?}\n"));
        }
        std::fs::write(server_dir.join("server.toml"), text).unwrap();
    }
    dir
}

/// A registry holding one server that runs the test server `bin` with `env`.
pub fn single(root: &Path, bin: &str, env: &[(&str, &str)]) -> ServerEntry {
    let dir = write_servers(root, &[Spec::testserver(bin, bin, env)]);
    Registry::from_dir(&dir).unwrap().get(bin).unwrap().clone()
}

/// True while `pid` is a live (non-zombie) process.
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat.rsplit_once(')').map(|(_, rest)| rest.trim_start());
            !matches!(
                state.and_then(|s| s.chars().next()),
                Some('Z') | Some('X') | None
            )
        }
        Err(_) => false,
    }
}

/// Waits up to `limit` for every pid to be gone; returns those still alive.
pub fn wait_gone(pids: &[u32], limit: std::time::Duration) -> Vec<u32> {
    let deadline = std::time::Instant::now() + limit;
    loop {
        let left: Vec<u32> = pids.iter().copied().filter(|&p| alive(p)).collect();
        if left.is_empty() || std::time::Instant::now() > deadline {
            return left;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Direct and indirect children of `pid`, by a scan of /proc.
pub fn descendants(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let mut queue = vec![pid];
    while let Some(parent) = queue.pop() {
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Some(child) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
                continue;
            };
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if ppid == Some(parent) && !found.contains(&child) {
                found.push(child);
                queue.push(child);
            }
        }
    }
    found
}

/// One blocking HTTP/1.1 GET; returns the status code.
pub fn get(base_url: &str, path: &str) -> u16 {
    use std::io::{Read, Write};
    let addr = base_url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    text.split_whitespace().nth(1).unwrap().parse().unwrap()
}

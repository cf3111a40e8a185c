//! Shards as separate hosts: each shard process runs in its own network
//! namespace with its own address, reaching the `fast-plaintext` test server
//! in a third namespace over veth pairs on a bridge, as machines on one
//! network would. Needs root and `ip netns`; without them the test says so
//! and skips. The namespaces are deleted even when an assertion fails.

mod bench_support;
mod shards_support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use shards_support::*;

/// Namespaces created by this test, deleted on drop (also on panic).
struct Namespaces(Vec<String>);

impl Drop for Namespaces {
    fn drop(&mut self) {
        for ns in &self.0 {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn ip(args: &[&str]) -> bool {
    Command::new("ip")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn must(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("running ip");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn shards_in_separate_network_namespaces_merge_exactly() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("SKIPPED: running shards from separate network namespaces needs root");
        return;
    }
    let tag = std::process::id() % 100_000;
    let srv = format!("gsh{tag}s");
    let mut namespaces = Namespaces(Vec::new());
    if !ip(&["netns", "add", &srv]) {
        eprintln!("SKIPPED: `ip netns add` is not available here");
        return;
    }
    namespaces.0.push(srv.clone());
    let in_srv = |args: &[&str]| {
        let mut all = vec!["netns", "exec", &srv, "ip"];
        all.extend_from_slice(args);
        must(&all);
    };
    in_srv(&["link", "set", "lo", "up"]);
    in_srv(&["link", "add", "br0", "type", "bridge"]);
    in_srv(&["addr", "add", "10.77.0.1/24", "dev", "br0"]);
    in_srv(&["link", "set", "br0", "up"]);
    let count = 2u32;
    let mut shard_ns = Vec::new();
    for i in 0..count {
        let ns = format!("gsh{tag}{i}");
        must(&["netns", "add", &ns]);
        namespaces.0.push(ns.clone());
        let (a, b) = (format!("gv{tag}{i}a"), format!("gv{tag}{i}b"));
        must(&[
            "link", "add", &a, "netns", &ns, "type", "veth", "peer", "name", &b, "netns", &srv,
        ]);
        in_srv(&["link", "set", &b, "master", "br0"]);
        in_srv(&["link", "set", &b, "up"]);
        let addr = format!("10.77.0.{}/24", 10 + i);
        must(&["netns", "exec", &ns, "ip", "addr", "add", &addr, "dev", &a]);
        must(&["netns", "exec", &ns, "ip", "link", "set", &a, "up"]);
        must(&["netns", "exec", &ns, "ip", "link", "set", "lo", "up"]);
        shard_ns.push(ns);
    }

    // The server binds the server namespace's own address.
    drop(bench_support::start("fast-plaintext", &[])); // builds the test servers
    let mut child = Command::new("ip")
        .args(["netns", "exec", &srv])
        .arg(bench_support::bin_dir().join("fast-plaintext"))
        .env("PORT", "0")
        .env("BIND_HOST", "10.77.0.1")
        .stdout(Stdio::piped())
        .spawn()
        .expect("starting the server in its namespace");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _server = Server(child);
    let port: u16 = line.trim().rsplit(':').next().unwrap().parse().unwrap();
    let url = format!("http://10.77.0.1:{port}/");

    let dir = tempfile::tempdir().unwrap();
    let args = [url.as_str(), "-R", "300", "-c", "4", "-d", "3s", "-t", "1"];
    let at = start_at(Duration::from_secs(3));
    let running: Vec<_> = shard_ns
        .iter()
        .enumerate()
        .map(|(i, ns)| {
            spawn_shard(
                &["ip", "netns", "exec", ns],
                &args,
                i as u32,
                count,
                &at,
                dir.path(),
            )
        })
        .collect();
    let files: Vec<_> = running
        .into_iter()
        .map(|(child, json)| {
            finish(child);
            json
        })
        .collect();
    let shards: Vec<_> = files.iter().map(|f| read(f)).collect();
    for s in &shards {
        assert!(s.requests > 0 && s.errors.is_empty(), "{:?}", s.errors);
    }
    let merged = dir.path().join("merged.json");
    let out = merge(&files, &["--json", merged.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let m = read(&merged);
    assert_eq!(m.requests, shards.iter().map(|s| s.requests).sum::<u64>());
    let planned = 300.0 * 3.0;
    assert!(
        (m.requests as f64 - planned).abs() <= planned * 0.01,
        "{} requests, planned {planned}",
        m.requests
    );
    assert!(
        (m.throughput_rps - 300.0).abs() <= 15.0,
        "merged throughput {} (window with start skew and drain)",
        m.throughput_rps
    );
    drop(namespaces);
}

//! No server survives Gauntlet: when `gauntlet verify` is killed outright
//! (SIGKILL, no chance to clean up) its server dies with it
//! (PR_SET_PDEATHSIG); on Ctrl-C (SIGINT) it stops the server, and exits 130.

mod supervise_support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use supervise_support::{descendants, wait_gone, write_servers, Spec};

/// Starts `gauntlet verify never-ready` (a server that sleeps 30 s before
/// listening) and returns it with the server's pid once the server runs.
// The caller waits for the returned child.
#[allow(clippy::zombie_processes)]
fn verify_a_server_that_never_gets_ready(root: &std::path::Path) -> (Child, u32) {
    let dir = write_servers(
        root,
        &[Spec::testserver(
            "never-ready",
            "slow-start",
            &[("START_DELAY_MS", "30000")],
        )],
    );
    let mut gauntlet = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .env("GAUNTLET_SERVERS_DIR", &dir)
        .args(["verify", "never-ready"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let server = descendants(gauntlet.id()).into_iter().find(|&pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim() == "slow-start")
        });
        if let Some(server) = server {
            return (gauntlet, server);
        }
        if Instant::now() > deadline {
            let _ = gauntlet.kill();
            let _ = gauntlet.wait();
            panic!("the server never started");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn killing_gauntlet_outright_takes_its_server_down() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut gauntlet, server) = verify_a_server_that_never_gets_ready(tmp.path());
    // SAFETY: signals a process this test started.
    unsafe { libc::kill(gauntlet.id() as libc::pid_t, libc::SIGKILL) };
    gauntlet.wait().unwrap();
    assert_eq!(
        wait_gone(&[server], Duration::from_secs(2)),
        Vec::<u32>::new()
    );
}

#[test]
fn ctrl_c_stops_the_server_and_exits_130() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut gauntlet, server) = verify_a_server_that_never_gets_ready(tmp.path());
    let sent = Instant::now();
    // SAFETY: signals a process this test started.
    unsafe { libc::kill(gauntlet.id() as libc::pid_t, libc::SIGINT) };
    let status = gauntlet.wait().unwrap();
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "took {:?}",
        sent.elapsed()
    );
    assert_eq!(status.code(), Some(130));
    assert_eq!(
        wait_gone(&[server], Duration::from_secs(2)),
        Vec::<u32>::new()
    );
}

//! Supervising real processes (the test servers of crates/testservers): the
//! startup clock, RSS and CPU sampling, a server that dies, CPU pinning, and
//! that no process survives a stop, a drop or a panic.

mod supervise_support;

use std::time::Duration;

use gauntlet::cpus::CpuSet;
use gauntlet::supervise::{
    launch, measure_startup, sample_tree, LaunchOptions, Sampler, StartError,
};
use supervise_support::{alive, descendants, get, single, wait_gone};

const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// Tests whose figures depend on CPU time being available take turns, so
/// that they do not disturb each other (cargo runs tests in parallel).
static TIMING: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn timing_turn() -> std::sync::MutexGuard<'static, ()> {
    TIMING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn startup(delay_ms: u64) -> Duration {
    let tmp = tempfile::tempdir().unwrap();
    let delay = delay_ms.to_string();
    let entry = single(tmp.path(), "slow-start", &[("START_DELAY_MS", &delay)]);
    let mut server = launch(&entry, &LaunchOptions::default()).unwrap();
    let took = server.wait_ready(READY_TIMEOUT).unwrap();
    assert_eq!(get(&server.base_url(), "/plaintext"), 200);
    server.stop(Duration::from_secs(2)).unwrap();
    took
}

#[test]
fn startup_clock_measures_a_known_delay_within_a_few_ms() {
    // The best of five cold starts with a 300 ms delay against the best of
    // five without one, taken in turn, so that a machine busy with other
    // tests (whose scheduling delays land on exec and the test server's own
    // start, in both) does not decide the outcome. The difference is the
    // delay as the startup clock saw it; what is left above 300 ms is the
    // polling interval.
    let _turn = timing_turn();
    let (mut slow, mut fast) = (Duration::MAX, Duration::MAX);
    for _ in 0..5 {
        slow = slow.min(startup(300));
        fast = fast.min(startup(0));
    }
    let seen = slow.saturating_sub(fast).as_secs_f64() * 1000.0;
    eprintln!(
        "startup with a 300 ms delay: {slow:?}, without: {fast:?}; the delay seen: {seen:.2} ms"
    );
    assert!(slow >= Duration::from_millis(300), "{slow:?}");
    // A tiny server's cold start, measured from the spawn.
    assert!(fast < Duration::from_millis(100), "{fast:?}");
    // (No lower bound on `seen`: a start without the delay that was slowed
    // every time would only lower it, and `slow` itself is checked above.)
    assert!(
        seen < 315.0,
        "the startup clock saw {seen:.2} ms of the server's 300 ms delay ({slow:?} with it, {fast:?} without)"
    );
}

#[test]
fn sampled_rss_shows_the_memory_a_server_touched() {
    let _turn = timing_turn();
    let rss_of = |mb: &str| {
        let tmp = tempfile::tempdir().unwrap();
        let entry = single(tmp.path(), "alloc-rss", &[("ALLOC_MB", mb)]);
        let mut server = launch(&entry, &LaunchOptions::default()).unwrap();
        server.wait_ready(READY_TIMEOUT).unwrap();
        let sample = sample_tree(server.pid()).unwrap();
        server.stop(Duration::from_secs(2)).unwrap();
        sample.rss_bytes as f64 / (1 << 20) as f64
    };
    let base = rss_of("0");
    let big = rss_of("64");
    eprintln!("rss: ALLOC_MB=0 {base:.1} MiB, ALLOC_MB=64 {big:.1} MiB");
    assert!(
        (big - base - 64.0).abs() < 3.0,
        "base {base:.1} MiB, with 64 MiB {big:.1} MiB"
    );
}

#[test]
fn sampled_cpu_time_matches_the_work_done_per_request() {
    let _turn = timing_turn();
    let tmp = tempfile::tempdir().unwrap();
    let entry = single(tmp.path(), "cpu-burn", &[("BURN_MS", "40")]);
    let mut server = launch(&entry, &LaunchOptions::default()).unwrap();
    server.wait_ready(READY_TIMEOUT).unwrap();
    let sampler = Sampler::start(server.pid(), Duration::from_millis(20));
    std::thread::sleep(Duration::from_millis(50));
    sampler.mark_zero();
    let before = sampler.latest().unwrap().cpu_s;
    for _ in 0..10 {
        assert_eq!(get(&server.base_url(), "/burn"), 200);
    }
    let samples = sampler.finish();
    let after = samples.last().unwrap().cpu_s;
    let used = after - before;
    eprintln!("cpu: 10 requests x 40 ms burnt, sampled {used:.3} s");
    assert!(
        (used - 0.4).abs() < 0.06,
        "sampled {used:.3} s for 0.4 s of work"
    );
    assert!(samples.iter().any(|s| s.t_s < 0.0) && samples.iter().any(|s| s.t_s > 0.0));
    server.stop(Duration::from_secs(2)).unwrap();
}

#[test]
fn a_server_that_exits_before_ready_reports_status_and_stderr_tail() {
    let tmp = tempfile::tempdir().unwrap();
    let entry = single(
        tmp.path(),
        "exit-early",
        &[("EXIT_CODE", "3"), ("STDERR_LINES", "30")],
    );
    let mut server = launch(&entry, &LaunchOptions::default()).unwrap();
    let started = std::time::Instant::now();
    let err = server.wait_ready(READY_TIMEOUT).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "did not fail early"
    );
    assert!(matches!(err, StartError::Exited { .. }), "{err}");
    assert_eq!(err.exit_status().and_then(|s| s.code()), Some(3));
    let tail = err.stderr_tail();
    assert_eq!(tail.last().unwrap(), "exit-early: dying now with code 3");
    assert!(
        tail.iter().any(|l| l == "exit-early: line 30 of 30"),
        "{tail:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("exit status: 3") && text.contains("line 30 of 30"),
        "{text}"
    );
}

#[test]
fn a_server_that_dies_while_serving_is_seen_with_its_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    let entry = single(
        tmp.path(),
        "exit-early",
        &[
            ("LISTEN", "1"),
            ("EXIT_AFTER_MS", "300"),
            ("EXIT_CODE", "4"),
        ],
    );
    let mut server = launch(&entry, &LaunchOptions::default()).unwrap();
    server.wait_ready(READY_TIMEOUT).unwrap();
    assert_eq!(server.exit_status(), None);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(status) = server.exit_status() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "server did not exit");
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(status.code(), Some(4));
    server.settle_stderr(Duration::from_secs(2));
    assert_eq!(server.stderr_tail(1), ["exit-early: dying now with code 4"]);
    assert!(server.stdout_tail(5)[0].starts_with("listening on 127.0.0.1:"));
}

#[test]
fn a_server_that_never_listens_times_out_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let entry = single(tmp.path(), "slow-start", &[("START_DELAY_MS", "5000")]);
    let mut server = launch(&entry, &LaunchOptions::default()).unwrap();
    let err = server.wait_ready(Duration::from_millis(200)).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("not ready after 200ms") && text.contains("GET /plaintext"),
        "{text}"
    );
}

#[test]
fn stop_and_drop_leave_no_process_of_the_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let entry = single(tmp.path(), "with-children", &[("CHILDREN", "3")]);

    let mut server = launch(&entry, &LaunchOptions::default()).unwrap();
    server.wait_ready(READY_TIMEOUT).unwrap();
    let mut pids = descendants(server.pid());
    pids.push(server.pid());
    assert_eq!(pids.len(), 4, "{pids:?}");
    assert_eq!(sample_tree(server.pid()).unwrap().processes, 4);
    let status = server.stop(Duration::from_secs(2)).unwrap();
    assert!(!status.success());
    assert_eq!(wait_gone(&pids, Duration::from_secs(2)), Vec::<u32>::new());

    let mut server = launch(&entry, &LaunchOptions::default()).unwrap();
    server.wait_ready(READY_TIMEOUT).unwrap();
    let mut pids = descendants(server.pid());
    pids.push(server.pid());
    drop(server);
    assert_eq!(wait_gone(&pids, Duration::from_secs(2)), Vec::<u32>::new());
}

#[test]
fn a_panic_while_supervising_leaves_no_process() {
    let tmp = tempfile::tempdir().unwrap();
    let entry = single(tmp.path(), "with-children", &[("CHILDREN", "2")]);
    let (tx, rx) = std::sync::mpsc::channel();
    let result = std::thread::spawn(move || {
        let mut server = launch(&entry, &LaunchOptions::default()).unwrap();
        server.wait_ready(READY_TIMEOUT).unwrap();
        let mut pids = descendants(server.pid());
        pids.push(server.pid());
        tx.send(pids).unwrap();
        panic!("deliberate panic with a server running");
    })
    .join();
    assert!(result.is_err());
    let pids = rx.recv().unwrap();
    assert_eq!(pids.len(), 3);
    assert_eq!(wait_gone(&pids, Duration::from_secs(2)), Vec::<u32>::new());
}

#[test]
fn the_server_tree_is_pinned_to_the_cpus_asked_for() {
    let allowed = CpuSet::current().unwrap();
    let cpu = *allowed.cpus().last().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let entry = single(tmp.path(), "with-children", &[("CHILDREN", "1")]);
    let opts = LaunchOptions {
        cpus: Some(cpu.to_string().parse().unwrap()),
        extra_env: vec![],
    };
    let mut server = launch(&entry, &opts).unwrap();
    server.wait_ready(READY_TIMEOUT).unwrap();
    let mut pids = descendants(server.pid());
    pids.push(server.pid());
    for pid in pids {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let line = status
            .lines()
            .find(|l| l.starts_with("Cpus_allowed_list:"))
            .unwrap();
        assert_eq!(
            line.split_whitespace().nth(1),
            Some(cpu.to_string().as_str()),
            "{pid}"
        );
        assert!(alive(pid));
    }
}

#[test]
fn extra_env_and_port_reach_the_server() {
    // slow-start reads START_DELAY_MS: passing it through extra_env (which
    // wins over the manifest's [env]) must change the startup time.
    let tmp = tempfile::tempdir().unwrap();
    let entry = single(tmp.path(), "slow-start", &[("START_DELAY_MS", "0")]);
    let opts = LaunchOptions {
        cpus: None,
        extra_env: vec![("START_DELAY_MS".into(), "150".into())],
    };
    let mut server = launch(&entry, &opts).unwrap();
    let took = server.wait_ready(READY_TIMEOUT).unwrap();
    assert!(took >= Duration::from_millis(150), "{took:?}");
    // The line is read by a background thread: give it a moment.
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while server.stdout_tail(1).is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let line = server.stdout_tail(1);
    assert_eq!(line, [format!("listening on 127.0.0.1:{}", server.port())]);
}

#[test]
fn cold_starts_are_measured_several_times() {
    let _turn = timing_turn();
    let tmp = tempfile::tempdir().unwrap();
    let entry = single(tmp.path(), "slow-start", &[("START_DELAY_MS", "100")]);
    let stats = measure_startup(&entry, &LaunchOptions::default(), 3, READY_TIMEOUT).unwrap();
    eprintln!("cold starts with a 100 ms delay: {:?}", stats.samples_ms);
    assert_eq!(stats.samples_ms.len(), 3);
    assert!(stats.min_ms >= 100.0 && stats.min_ms <= stats.median_ms);
    // The delay plus a cold start: on a machine with every core busy the
    // start alone took 40 ms, so the bound leaves room for that, not for a
    // second delay or a coarse poll.
    assert!(
        stats.median_ms <= stats.max_ms && stats.min_ms < 180.0,
        "{stats:?}"
    );

    let dying = single(tmp.path(), "exit-early", &[]);
    let err = measure_startup(&dying, &LaunchOptions::default(), 3, READY_TIMEOUT).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("cold start 1:") && text.contains("dying now"),
        "{text}"
    );
}

#[test]
fn sampling_a_process_tree_is_cheap() {
    let _turn = timing_turn();
    let tmp = tempfile::tempdir().unwrap();
    let entry = single(tmp.path(), "with-children", &[("CHILDREN", "3")]);
    let mut server = launch(&entry, &LaunchOptions::default()).unwrap();
    server.wait_ready(READY_TIMEOUT).unwrap();
    let rounds = 200;
    let started = thread_cpu_time();
    for _ in 0..rounds {
        assert_eq!(sample_tree(server.pid()).unwrap().processes, 4);
    }
    let each = (thread_cpu_time() - started) / rounds;
    eprintln!("sample_tree of a 4-process tree: {each:?} of CPU per reading");
    // At the default 100 ms interval, one reading must cost well under 1% of a CPU.
    assert!(each < Duration::from_millis(1), "{each:?} per reading");
}

/// CPU time used by the calling thread (so that a busy machine does not
/// inflate a cost measured in wall-clock time).
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[test]
fn relative_programs_are_taken_from_the_server_folder() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let server = supervise_support::testserver("slow-start");
    let mut spec = supervise_support::Spec::testserver("scripted", "slow-start", &[]);
    spec.run = vec!["bin/start.sh".into()];
    spec.build = vec!["./build.sh"];
    let dir = supervise_support::write_servers(tmp.path(), &[spec]);
    let script = |path: &std::path::Path, text: String| {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    let folder = dir.join("scripted");
    script(
        &folder.join("build.sh"),
        format!("#!/bin/sh\nprintf '#!/bin/sh\\nexec {} \"$@\"\\n' > bin/start.sh && chmod +x bin/start.sh\n", server.display()),
    );
    script(&folder.join("bin/start.sh"), "#!/bin/sh\nexit 9\n".into());
    let registry = gauntlet::servers::Registry::from_dir(&dir).unwrap();
    let entry = registry.get("scripted").unwrap();
    entry.build().unwrap();
    let mut server = launch(entry, &LaunchOptions::default()).unwrap();
    server.wait_ready(READY_TIMEOUT).unwrap();
    assert_eq!(get(&server.base_url(), "/plaintext"), 200);
}

#[test]
fn the_sampler_keeps_what_it_read_before_the_server_died() {
    let tmp = tempfile::tempdir().unwrap();
    let entry = single(
        tmp.path(),
        "exit-early",
        &[("LISTEN", "1"), ("EXIT_AFTER_MS", "300")],
    );
    let mut server = launch(&entry, &LaunchOptions::default()).unwrap();
    server.wait_ready(READY_TIMEOUT).unwrap();
    let sampler = Sampler::start(server.pid(), Duration::from_millis(10));
    sampler.mark_zero();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while server.exit_status().is_none() {
        assert!(std::time::Instant::now() < deadline, "server did not exit");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(100));
    let samples = sampler.finish();
    assert!(samples.len() >= 5, "{} samples", samples.len());
    let last = samples.last().unwrap();
    assert!(last.t_s < 0.4, "sampled after the death: {last:?}");
    // A reading taken while the process was exiting would show 0 bytes: the
    // memory chart would drop to zero at the end of every crashed run.
    assert!(
        samples.iter().all(|s| s.rss_bytes > 0 && s.processes == 1),
        "{samples:?}"
    );
}

/// A server folder `name` whose `start.sh` is `script`.
fn scripted(root: &std::path::Path, name: &str, script: &str) -> gauntlet::servers::ServerEntry {
    use std::os::unix::fs::PermissionsExt;
    let mut spec = supervise_support::Spec::testserver(name, "slow-start", &[]);
    spec.run = vec!["./start.sh".into()];
    let dir = supervise_support::write_servers(root, &[spec]);
    let path = dir.join(name).join("start.sh");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    gauntlet::servers::Registry::from_dir(&dir)
        .unwrap()
        .get(name)
        .unwrap()
        .clone()
}

#[test]
fn a_server_whose_port_was_taken_is_started_again_on_a_fresh_one() {
    // The first start finds its port bound by another socket (bound by the
    // script itself, so the race the port picker leaves open happens every
    // time; like a client's local port, it does not listen) and fails with
    // the runtime's own "Address already in use".
    let tmp = tempfile::tempdir().unwrap();
    let server_bin = supervise_support::testserver("slow-start");
    let script = format!(
        "#!/bin/sh\n\
         if [ ! -e tried ]; then\n\
           touch tried\n\
           python3 -c 'import os, socket, time\n\
         s = socket.socket()\n\
         s.bind((\"127.0.0.1\", int(os.environ[\"PORT\"])))\n\
         print(s.getsockname()[1], flush=True)\n\
         time.sleep(30)' > holder.out &\n\
           echo $! > holder.pid\n\
           until [ -s holder.out ]; do sleep 0.01; done\n\
         fi\n\
         START_DELAY_MS=0 exec {bin}\n",
        bin = server_bin.display()
    );
    let entry = scripted(tmp.path(), "port-taken", &script);
    let folder = entry.dir.clone();
    let mut server = launch(&entry, &LaunchOptions::default()).unwrap();
    server.wait_ready(READY_TIMEOUT).unwrap();

    assert!(folder.join("tried").exists(), "the first start did not run");
    let taken: u16 = std::fs::read_to_string(folder.join("holder.out"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_ne!(server.port(), taken, "still on the taken port");
    assert_eq!(get(&server.base_url(), "/plaintext"), 200);
    // The failed start's process group, holder included, is gone.
    let holder: u32 = std::fs::read_to_string(folder.join("holder.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let left = wait_gone(&[holder], Duration::from_secs(3));
    assert!(left.is_empty(), "holder {holder} survived");
    server.stop(Duration::from_secs(2)).unwrap();
}

#[test]
fn a_port_that_is_always_taken_is_retried_twice_then_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let entry = scripted(
        tmp.path(),
        "never-binds",
        "#!/bin/sh\necho start >> attempts\n\
         echo \"listen tcp 127.0.0.1:$PORT: bind: address already in use\" >&2\nexit 1\n",
    );
    let mut server = launch(&entry, &LaunchOptions::default()).unwrap();
    let err = server.wait_ready(READY_TIMEOUT).unwrap_err();
    assert!(matches!(err, StartError::Exited { .. }), "{err}");
    assert!(err.to_string().contains("address already in use"), "{err}");
    let attempts = std::fs::read_to_string(entry.dir.join("attempts")).unwrap();
    assert_eq!(attempts.lines().count(), 3, "one start and two retries");
}

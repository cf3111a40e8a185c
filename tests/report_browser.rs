//! Browser test of the HTML report: headless Chromium opens `index.html`
//! from disk (no server, no network), the DOM it builds holds every chart,
//! and a screenshot of the page is not blank.
//!
//! Without Chromium the test skips locally, and fails when it is required:
//! under CI (`CI` true) or where scripts/setup.sh has installed Chromium
//! (it leaves the stamp `target/gauntlet-setup/chromium`), since a browser
//! that vanished after setup must not turn the test into a silent skip.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The stamp scripts/setup.sh writes once Chromium is installed.
const SETUP_STAMP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/target/gauntlet-setup/chromium"
);

/// Whether a missing browser fails the test rather than skipping it.
fn browser_required() -> bool {
    gauntlet::flags::env_flag("CI") || Path::new(SETUP_STAMP).is_file()
}

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GAUNTLET_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// Runs chromium with the sandbox-free headless flags plus `extra`, killing
/// it after 90 s; returns its standard output.
fn run_chromium(bin: &Path, profile: &Path, extra: &[String]) -> String {
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
    let stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        match child.try_wait().expect("waiting for chromium") {
            Some(status) => {
                assert!(status.success(), "chromium exited with {status}");
                break;
            }
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not finish within 90 s");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    reader.join().expect("reader thread")
}

#[test]
fn chromium_opens_the_report_from_disk_with_every_chart() {
    let Some(bin) = chromium() else {
        if browser_required() {
            panic!(
                "chromium is missing (looked at /usr/bin/chromium, /usr/bin/chromium-browser, $GAUNTLET_CHROMIUM) \
                 and the browser test is required here (CI is true, or scripts/setup.sh installed it: {SETUP_STAMP}): \
                 run scripts/setup.sh (apt-get install -y chromium)"
            );
        }
        eprintln!(
            "skipping the browser test: chromium not installed (scripts/setup.sh installs it)"
        );
        return;
    };
    let out = tempfile::tempdir().expect("tempdir");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    gauntlet::report::render(
        &[fixtures.join("two-servers"), fixtures.join("failed-server")],
        out.path(),
        false,
    )
    .expect("render");
    let index = out.path().join("index.html");
    let url = format!("file://{}", index.display());
    let profile = tempfile::tempdir().expect("profile dir");

    let dom = run_chromium(&bin, profile.path(), &["--dump-dom".into(), url.clone()]);
    assert!(
        dom.contains("Gauntlet report"),
        "page did not load: {dom:.300}"
    );
    let mut stems: Vec<String> = Vec::new();
    for scenario in ["plaintext", "json"] {
        for chart in [
            "throughput",
            "latency-spectrum",
            "latency-over-time",
            "throughput-over-time",
            "rss-over-time",
            "memory",
            "efficiency",
        ] {
            stems.push(format!("{chart}-{scenario}"));
        }
    }
    stems.push("startup".into());
    for stem in &stems {
        let figure = format!("<figure class=\"chart-figure\" id=\"{stem}\">");
        let at = dom
            .find(&figure)
            .unwrap_or_else(|| panic!("chart {stem} missing from the DOM"));
        let rest = &dom[at..];
        let end = rest.find("</figure>").expect("figure closed");
        assert!(
            rest[..end].contains("<svg"),
            "chart {stem} has no inline SVG in the DOM"
        );
    }
    assert_eq!(dom.matches("<svg").count(), stems.len());
    assert!(dom.contains("FAILED: exited with signal 9"));

    let shot = out.path().join("screenshot.png");
    run_chromium(
        &bin,
        profile.path(),
        &[
            "--window-size=1100,2400".into(),
            format!("--screenshot={}", shot.display()),
            url,
        ],
    );
    let img = image::open(&shot)
        .unwrap_or_else(|e| panic!("no screenshot at {}: {e}", shot.display()))
        .to_rgb8();
    let (w, h) = img.dimensions();
    assert!(w >= 1000 && h >= 2000, "screenshot is {w}×{h}");
    // the page header is the dark band of the stylesheet: CSS applied
    let header = img.get_pixel(8, 8).0;
    assert!(
        header.iter().all(|c| *c < 60),
        "no dark header at the top: {header:?}"
    );
    let colours: HashSet<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    let ink = img.pixels().filter(|p| p.0 != [255, 255, 255]).count();
    assert!(
        colours.len() > 50,
        "screenshot looks blank: {} colours",
        colours.len()
    );
    assert!(
        ink as f64 / (w * h) as f64 > 0.05,
        "screenshot is almost all white ({ink} non-white pixels)"
    );
    // keep the screenshot where a person can look at it
    if let Ok(dir) = std::env::var("GAUNTLET_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, Path::new(&dir).join("report-screenshot.png"))
            .expect("copy screenshot");
    }
}

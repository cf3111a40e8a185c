//! Disks and files: results and reports written to a full file system fail
//! naming the path, leave no partial file and keep what was written before
//! (a small tmpfs mounted by the test; skipped with a message when not
//! root); a result folder with one corrupt file still reports and compares
//! the rest, naming the bad file, but a file of another schema version is
//! refused by report and compare alike; names and manifest entries cannot
//! reach outside the folder. A `--json` file that cannot be written fails
//! `bench` and `compare` (exit 1) with a message naming the flag and the path.

mod bench_support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use gauntlet::results::{RunManifest, RunWriter, ServerRunResult, SCHEMA_VERSION};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in fs::read_dir(fixture(name)).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

fn gauntlet() -> assert_cmd::Command {
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_gauntlet"))
}

/// A tmpfs of `size` bytes, unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// `None` (with a message) when this test cannot mount: not root, or no
    /// permission to mount in this container.
    fn mount(size: usize) -> Option<SmallDisk> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: mounting a tmpfs needs root");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o"])
            .arg(format!("size={size}"))
            .arg("tmpfs")
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("skipped: mount -t tmpfs failed (no permission in this container?)");
            return None;
        }
        Some(SmallDisk { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills the disk up, leaving at most `free` bytes.
    fn fill(&self, free: usize) {
        let filler = self.path().join("filler");
        let mut data = Vec::new();
        let _ = fs::write(&filler, &data);
        // Grow until the write fails, then shrink to leave `free` bytes.
        loop {
            data.resize(data.len() + 4096, 0);
            if fs::write(&filler, &data).is_err() {
                break;
            }
        }
        data.truncate(data.len().saturating_sub(4096 + free));
        fs::write(&filler, &data).unwrap();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

/// Files whose name marks a temporary write (`.<name>.tmp-...`) under `dir`.
fn temp_files(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.to_string_lossy().contains(".tmp-"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_report_on_a_full_disk_names_the_path_and_leaves_no_partial_file() {
    let Some(disk) = SmallDisk::mount(256 * 1024) else {
        return;
    };
    let out = disk.path().join("report");
    // What a complete report looks like, on a disk with room.
    let roomy = tempfile::tempdir().unwrap();
    gauntlet()
        .arg("report")
        .arg(fixture("two-servers"))
        .arg("--out")
        .arg(roomy.path())
        .assert()
        .success();
    disk.fill(8 * 1024);
    let assert = gauntlet()
        .arg("report")
        .arg(fixture("two-servers"))
        .arg("--out")
        .arg(&out)
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains(&out.display().to_string()) && stderr.contains("No space left"),
        "the error does not name the path and the cause:\n{stderr}"
    );
    assert!(temp_files(&out).is_empty(), "{:?}", temp_files(&out));
    // Every file there is whole: byte for byte the complete report's file.
    for entry in fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let whole = fs::read(roomy.path().join(path.file_name().unwrap())).unwrap();
        assert_eq!(
            fs::read(&path).unwrap(),
            whole,
            "{} is partial",
            path.display()
        );
    }
}

#[test]
fn results_on_a_full_disk_keep_what_was_written_before() {
    let Some(disk) = SmallDisk::mount(512 * 1024) else {
        return;
    };
    let results = fixture("two-servers");
    let manifest: RunManifest =
        gauntlet::results::read_json(&results.join("manifest.json")).unwrap();
    let result: ServerRunResult =
        gauntlet::results::read_json(&results.join("plaintext__rust-hyper.json")).unwrap();
    let dir = disk.path().join("run");
    let mut folder = RunWriter::create(
        &dir,
        RunManifest {
            results: Vec::new(),
            ..manifest
        },
    )
    .unwrap();
    let first = folder.write_result(&result).unwrap();
    let before = fs::read(&first).unwrap();
    disk.fill(2 * 1024);
    let mut second = result.clone();
    second.server.name = "second".into();
    let err = folder.write_result(&second).unwrap_err();
    // The file is the error's, the system's reason its source: together as
    // the binary prints them.
    let message = format!("{:#}", anyhow::Error::from(err));
    assert!(
        message.contains(&dir.display().to_string()) && message.contains("No space left"),
        "{message}"
    );
    assert!(!dir.join("plaintext__second.json").exists());
    assert!(temp_files(&dir).is_empty(), "{:?}", temp_files(&dir));
    assert_eq!(
        fs::read(&first).unwrap(),
        before,
        "the earlier result changed"
    );
    let manifest: RunManifest = gauntlet::results::read_json(&dir.join("manifest.json")).unwrap();
    assert_eq!(
        manifest.results,
        vec!["plaintext__rust-hyper.json".to_string()]
    );
}

#[test]
fn a_corrupt_result_file_is_named_and_the_rest_reported() {
    let run = copy_fixture("two-servers");
    let bad = run.path().join("json__go-nethttp.json");
    let text = fs::read_to_string(&bad).unwrap();
    fs::write(&bad, &text[..text.len() / 2]).unwrap();
    let out = tempfile::tempdir().unwrap();
    let assert = gauntlet()
        .arg("report")
        .arg(run.path())
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("json__go-nethttp.json"), "{stderr}");
    let md = fs::read_to_string(out.path().join("summary.md")).unwrap();
    assert!(
        md.contains("Unreadable result file") && md.contains("json__go-nethttp.json"),
        "{md}"
    );
    // The other three results are there: go-nethttp still ranks in plaintext.
    let plaintext = md.split("## plaintext").nth(1).unwrap();
    assert!(
        plaintext.contains("go-nethttp") && plaintext.contains("rust-hyper"),
        "{md}"
    );
    let html = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(html.contains("unreadable") && html.contains("json__go-nethttp.json"));
}

#[test]
fn a_corrupt_result_file_is_named_and_the_rest_compared() {
    let base = copy_fixture("two-servers");
    let cur = copy_fixture("two-servers");
    fs::write(
        cur.path().join("json__rust-hyper.json"),
        "{\"schema_version\": 2, \"run",
    )
    .unwrap();
    let assert = gauntlet()
        .arg("compare")
        .arg(base.path())
        .arg(cur.path())
        .assert();
    let out = assert.get_output();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(out.status.code(), Some(2), "an input error:\n{text}");
    assert!(text.contains("json__rust-hyper.json"), "{text}");
    assert!(text.contains("plaintext / rust-hyper"), "{text}");
    assert!(text.contains("json / go-nethttp"), "{text}");
}

/// The last line of a command's stderr that names `needle`.
fn error_line(stderr: &[u8], needle: &str) -> String {
    String::from_utf8_lossy(stderr)
        .lines()
        .rfind(|l| l.contains(needle))
        .unwrap_or_else(|| {
            panic!(
                "no line with {needle:?} in {}",
                String::from_utf8_lossy(stderr)
            )
        })
        .to_string()
}

#[test]
fn another_schema_version_is_refused_by_report_as_by_compare() {
    let base = copy_fixture("two-servers");
    let cur = copy_fixture("two-servers");
    let file = cur.path().join("json__go-nethttp.json");
    let mut value: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
    let other = SCHEMA_VERSION + 1;
    value["schema_version"] = serde_json::json!(other);
    fs::write(&file, value.to_string()).unwrap();
    let expected = format!(
        "json__go-nethttp.json has schema version {other}, this build of gauntlet reads version {SCHEMA_VERSION}"
    );

    let out = tempfile::tempdir().unwrap();
    let report = gauntlet()
        .arg("report")
        .arg(cur.path())
        .arg("--out")
        .arg(out.path())
        .assert()
        .code(2);
    let report_line = error_line(&report.get_output().stderr, &expected);
    assert!(
        !out.path().join("index.html").exists(),
        "no report drawn from a folder of another schema version"
    );
    // The file alone is refused the same way.
    let single = gauntlet()
        .arg("report")
        .arg(&file)
        .arg("--out")
        .arg(out.path())
        .assert()
        .code(2);
    assert_eq!(
        error_line(&single.get_output().stderr, &expected),
        report_line
    );

    let compare = gauntlet()
        .arg("compare")
        .arg(base.path())
        .arg(cur.path())
        .assert()
        .code(2);
    assert_eq!(
        error_line(&compare.get_output().stderr, &expected),
        report_line,
        "report and compare refuse with one message"
    );
}

#[test]
fn names_and_manifest_entries_cannot_leave_the_folder() {
    let root = tempfile::tempdir().unwrap();
    let results = fixture("two-servers");
    let manifest: RunManifest =
        gauntlet::results::read_json(&results.join("manifest.json")).unwrap();
    let mut result: ServerRunResult =
        gauntlet::results::read_json(&results.join("plaintext__rust-hyper.json")).unwrap();
    let dir = root.path().join("a/b/run");
    let mut folder = RunWriter::create(
        &dir,
        RunManifest {
            results: Vec::new(),
            ..manifest.clone()
        },
    )
    .unwrap();
    result.server.name = "../../../escaped".into();
    result.scenario.name = "/tmp/x".into();
    let path = folder.write_result(&result).unwrap();
    assert_eq!(path.parent(), Some(dir.as_path()), "{}", path.display());
    assert!(!root.path().join("escaped").exists());

    // A manifest listing a file outside its folder: not read, named.
    let run = copy_fixture("two-servers");
    let outside = format!(
        "{}-outside.json",
        run.path().file_name().unwrap().to_string_lossy()
    );
    let secret = run.path().parent().unwrap().join(&outside);
    fs::copy(results.join("json__rust-hyper.json"), &secret).unwrap();
    let mut m: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(run.path().join("manifest.json")).unwrap())
            .unwrap();
    m["results"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::Value::String(format!("../{outside}")));
    fs::write(run.path().join("manifest.json"), m.to_string()).unwrap();
    let out = tempfile::tempdir().unwrap();
    gauntlet()
        .arg("report")
        .arg(run.path())
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let md = fs::read_to_string(out.path().join("summary.md")).unwrap();
    assert!(md.contains("not a plain file name"), "{md}");
    let _ = fs::remove_file(&secret);
    // Saving it as a baseline refuses rather than copy ../outside.json.
    let err = gauntlet::compare::baseline::save_baseline(run.path(), "b", root.path()).unwrap_err();
    assert!(format!("{err:#}").contains(&outside), "{err:#}");
    assert!(!root.path().join("baselines/b").exists());
}

/// `Error: writing --json <path>: writing <path>: <the system's reason>`, as
/// `bench`, `compare` and `merge` all say it, with exit code 1 (a failure
/// while running, not the user's input).
fn assert_json_not_written(out: &std::process::Output, json: &Path) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let j = json.display();
    let line = error_line(&out.stderr, "--json");
    assert!(
        line.starts_with(&format!("Error: writing --json {j}: writing {j}: ")),
        "{stderr}"
    );
}

#[test]
fn a_json_file_that_cannot_be_written_names_the_flag_and_the_path() {
    let dir = tempfile::tempdir().unwrap();
    // A plain file where a folder should be: no one (root included) can write under it.
    let not_a_folder = dir.path().join("not-a-folder");
    fs::write(&not_a_folder, "").unwrap();
    let json = not_a_folder.join("out.json");

    let compare = gauntlet()
        .arg("compare")
        .arg(fixture("two-servers"))
        .arg(fixture("two-servers"))
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    assert_json_not_written(&compare, &json);

    let server = bench_support::start("fast-plaintext", &[]);
    let bench = gauntlet()
        .arg("bench")
        .arg(server.url("/"))
        .args(["-c", "1", "-d", "300ms", "-q", "--json"])
        .arg(&json)
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    assert_json_not_written(&bench, &json);
}

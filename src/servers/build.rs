//! Cached builds of reference servers: the build command runs in the
//! server's folder only when a hash of its `build_inputs` and the command
//! differs from the one stamped after the last successful build
//! (`<target_dir>/gauntlet-builds/<name>.stamp`), or when an output is gone
//! (the run program, or an output folder the build had left). Concurrent
//! builds of the same server wait for each other through a lock file.

use std::fs;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::registry::ServerEntry;
use crate::results::BuildInfo;

/// Lines of build output kept in a failure message.
const FAILURE_TAIL_LINES: usize = 40;
/// Folders of a server where builds leave their outputs
/// (reference-servers/README.md); the stamp remembers which ones existed.
const OUTPUT_DIRS: [&str; 3] = ["build", ".venv", "node_modules"];
/// A build taking longer than this is stopped and reported as failed.
pub const BUILD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Why a build failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The build command could not be started.
    #[error("building {server}: cannot start `{program}`: {source}")]
    Spawn {
        /// Server name.
        server: String,
        /// The program of the build command.
        program: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The build command ran and failed.
    #[error("building {server} failed ({status}): `{command}`; last lines of its output:\n{tail}")]
    Failed {
        /// Server name.
        server: String,
        /// The build command as one line.
        command: String,
        /// Exit status.
        status: std::process::ExitStatus,
        /// The last lines of stdout then stderr.
        tail: String,
    },
    /// The build command ran longer than [`BUILD_TIMEOUT`] and was killed.
    #[error("building {server}: `{command}` still ran after {limit:?} and was stopped")]
    TimedOut {
        /// Server name.
        server: String,
        /// The build command as one line.
        command: String,
        /// The limit that ran out.
        limit: Duration,
    },
    /// Hashing the inputs or writing the stamp failed.
    #[error("building {server}: {path}: {source}")]
    Io {
        /// Server name.
        server: String,
        /// The file concerned.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

impl ServerEntry {
    /// Builds the server unless the cached build is current. The build's
    /// output is captured; on failure the error holds its tail.
    pub fn build(&self) -> anyhow::Result<BuildInfo> {
        Ok(self.build_cached()?)
    }

    /// The file that records the hash of the last successful build.
    pub fn build_stamp_path(&self) -> PathBuf {
        self.target_dir
            .join("gauntlet-builds")
            .join(format!("{}.stamp", self.manifest.name))
    }

    fn build_cached(&self) -> Result<BuildInfo, BuildError> {
        let m = &self.manifest;
        if m.build.is_empty() {
            return Ok(BuildInfo {
                seconds: 0.0,
                cached: false,
            });
        }
        let io = |path: &Path| {
            let server = m.name.clone();
            let path = path.to_path_buf();
            move |source| BuildError::Io {
                server,
                path,
                source,
            }
        };
        let stamp = self.build_stamp_path();
        let stamp_dir = stamp.parent().unwrap_or(&self.target_dir).to_path_buf();
        fs::create_dir_all(&stamp_dir).map_err(io(&stamp_dir))?;
        let lock_path = stamp.with_extension("lock");
        let lock = fs::File::create(&lock_path).map_err(io(&lock_path))?;
        // SAFETY: flock on a descriptor we own; released when `lock` is dropped.
        if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(io(&lock_path)(std::io::Error::last_os_error()));
        }

        let hash = format!("v2 {:016x}", self.input_hash().map_err(|(p, e)| io(&p)(e))?);
        let previous = fs::read_to_string(&stamp).unwrap_or_default();
        let mut lines = previous.lines();
        let outputs_kept = lines.clone().skip(1).all(|dir| self.dir.join(dir).is_dir());
        if lines.next() == Some(hash.as_str()) && outputs_kept && self.run_program_present() {
            return Ok(BuildInfo {
                seconds: 0.0,
                cached: true,
            });
        }
        let _ = fs::remove_file(&stamp);
        let started = Instant::now();
        let output = run_bounded(
            &self.program(&m.build[0]),
            &m.build[1..],
            &self.dir,
            BUILD_TIMEOUT,
        )
        .map_err(|e| match e {
            Bounded::Spawn(source) => BuildError::Spawn {
                server: m.name.clone(),
                program: m.build[0].clone(),
                source,
            },
            Bounded::TimedOut => BuildError::TimedOut {
                server: m.name.clone(),
                command: m.build.join(" "),
                limit: BUILD_TIMEOUT,
            },
        })?;
        let seconds = started.elapsed().as_secs_f64();
        if !output.status.success() {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(FAILURE_TAIL_LINES)..].join("\n");
            return Err(BuildError::Failed {
                server: m.name.clone(),
                command: m.build.join(" "),
                status: output.status,
                tail,
            });
        }
        // The stamp: the input hash, then the output folders the build left,
        // so that deleting one of them (e.g. `rm -rf build`) forces a rebuild.
        let mut text = format!("{hash}\n");
        for dir in OUTPUT_DIRS {
            if self.dir.join(dir).is_dir() {
                text.push_str(dir);
                text.push('\n');
            }
        }
        let mut file = fs::File::create(&stamp).map_err(io(&stamp))?;
        file.write_all(text.as_bytes()).map_err(io(&stamp))?;
        Ok(BuildInfo {
            seconds,
            cached: false,
        })
    }

    /// False when the run command names a program by path and it is missing
    /// (e.g. after `cargo clean`), so a stale stamp does not skip the build.
    fn run_program_present(&self) -> bool {
        let program = &self.manifest.run[0];
        !program.contains('/') || self.program(program).exists()
    }

    /// FNV-1a over the server's folder, the build command and every file under `build_inputs`
    /// (relative path and contents, in sorted order).
    fn input_hash(&self) -> Result<u64, (PathBuf, std::io::Error)> {
        let mut hasher = Fnv::new();
        // Two checkouts sharing one target folder must not share stamps.
        hasher.write(self.dir.as_os_str().as_encoded_bytes());
        hasher.write(&[0]);
        for arg in &self.manifest.build {
            hasher.write(arg.as_bytes());
            hasher.write(&[0]);
        }
        let mut inputs = self.manifest.build_inputs.clone();
        inputs.sort();
        for input in inputs {
            let path = self.dir.join(&input);
            hasher.write(input.as_bytes());
            if !path.exists() {
                hasher.write(b"\0missing\0");
                continue;
            }
            hash_tree(&path, &mut hasher)?;
        }
        Ok(hasher.0)
    }
}

enum Bounded {
    Spawn(std::io::Error),
    TimedOut,
}

/// Runs `program` with `args` in `dir` in its own process group with stdout and stderr
/// captured; past `limit` the whole group is killed.
fn run_bounded(
    program: &Path,
    args: &[String],
    dir: &Path,
    limit: Duration,
) -> Result<Output, Bounded> {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(Bounded::Spawn)?;
    let read = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = read(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = read(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) | Err(_) => {
                // SAFETY: signals the build's own process group.
                unsafe { libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL) };
                let _ = child.wait();
                return Err(Bounded::TimedOut);
            }
        }
    };
    Ok(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

fn hash_tree(path: &Path, hasher: &mut Fnv) -> Result<(), (PathBuf, std::io::Error)> {
    let err = |e| (path.to_path_buf(), e);
    let meta = fs::metadata(path).map_err(err)?;
    if meta.is_dir() {
        let mut children: Vec<PathBuf> = fs::read_dir(path)
            .map_err(err)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        children.sort();
        for child in children {
            hasher.write(child.file_name().map_or(&[][..], |n| n.as_encoded_bytes()));
            hasher.write(&[0]);
            hash_tree(&child, hasher)?;
        }
    } else {
        hasher.write(&fs::read(path).map_err(err)?);
        hasher.write(&[1]);
    }
    Ok(())
}

/// 64-bit FNV-1a: stable across Rust versions, unlike `DefaultHasher`.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

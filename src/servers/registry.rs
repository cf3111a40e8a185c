//! The registry of reference servers: every `reference-servers/*/server.toml`
//! read once, looked up by name, and each entry's toolchain check
//! ([`ServerEntry::availability`]) and runtime version.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::manifest::{Placeholders, ServerManifest};
use super::Error;
use crate::results::ServerInfo;

/// Environment variable naming the folder of server folders, instead of
/// `<workspace>/reference-servers` (tests point it at a folder of test servers).
pub const SERVERS_DIR_ENV: &str = "GAUNTLET_SERVERS_DIR";

/// How long a version command may take before it is given up on.
const VERSION_TIMEOUT: Duration = Duration::from_secs(15);

/// One server: its manifest (placeholders expanded) and where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerEntry {
    /// The manifest, with `{target_dir}`, `{workspace}` and `{server_dir}` expanded.
    pub manifest: ServerManifest,
    /// The server's folder (commands run there).
    pub dir: PathBuf,
    /// The Cargo target folder; build stamps live in `gauntlet-builds/` under it.
    pub target_dir: PathBuf,
}

/// Every server found in one folder, sorted by name.
#[derive(Debug, Clone)]
pub struct Registry {
    dir: PathBuf,
    entries: Vec<ServerEntry>,
}

impl Registry {
    /// The servers of `$GAUNTLET_SERVERS_DIR`, or else of `reference-servers/`
    /// in the first folder, from the current one upward, that has it.
    pub fn discover() -> Result<Registry, Error> {
        if let Some(dir) = std::env::var_os(SERVERS_DIR_ENV).filter(|d| !d.is_empty()) {
            return Self::from_dir(Path::new(&dir)).map_err(|e| Error::FromEnv(Box::new(e)));
        }
        let cwd = std::env::current_dir().map_err(Error::CurrentFolder)?;
        for folder in cwd.ancestors() {
            let candidate = folder.join("reference-servers");
            if candidate.is_dir() {
                return Self::from_dir(&candidate);
            }
        }
        Err(Error::NoServersFolder { cwd })
    }

    /// The servers in `dir`: every subfolder holding a `server.toml`. The
    /// workspace is taken to be the parent of `dir`.
    pub fn from_dir(dir: &Path) -> Result<Registry, Error> {
        let dir = dir.canonicalize().map_err(|source| Error::Folder {
            path: dir.to_path_buf(),
            source,
        })?;
        let workspace = dir.parent().unwrap_or(&dir).to_path_buf();
        let target_dir = std::env::var_os("CARGO_TARGET_DIR")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .map(|d| {
                if d.is_relative() {
                    workspace.join(d)
                } else {
                    d
                }
            })
            .unwrap_or_else(|| workspace.join("target"));
        let mut entries = Vec::new();
        let listing_error = |source| Error::Listing {
            path: dir.clone(),
            source,
        };
        let listing = std::fs::read_dir(&dir).map_err(listing_error)?;
        for item in listing {
            let item = item.map_err(listing_error)?;
            let server_dir = item.path();
            let manifest_path = server_dir.join("server.toml");
            if !server_dir.is_dir() || !manifest_path.is_file() {
                continue;
            }
            let manifest = ServerManifest::read(&manifest_path).map_err(Error::BadManifest)?;
            let places = Placeholders {
                target_dir: target_dir.clone(),
                workspace: workspace.clone(),
                server_dir: server_dir.clone(),
            };
            entries.push(ServerEntry {
                manifest: manifest.expanded(&places),
                dir: server_dir,
                target_dir: target_dir.clone(),
            });
        }
        entries.sort_by(|a, b| a.manifest.name.cmp(&b.manifest.name));
        Ok(Registry { dir, entries })
    }

    /// The folder the servers were read from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every server, sorted by name.
    pub fn entries(&self) -> &[ServerEntry] {
        &self.entries
    }

    /// The names of every server, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.name()).collect()
    }

    /// Every server's name and tier, sorted by name (what scenario
    /// validation needs to resolve `servers = "tier:..."`).
    pub fn names_and_tiers(&self) -> Vec<(&str, super::Tier)> {
        self.entries
            .iter()
            .map(|e| (e.name(), e.manifest.tier))
            .collect()
    }

    /// The server called `name`; an unknown name is an input error (exit 2)
    /// that lists the known names.
    pub fn get(&self, name: &str) -> Result<&ServerEntry, Error> {
        self.entries
            .iter()
            .find(|e| e.manifest.name == name)
            .ok_or_else(|| {
                let names = self.names();
                let known = if names.is_empty() {
                    format!(": there are no servers in {}", self.dir.display())
                } else {
                    format!("; known servers: {}", names.join(", "))
                };
                Error::UnknownServer {
                    name: name.to_string(),
                    known,
                }
            })
    }
}

impl ServerEntry {
    /// The server's name.
    pub fn name(&self) -> &str {
        &self.manifest.name
    }

    /// Ok, or the reason the server cannot run here (an executable of
    /// `requires` missing from PATH).
    pub fn availability(&self) -> Result<(), String> {
        let missing: Vec<&str> = self
            .manifest
            .requires
            .iter()
            .filter(|exe| find_executable(exe).is_none())
            .map(String::as_str)
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!("not found on PATH: {}", missing.join(", ")))
        }
    }

    /// The first line the version command prints (stdout, else stderr), or
    /// `unknown (<why>)`.
    pub fn runtime_version(&self) -> String {
        match self.run_version_command() {
            Ok(line) => line,
            Err(why) => format!("unknown ({why})"),
        }
    }

    fn run_version_command(&self) -> Result<String, String> {
        let cmd = &self.manifest.version_command;
        let mut child = Command::new(self.program(&cmd[0]))
            .args(&cmd[1..])
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{}: {e}", cmd[0]))?;
        let deadline = std::time::Instant::now() + VERSION_TIMEOUT;
        loop {
            match child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("{} took over {VERSION_TIMEOUT:?}", cmd[0]));
                }
                Err(e) => return Err(e.to_string()),
            }
        }
        let output = child.wait_with_output().map_err(|e| e.to_string())?;
        let first_line = |bytes: &[u8]| {
            String::from_utf8_lossy(bytes)
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(str::to_string)
        };
        first_line(&output.stdout)
            .or_else(|| first_line(&output.stderr))
            .ok_or_else(|| format!("{} printed nothing ({})", cmd[0], output.status))
    }

    /// The program of a command as it will be started: a relative path with
    /// a `/` (e.g. `build/server`) is taken from the server's folder, a bare
    /// name is looked up on PATH, an absolute path is kept.
    pub fn program(&self, program: &str) -> PathBuf {
        let path = Path::new(program);
        if program.contains('/') && path.is_relative() {
            self.dir.join(path)
        } else {
            path.to_path_buf()
        }
    }

    /// The server's identity for a result file.
    pub fn info(&self, runtime_version: String) -> ServerInfo {
        ServerInfo {
            name: self.manifest.name.clone(),
            language: self.manifest.language.clone(),
            runtime: self.manifest.runtime.clone(),
            runtime_version,
            concurrency_model: self.manifest.concurrency_model.clone(),
            tier: self.manifest.tier,
        }
    }
}

/// Where `program` would be found: itself when it names a path, else the
/// first executable file of that name in the folders of `$PATH`.
pub fn find_executable(program: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let is_exe = |p: &Path| {
        p.metadata()
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    };
    if program.contains('/') {
        let p = PathBuf::from(program);
        return is_exe(&p).then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| is_exe(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sh_and_not_nonsense() {
        assert!(find_executable("sh").is_some());
        assert!(find_executable("no-such-program-gauntlet").is_none());
    }
}

//! The `server.toml` manifest of one reference server (format documented in
//! reference-servers/README.md): reading it strictly (unknown keys are
//! errors that name the file, line and key) and expanding the placeholders
//! `{target_dir}`, `{workspace}` and `{server_dir}`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// One server's manifest, as written in its `server.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerManifest {
    /// Server name; must equal the folder name, e.g. `rust-hyper`.
    pub name: String,
    /// Language, e.g. `Rust`.
    pub language: String,
    /// What runs the code, e.g. `tokio multi-thread + hyper 1`.
    pub runtime: String,
    /// The concurrency model in one line.
    pub concurrency_model: String,
    /// `stdlib` or `framework`; `stdlib` when absent (see [`super::tier`]).
    #[serde(default)]
    pub tier: super::Tier,
    /// Executables that must be on PATH; otherwise the server is skipped.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Command printing the runtime's version (first line of stdout or stderr kept).
    pub version_command: Vec<String>,
    /// Build command, run in the server's folder; empty when nothing is built.
    #[serde(default)]
    pub build: Vec<String>,
    /// Files and folders (relative to the server's folder) whose change
    /// invalidates the cached build.
    #[serde(default)]
    pub build_inputs: Vec<String>,
    /// Run command, run in the server's folder.
    pub run: Vec<String>,
    /// Environment variable that carries the port.
    #[serde(default = "default_port_env")]
    pub port_env: String,
    /// Path polled for readiness (a 200 answer means ready).
    #[serde(default = "default_ready_path")]
    pub ready_path: String,
    /// How long `gauntlet verify` waits for readiness, e.g. `"180s"`, for a
    /// server that is slow to start (a framework on the JVM on a loaded
    /// machine); `verify`'s default when absent. Scenario runs use their own
    /// `startup_timeout`.
    #[serde(default)]
    pub ready_timeout: Option<String>,
    /// Extra environment for the run command.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// What a deployment consists of: files and folders whose bytes make the
    /// deployable footprint (`!` excludes; `{exe:}`, `{file:}`,
    /// `{realpath:}` resolved at run time, see `servers::footprint`).
    #[serde(default)]
    pub footprint: Vec<String>,
}

fn default_port_env() -> String {
    "PORT".to_string()
}

fn default_ready_path() -> String {
    "/plaintext".to_string()
}

/// Why a manifest could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The manifest file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML is malformed, has an unknown key, a missing key or a wrong type.
    #[error("{path}: {message}")]
    Syntax {
        /// The manifest file.
        path: PathBuf,
        /// toml's message: line, column, the key and what was expected.
        message: String,
    },
    /// The TOML is well formed but a value is not acceptable.
    #[error("{path}: key `{key}`: {message}")]
    Invalid {
        /// The manifest file.
        path: PathBuf,
        /// The key at fault.
        key: String,
        /// What is wrong and what is expected.
        message: String,
    },
}

/// Values substituted for the placeholders in commands and `[env]` values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholders {
    /// `{target_dir}`: the Cargo target folder.
    pub target_dir: PathBuf,
    /// `{workspace}`: the repository root.
    pub workspace: PathBuf,
    /// `{server_dir}`: the server's own folder.
    pub server_dir: PathBuf,
}

impl Placeholders {
    /// Replaces every placeholder in `text`.
    pub fn expand(&self, text: &str) -> String {
        text.replace("{target_dir}", &self.target_dir.to_string_lossy())
            .replace("{workspace}", &self.workspace.to_string_lossy())
            .replace("{server_dir}", &self.server_dir.to_string_lossy())
    }
}

impl ServerManifest {
    /// Parses manifest text; `path` is only used in error messages and to
    /// check that `name` equals the folder name.
    pub fn parse(path: &Path, text: &str) -> Result<ServerManifest, ManifestError> {
        let manifest: ServerManifest = toml::from_str(text).map_err(|e| ManifestError::Syntax {
            path: path.to_path_buf(),
            message: crate::suggest::with_suggestion(e.to_string().trim_end()),
        })?;
        manifest.validate(path)?;
        Ok(manifest)
    }

    /// Reads and parses `path`.
    pub fn read(path: &Path) -> Result<ServerManifest, ManifestError> {
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text)
    }

    fn validate(&self, path: &Path) -> Result<(), ManifestError> {
        let invalid = |key: &str, message: String| ManifestError::Invalid {
            path: path.to_path_buf(),
            key: key.to_string(),
            message,
        };
        let folder = path
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned());
        if self.name.is_empty() {
            return Err(invalid("name", "must not be empty".into()));
        }
        if let Some(folder) = folder {
            if folder != self.name {
                return Err(invalid(
                    "name",
                    format!(
                        "is {:?} but must equal the folder name {folder:?}",
                        self.name
                    ),
                ));
            }
        }
        for (key, cmd) in [
            ("run", &self.run),
            ("version_command", &self.version_command),
        ] {
            if cmd.first().map_or(true, |p| p.is_empty()) {
                return Err(invalid(
                    key,
                    "expected a non-empty argument list, e.g. [\"program\", \"arg\"]".into(),
                ));
            }
        }
        if !self.build.is_empty() && self.build[0].is_empty() {
            return Err(invalid(
                "build",
                "the program (first element) must not be empty".into(),
            ));
        }
        if !self.ready_path.starts_with('/') {
            return Err(invalid(
                "ready_path",
                format!(
                    "{:?} must start with `/`, e.g. \"/plaintext\"",
                    self.ready_path
                ),
            ));
        }
        if let Some(text) = &self.ready_timeout {
            if humantime::parse_duration(text.trim()).is_err() {
                return Err(invalid(
                    "ready_timeout",
                    format!("{text:?} is not a duration; expected e.g. \"180s\" or \"2m\""),
                ));
            }
        }
        if self.port_env.is_empty() || self.port_env.contains('=') {
            return Err(invalid(
                "port_env",
                "expected an environment variable name such as \"PORT\"".into(),
            ));
        }
        Ok(())
    }

    /// `ready_timeout` as a duration (checked when the manifest was read).
    pub fn ready_timeout(&self) -> Option<std::time::Duration> {
        self.ready_timeout
            .as_deref()
            .and_then(|t| humantime::parse_duration(t.trim()).ok())
    }

    /// A copy with every placeholder expanded in `version_command`, `build`,
    /// `run` and the `[env]` values.
    pub fn expanded(&self, places: &Placeholders) -> ServerManifest {
        let list = |v: &[String]| v.iter().map(|s| places.expand(s)).collect::<Vec<_>>();
        ServerManifest {
            version_command: list(&self.version_command),
            build: list(&self.build),
            run: list(&self.run),
            footprint: list(&self.footprint),
            env: self
                .env
                .iter()
                .map(|(k, v)| (k.clone(), places.expand(v)))
                .collect(),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
name = "demo"
language = "Rust"
runtime = "std"
concurrency_model = "one thread per connection"
requires = ["cargo"]
version_command = ["rustc", "--version"]
build = ["cargo", "build"]
build_inputs = ["src"]
run = ["{target_dir}/release/demo", "--dir", "{server_dir}"]
[env]
HOME_OF = "{workspace}/x"
"#;

    fn path() -> PathBuf {
        PathBuf::from("/ws/reference-servers/demo/server.toml")
    }

    #[test]
    fn parses_and_fills_defaults() {
        let m = ServerManifest::parse(&path(), GOOD).unwrap();
        assert_eq!(m.port_env, "PORT");
        assert_eq!(m.ready_path, "/plaintext");
        let places = Placeholders {
            target_dir: "/ws/target".into(),
            workspace: "/ws".into(),
            server_dir: "/ws/reference-servers/demo".into(),
        };
        let e = m.expanded(&places);
        assert_eq!(
            e.run,
            [
                "/ws/target/release/demo",
                "--dir",
                "/ws/reference-servers/demo"
            ]
        );
        assert_eq!(e.env["HOME_OF"], "/ws/x");
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let text = GOOD.replace("requires", "require");
        let err = ServerManifest::parse(&path(), &text)
            .unwrap_err()
            .to_string();
        assert!(err.contains("server.toml"), "{err}");
        assert!(err.contains("line 6"), "{err}");
        assert!(err.contains("require"), "{err}");
    }

    #[test]
    fn name_must_match_folder() {
        let text = GOOD.replace("\"demo\"", "\"other\"");
        let err = ServerManifest::parse(&path(), &text)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("key `name`") && err.contains("folder"),
            "{err}"
        );
    }

    #[test]
    fn empty_run_is_rejected_with_the_expected_form() {
        let text = GOOD.replace(
            "run = [\"{target_dir}/release/demo\", \"--dir\", \"{server_dir}\"]",
            "run = []",
        );
        let err = ServerManifest::parse(&path(), &text)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("key `run`") && err.contains("argument list"),
            "{err}"
        );
    }
}

//! Measuring a server's deployable footprint from its manifest's `footprint`
//! key (reference-servers/README.md): each entry is a file or folder, with
//! the manifest placeholders already expanded and three more resolved here,
//! at run time:
//!
//! - `{exe:NAME}`: the executable NAME found on `PATH`, symlinks resolved
//!   (a shim or a symlink counts as what it points to);
//! - `{file:PATH}`: the first line of the file PATH (e.g. the JDK home that
//!   the Java build recorded);
//! - `{realpath:PATH}`: PATH with every symlink resolved (e.g. the Python
//!   interpreter a virtualenv links to), so `{realpath:...}/../..` is its
//!   installation prefix.
//!
//! An entry starting with `!` is excluded (its bytes are subtracted from a
//! folder counted by another entry). A `*` inside a path component matches
//! any name there (`lib/python3*/site-packages`). Folders are walked without
//! following symlinks; every regular file counts once (by device and inode),
//! with its apparent size.

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};

use crate::results::{Footprint, FootprintEntry};

/// Expands the run-time placeholders of one entry (innermost first).
pub fn resolve(entry: &str) -> Result<String, String> {
    let mut text = entry.to_string();
    // Innermost placeholder first: the last `{` whose `}` follows.
    for _ in 0..16 {
        let Some(open) = text.rfind('{') else {
            return Ok(text);
        };
        let close = text[open..]
            .find('}')
            .map(|i| open + i)
            .ok_or_else(|| format!("unclosed `{{` in {entry:?}"))?;
        let inner = &text[open + 1..close];
        let value = if let Some(name) = inner.strip_prefix("exe:") {
            let found = super::registry::find_executable(name)
                .ok_or_else(|| format!("{{exe:{name}}}: {name} is not on PATH"))?;
            canonical(&found)?
        } else if let Some(path) = inner.strip_prefix("file:") {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("{{file:{path}}}: cannot read it: {e}"))?;
            text.lines().next().unwrap_or("").trim().to_string()
        } else if let Some(path) = inner.strip_prefix("realpath:") {
            canonical(Path::new(path))?
        } else {
            return Err(format!(
                "unknown placeholder {{{inner}}} in {entry:?}; expected {{exe:NAME}}, \
                 {{file:PATH}} or {{realpath:PATH}} (and {{server_dir}}, {{target_dir}}, {{workspace}})"
            ));
        };
        text.replace_range(open..=close, &value);
    }
    Err(format!("too many placeholders in {entry:?}"))
}

fn canonical(path: &Path) -> Result<String, String> {
    std::fs::canonicalize(path)
        .map(|p| p.to_string_lossy().into_owned())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// `..` and `.` removed lexically (after `{realpath:}` there is no symlink
/// left for `..` to misread).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Every existing path a pattern with `*` components matches.
fn expand_glob(path: &Path) -> Vec<PathBuf> {
    let mut found = vec![PathBuf::new()];
    for c in path.components() {
        let part = c.as_os_str().to_string_lossy();
        if !part.contains('*') {
            for p in &mut found {
                p.push(c);
            }
            continue;
        }
        let (prefix, suffix) = part.split_once('*').unwrap_or((&part, ""));
        let mut next = Vec::new();
        for dir in &found {
            let Ok(items) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut names: Vec<PathBuf> = items
                .filter_map(|e| e.ok())
                .filter(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n.len() >= prefix.len() + suffix.len()
                        && n.starts_with(prefix)
                        && n.ends_with(suffix)
                })
                .map(|e| e.path())
                .collect();
            names.sort();
            next.extend(names);
        }
        found = next;
    }
    found.retain(|p| p.symlink_metadata().is_ok());
    found
}

/// Walks `root` (not following symlinks), calling `f` with every regular
/// file's (device, inode) and size.
fn walk(root: &Path, f: &mut dyn FnMut((u64, u64), u64)) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(root)?;
    if meta.is_file() {
        f((meta.dev(), meta.ino()), meta.len());
    } else if meta.is_dir() {
        for item in std::fs::read_dir(root)? {
            walk(&item?.path(), f)?;
        }
    }
    Ok(())
}

/// Measures the footprint of `entries` (the manifest's `footprint`, base
/// placeholders expanded).
pub fn measure(entries: &[String]) -> Footprint {
    let mut counted: HashSet<(u64, u64)> = HashSet::new();
    let mut excluded: HashSet<(u64, u64)> = HashSet::new();
    let mut out = Vec::new();
    // Exclusions first, so a file both included and excluded is left out.
    let order = entries
        .iter()
        .filter(|e| e.starts_with('!'))
        .chain(entries.iter().filter(|e| !e.starts_with('!')));
    for raw in order {
        let exclude = raw.starts_with('!');
        let text = raw.trim_start_matches('!');
        let mut entry = FootprintEntry {
            entry: raw.clone(),
            path: None,
            exclude,
            bytes: 0,
            files: 0,
            error: None,
        };
        match resolve(text) {
            Err(e) => entry.error = Some(e),
            Ok(path) => {
                let pattern = normalize(Path::new(&path));
                entry.path = Some(pattern.display().to_string());
                let matches = expand_glob(&pattern);
                if matches.is_empty() && !exclude {
                    entry.error = Some(format!("{} does not exist", pattern.display()));
                }
                for m in matches {
                    let mut add = |key: (u64, u64), size: u64| {
                        let fresh = if exclude {
                            excluded.insert(key)
                        } else {
                            !excluded.contains(&key) && counted.insert(key)
                        };
                        if fresh {
                            entry.bytes += size;
                            entry.files += 1;
                        }
                    };
                    if let Err(e) = walk(&m, &mut add) {
                        entry.error = Some(format!("{}: {e}", m.display()));
                    }
                }
            }
        }
        out.push(entry);
    }
    let included = out.iter().filter(|e| !e.exclude);
    Footprint {
        bytes: included.clone().map(|e| e.bytes).sum(),
        files: included.map(|e| e.files).sum(),
        complete: out.iter().all(|e| e.error.is_none()),
        entries: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_parent_components() {
        assert_eq!(
            normalize(Path::new("/a/b/../c/./d")),
            PathBuf::from("/a/c/d")
        );
    }

    #[test]
    fn unknown_placeholder_names_the_expected_forms() {
        let err = resolve("{nope:x}").unwrap_err();
        assert!(err.contains("{exe:NAME}"), "{err}");
    }

    #[test]
    fn sizes_files_once_and_subtracts_exclusions() {
        let dir = std::env::temp_dir().join(format!("gauntlet-fp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("lib/python3.11/site-packages")).unwrap();
        std::fs::write(dir.join("bin"), vec![0u8; 1000]).unwrap();
        std::fs::write(dir.join("lib/python3.11/os.py"), vec![0u8; 300]).unwrap();
        std::fs::write(
            dir.join("lib/python3.11/site-packages/big"),
            vec![0u8; 5000],
        )
        .unwrap();
        std::fs::write(dir.join("home"), format!("{}\n", dir.display())).unwrap();
        let d = dir.display();
        let fp = measure(&[
            format!("{d}/bin"),
            format!("{{file:{d}/home}}/lib"),
            format!("!{d}/lib/python3*/site-packages"),
            // The same file twice counts once.
            format!("{d}/bin"),
        ]);
        assert!(fp.complete, "{fp:?}");
        assert_eq!(fp.bytes, 1300);
        assert_eq!(fp.files, 2);
        let missing = measure(&[format!("{d}/nothing-here")]);
        assert!(!missing.complete);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

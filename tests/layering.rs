//! The house is layered: the command line (`crate::cli`, clap) sits above
//! everything, and only the face (`src/commands/`, `src/app.rs`,
//! `src/main.rs`) knows it. Domain modules take plain option structs and
//! return typed results, never the process's exit code; every typed error
//! that says whether it is the user's (`exit::Classify`) is one that
//! `exit::classify` looks for. This test reads the sources so the layering
//! cannot slide back unnoticed.

use std::path::{Path, PathBuf};

/// Files allowed to know the command line: the face, the definitions
/// themselves, `exit` (a clap parse error is a usage error, exit 2) and
/// `flags` (a unit test that its words match clap's boolean parser).
const FACE: &[&str] = &[
    "src/cli.rs",
    "src/app.rs",
    "src/main.rs",
    "src/commands/",
    "src/exit.rs",
    "src/flags.rs",
];

/// Domain modules: they must not decide the process's exit code.
const DOMAIN: &[&str] = &[
    "src/load/",
    "src/scenario/",
    "src/report/",
    "src/compare/",
    "src/verify/",
    "src/servers/",
    "src/claims/",
    "src/merge/",
    "src/kube/",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The sources as (path relative to the crate, code lines with `//`
/// comments removed and their line numbers).
fn sources() -> Vec<(String, Vec<(usize, String)>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    assert!(files.len() > 50, "found only {} source files", files.len());
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let lines = text
                .lines()
                .enumerate()
                .map(|(i, line)| {
                    let code = line.split("//").next().unwrap_or("").to_string();
                    (i + 1, code)
                })
                .collect();
            (rel, lines)
        })
        .collect()
}

fn under(path: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| path.starts_with(p))
}

/// Where a forbidden reference occurs, as `file:line: code`.
fn offenders(scope: impl Fn(&str) -> bool, forbidden: impl Fn(&str) -> bool) -> Vec<String> {
    sources()
        .into_iter()
        .filter(|(path, _)| scope(path))
        .flat_map(|(path, lines)| {
            lines
                .into_iter()
                .filter(|(_, code)| forbidden(code))
                .map(move |(n, code)| format!("{path}:{n}: {}", code.trim()))
        })
        .collect()
}

fn names_the_cli(code: &str) -> bool {
    code.contains("crate::cli") || code.contains("gauntlet::cli") || code.contains("clap::")
}

#[test]
fn only_the_face_knows_the_command_line() {
    let found = offenders(|path| !under(path, FACE), names_the_cli);
    assert!(
        found.is_empty(),
        "modules below the face import the command line (move the conversion into \
         src/commands/ and take a plain options struct instead):\n{}",
        found.join("\n")
    );
}

#[test]
fn domain_modules_do_not_choose_exit_codes() {
    let found = offenders(
        |path| under(path, DOMAIN),
        |code| {
            code.contains("exit::Outcome")
                || (code.contains("exit::{") && code.contains("Outcome"))
                || code.contains("Outcome::Success")
                || code.contains("Outcome::Failed")
        },
    );
    assert!(
        found.is_empty(),
        "domain modules return exit::Outcome (return a typed result and map it in \
         src/commands/):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_sees_a_violation() {
    // The scanner itself must notice the forms it forbids.
    assert!(names_the_cli("use crate::cli::BenchArgs;"));
    assert!(names_the_cli(
        "pub fn execute(args: &crate::cli::ReportArgs)"
    ));
    assert!(names_the_cli("use clap::Args;"));
    assert!(!names_the_cli("use crate::load::bench::BenchOptions;"));
    // And the face is where the command line is used.
    let face = offenders(|path| path.starts_with("src/commands/"), names_the_cli);
    assert!(!face.is_empty(), "src/commands/ no longer uses crate::cli?");
}

/// The type named by `impl ... Classify for TYPE {` in `path`, as
/// `crate::module::TYPE` (the module is the file's folder under `src/`, or
/// the file itself for `src/name.rs`).
fn classified_type(path: &str, code: &str) -> Option<String> {
    let ty = code
        .split("Classify for ")
        .nth(1)?
        .split_whitespace()
        .next()?;
    let module = path.strip_prefix("src/")?.split('/').next()?;
    let module = module.strip_suffix(".rs").unwrap_or(module);
    Some(format!("crate::{module}::{ty}"))
}

#[test]
fn every_classified_error_is_known_to_the_exit_code() {
    // exit::classify finds typed errors in an anyhow chain by downcasting to
    // each type it lists: a type that implements Classify but is missing
    // from that list would silently exit 1 even for the user's mistakes.
    let exit_rs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/exit.rs")).unwrap();
    let listed = exit_rs
        .split("by_variant!(")
        .nth(1)
        .and_then(|s| s.split(");").next())
        .expect("exit.rs lists its types in a by_variant!( ... ); call");
    let mut types = Vec::new();
    for (path, lines) in sources() {
        for (n, code) in lines {
            if code.contains("Classify for ") && code.trim_start().starts_with("impl") {
                let ty = classified_type(&path, &code)
                    .unwrap_or_else(|| panic!("{path}:{n}: cannot read the type in {code:?}"));
                types.push((format!("{path}:{n}"), ty));
            }
        }
    }
    assert!(types.len() >= 10, "found only {types:?}");
    let missing: Vec<String> = types
        .iter()
        .filter(|(_, ty)| !listed.contains(&format!("{ty},")))
        .map(|(at, ty)| format!("{at}: {ty}"))
        .collect();
    assert!(
        missing.is_empty(),
        "these implement exit::Classify but exit::classify does not list them \
         (add them to its by_variant! list):\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_classify_check_reads_the_type_and_its_module() {
    assert_eq!(
        classified_type(
            "src/load/error.rs",
            "impl crate::exit::Classify for Error {"
        )
        .as_deref(),
        Some("crate::load::Error")
    );
    assert_eq!(
        classified_type(
            "src/results/read.rs",
            "impl crate::exit::Classify for ReadError {"
        )
        .as_deref(),
        Some("crate::results::ReadError")
    );
}

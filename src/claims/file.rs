//! The claims file (`claims/claims.toml`, documented in claims/README.md):
//! raw TOML with the span of every value, then validated claims. Every error
//! names the file, line and column, the key, and what was expected.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::predicate::{Predicate, Term};

/// Why a claims file was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimsFileError {
    /// The file could not be read.
    #[error("cannot read claims file {file}: {reason} (give another with --claims FILE)")]
    Read {
        /// The file.
        file: PathBuf,
        /// The OS error.
        reason: String,
    },
    /// Something is wrong at a known place.
    #[error("{file}:{line}:{column}: key `{key}`: {message}")]
    At {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The key at fault.
        key: String,
        /// What is wrong and what is expected.
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    /// Servers a predicate may name besides the reference servers: variants
    /// that scenarios define (`python-uvicorn-2cpu`) and servers not added yet.
    #[serde(default)]
    servers: Vec<String>,
    #[serde(default)]
    claim: Vec<Spanned<RawClaim>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaim {
    id: Spanned<String>,
    claim: Spanned<String>,
    scenario: Option<Spanned<String>>,
    predicate: Option<Spanned<String>>,
    not_testable: Option<Spanned<String>>,
    #[serde(default)]
    note: String,
}

/// What a claim is checked against.
#[derive(Debug, Clone)]
pub enum Test {
    /// A figure and the values that support the claim.
    Predicate(Predicate),
    /// Gauntlet does not measure the settling figure yet; why (and what it needs).
    NotTestable(String),
}

/// One validated claim.
#[derive(Debug, Clone)]
pub struct Claim {
    /// Stable id, e.g. `C1` or `C1a` (a part of C1).
    pub id: String,
    /// The claim as articles put it.
    pub claim: String,
    /// How the predicate reads the claim (choices made, caveats).
    pub note: String,
    /// The predicate, or why it cannot be tested.
    pub test: Test,
    /// Every scenario × server the predicate needs, in order, with every term's
    /// scenario resolved.
    pub needs: Vec<(String, String)>,
}

/// A whole claims file.
#[derive(Debug, Clone)]
pub struct ClaimsFile {
    /// The file read.
    pub path: PathBuf,
    /// Its claims, in file order.
    pub claims: Vec<Claim>,
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.chars().count(), |nl| {
        before[nl + 1..].chars().count()
    }) + 1;
    (line, column)
}

struct Ctx<'a> {
    file: &'a Path,
    text: &'a str,
}

impl Ctx<'_> {
    fn at(&self, offset: usize, key: &str, message: impl Into<String>) -> ClaimsFileError {
        let (line, column) = line_column(self.text, offset);
        ClaimsFileError::At {
            file: self.file.to_path_buf(),
            line,
            column,
            key: key.to_string(),
            message: message.into(),
        }
    }

    /// Offset of character `inner` of a string value (past its opening quote).
    fn inside(&self, span: Range<usize>, inner: usize) -> usize {
        let quote = if self.text[span.start..].starts_with("'''")
            || self.text[span.start..].starts_with("\"\"\"")
        {
            3
        } else {
            1
        };
        span.start + quote + inner
    }
}

fn valid_id(id: &str) -> bool {
    let rest = id.strip_prefix('C').unwrap_or("");
    let digits = rest.trim_end_matches(|c: char| c.is_ascii_lowercase());
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
        && rest.len() - digits.len() <= 1
}

impl ClaimsFile {
    /// Reads and validates a claims file. `known_servers`, when given, are
    /// the reference servers' names: a predicate naming another is an error.
    pub fn load(path: &Path, known_servers: Option<&[&str]>) -> Result<Self, ClaimsFileError> {
        let text = std::fs::read_to_string(path).map_err(|e| ClaimsFileError::Read {
            file: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Self::parse(path, &text, known_servers)
    }

    /// Validates the text of a claims file read from `path`.
    pub fn parse(
        path: &Path,
        text: &str,
        known_servers: Option<&[&str]>,
    ) -> Result<Self, ClaimsFileError> {
        let cx = Ctx { file: path, text };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            let (line, _) = line_column(text, offset);
            let line_text = text.lines().nth(line - 1).unwrap_or("");
            let key = line_text
                .split_once('=')
                .map(|(k, _)| k.trim().to_string())
                .unwrap_or_else(|| line_text.trim().to_string());
            cx.at(
                offset,
                &key,
                crate::suggest::with_suggestion(e.message().trim()),
            )
        })?;
        if raw.claim.is_empty() {
            return Err(cx.at(
                0,
                "claim",
                "no claims: expected `[[claim]]` tables with id, claim and predicate or not_testable",
            ));
        }
        // The file's own `servers` extend the known ones.
        let extended: Option<Vec<&str>> = known_servers.map(|k| {
            k.iter()
                .copied()
                .chain(raw.servers.iter().map(String::as_str))
                .collect()
        });
        let known_servers = extended.as_deref();
        let mut seen: Vec<(String, usize)> = Vec::new();
        let mut claims = Vec::new();
        for raw_claim in raw.claim {
            let table_start = raw_claim.span().start;
            let c = raw_claim.into_inner();
            let id = c.id.get_ref().trim().to_string();
            if !valid_id(&id) {
                return Err(cx.at(
                    c.id.span().start,
                    "id",
                    format!("{id:?} is not a claim id: expected C and a number, with an optional letter for a part (C4, C1a)"),
                ));
            }
            if let Some((_, first)) = seen.iter().find(|(s, _)| *s == id) {
                let (line, _) = line_column(text, *first);
                return Err(cx.at(
                    c.id.span().start,
                    "id",
                    format!("duplicate id {id:?}: already used on line {line}"),
                ));
            }
            seen.push((id.clone(), c.id.span().start));
            if c.claim.get_ref().trim().is_empty() {
                return Err(cx.at(
                    c.claim.span().start,
                    "claim",
                    "expected the claim's wording",
                ));
            }
            let scenario = c.scenario.as_ref().map(|s| s.get_ref().trim().to_string());
            if let Some(s) = &c.scenario {
                if s.get_ref().trim().is_empty() || s.get_ref().contains(char::is_whitespace) {
                    return Err(cx.at(
                        s.span().start,
                        "scenario",
                        "expected a scenario name such as \"plaintext\"",
                    ));
                }
            }
            let (test, needs) = match (&c.predicate, &c.not_testable) {
                (Some(p), None) => {
                    let predicate: Predicate = p.get_ref().parse().map_err(
                        |e: super::predicate::PredicateError| {
                            cx.at(cx.inside(p.span(), e.offset), "predicate", e.message)
                        },
                    )?;
                    let mut needs = Vec::new();
                    for term in predicate.expr.terms() {
                        check_server(&cx, p, term, known_servers)?;
                        let Some(sc) = term.scenario.clone().or_else(|| scenario.clone()) else {
                            return Err(cx.at(
                                cx.inside(p.span(), term.server_offset),
                                "predicate",
                                format!(
                                    "no scenario for {}: write `{}({} @ SCENARIO)` or set `scenario = \"...\"` in the claim",
                                    term.server, term.metric.name, term.server
                                ),
                            ));
                        };
                        needs.push((sc, term.server.clone()));
                    }
                    (Test::Predicate(predicate), needs)
                }
                (None, Some(reason)) if !reason.get_ref().trim().is_empty() => (
                    Test::NotTestable(reason.get_ref().trim().to_string()),
                    Vec::new(),
                ),
                (None, Some(reason)) => {
                    return Err(cx.at(
                        reason.span().start,
                        "not_testable",
                        "expected the reason, e.g. \"needs: a deployable-footprint measurement\"",
                    ))
                }
                (Some(p), Some(_)) => {
                    return Err(cx.at(
                        p.span().start,
                        "predicate",
                        "a claim has either `predicate` or `not_testable`, not both",
                    ))
                }
                (None, None) => {
                    return Err(cx.at(
                        table_start,
                        "predicate",
                        format!("claim {id} has neither `predicate` (e.g. \"rss_peak(go-nethttp) in 10MB..50MB\") nor `not_testable = \"reason\"`"),
                    ))
                }
            };
            claims.push(Claim {
                id,
                claim: c.claim.into_inner().trim().to_string(),
                note: c.note.trim().to_string(),
                test,
                needs,
            });
        }
        Ok(ClaimsFile {
            path: path.to_path_buf(),
            claims,
        })
    }
}

fn check_server(
    cx: &Ctx<'_>,
    predicate: &Spanned<String>,
    term: &Term,
    known: Option<&[&str]>,
) -> Result<(), ClaimsFileError> {
    let Some(known) = known else { return Ok(()) };
    if known.contains(&term.server.as_str()) {
        return Ok(());
    }
    let list: BTreeSet<&str> = known.iter().copied().collect();
    Err(cx.at(
        cx.inside(predicate.span(), term.server_offset),
        "predicate",
        format!(
            "unknown server {:?}; known: {}",
            term.server,
            list.into_iter().collect::<Vec<_>>().join(", ")
        ),
    ))
}

//! The outputs of `gauntlet claims`: a plain table for the terminal, a
//! Markdown table for a report or pull request, and JSON. Each states the
//! hardware the figures were measured on.

use std::fmt::Write as _;

use super::evaluate::Evaluation;

fn hardware_lines(e: &Evaluation) -> Vec<String> {
    if e.hardware_all.is_empty() {
        return vec!["hardware: unknown (no result folder read)".into()];
    }
    let mut lines: Vec<String> = e
        .hardware_all
        .iter()
        .map(|h| format!("hardware: {}", h.line()))
        .collect();
    if lines.len() > 1 {
        lines.push(
            "note: the folders come from different machines; a claim is never evaluated across machines"
                .into(),
        );
    }
    lines
}

/// The terminal table: one block per claim.
pub fn text(e: &Evaluation) -> String {
    let mut out = String::new();
    for line in hardware_lines(e) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "claims: {}\n", e.claims_file);
    let width = e.claims.iter().map(|c| c.id.len()).max().unwrap_or(2);
    for c in &e.claims {
        let _ = writeln!(
            out,
            "{:<width$}  {:<13} {}",
            c.id,
            c.verdict.word(),
            c.claim
        );
        if let Some(p) = &c.predicate {
            let _ = writeln!(out, "{:<width$}  {:<13} {p}", "", "");
            let _ = writeln!(out, "{:<width$}  {:<13} measured {}", "", "", c.measured);
        }
        let _ = writeln!(out, "{:<width$}  {:<13} why: {}", "", "", c.reason);
    }
    let count = |v| e.claims.iter().filter(|c| c.verdict == v).count();
    use super::evaluate::Verdict::*;
    let _ = writeln!(
        out,
        "\n{} supported, {} contradicted, {} inconclusive, {} not testable",
        count(Supported),
        count(Contradicted),
        count(Inconclusive),
        count(NotTestable)
    );
    out
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A GitHub-flavoured Markdown table.
pub fn markdown(e: &Evaluation) -> String {
    let mut out = String::from("## Claims\n\n");
    for line in hardware_lines(e) {
        let _ = writeln!(out, "{}  ", cell(&line));
    }
    out.push_str("\n| id | claim | predicate | measured (min–max) | verdict | why |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- |\n");
    for c in &e.claims {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | **{}** | {} |",
            c.id,
            cell(&c.claim),
            c.predicate
                .as_deref()
                .map_or("-".into(), |p| format!("`{}`", cell(p))),
            cell(&c.measured),
            c.verdict.word(),
            cell(&c.reason)
        );
    }
    out
}

/// The JSON document: `{"claims": [...], "hardware": {...}, ...}`.
pub fn json(e: &Evaluation) -> serde_json::Result<String> {
    serde_json::to_string_pretty(e).map(|s| s + "\n")
}

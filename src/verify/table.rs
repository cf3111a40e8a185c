//! Printing contract checks: a plain-text table (endpoint, PASS/FAIL, the
//! difference on failure) for the terminal, and JSON for machines.

use super::contract::EndpointCheck;

/// Renders checks as a table with one line per check and a summary line.
///
/// The difference column is empty for passed checks; long differences are
/// kept whole (they are the useful part of a failure).
pub fn render(checks: &[EndpointCheck]) -> String {
    let width = checks
        .iter()
        .map(|c| c.name.chars().count())
        .chain(std::iter::once("endpoint".len()))
        .max()
        .unwrap_or(8);
    let mut out = format!("{:<width$}  {:<6}  difference\n", "endpoint", "result");
    for check in checks {
        let verdict = if check.passed { "pass" } else { "FAIL" };
        let detail = check.detail.as_deref().unwrap_or("");
        out.push_str(format!("{:<width$}  {verdict:<6}  {detail}", check.name).trim_end());
        out.push('\n');
    }
    let failed = checks.iter().filter(|c| !c.passed).count();
    out.push_str(&format!(
        "{} checks, {} passed, {failed} failed\n",
        checks.len(),
        checks.len() - failed
    ));
    out
}

/// Renders checks as a JSON document: `{"passed": bool, "checks": [...]}`.
pub fn render_json(checks: &[EndpointCheck]) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&serde_json::json!({
        "passed": checks.iter().all(|c| c.passed),
        "checks": checks,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, detail: Option<&str>) -> EndpointCheck {
        EndpointCheck {
            name: name.into(),
            passed: detail.is_none(),
            detail: detail.map(str::to_string),
        }
    }

    #[test]
    fn failures_show_their_difference_and_the_summary_counts_them() {
        let text = render(&[
            check("GET /json", None),
            check("GET /plaintext", Some("body: expected \"a\", got \"b\"")),
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "GET /json       pass");
        assert!(lines[2].starts_with("GET /plaintext  FAIL    body: expected"));
        assert_eq!(lines[3], "2 checks, 1 passed, 1 failed");
    }
}

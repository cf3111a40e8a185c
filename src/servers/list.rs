//! `gauntlet servers`: what can run here, and why not — one row per
//! reference server with its language, runtime, availability (or the reason
//! it is unavailable) and the runtime version, as a table or JSON.

use serde::Serialize;

use super::registry::{Registry, ServerEntry};

/// One row of the listing (also the JSON form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerStatus {
    /// Server name.
    pub name: String,
    /// Language.
    pub language: String,
    /// Runtime.
    pub runtime: String,
    /// `stdlib` or `framework`.
    pub tier: super::Tier,
    /// Concurrency model in one line.
    pub concurrency_model: String,
    /// True when every required executable is present.
    pub available: bool,
    /// Why it is unavailable (absent when available).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The runtime's version (absent when unavailable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime_version: Option<String>,
    /// The server's folder.
    pub dir: String,
}

/// The status of one server (runs its version command when available).
pub fn status_of(entry: &ServerEntry) -> ServerStatus {
    let availability = entry.availability();
    let m = &entry.manifest;
    ServerStatus {
        name: m.name.clone(),
        language: m.language.clone(),
        runtime: m.runtime.clone(),
        tier: m.tier,
        concurrency_model: m.concurrency_model.clone(),
        available: availability.is_ok(),
        runtime_version: availability.is_ok().then(|| entry.runtime_version()),
        reason: availability.err(),
        dir: entry.dir.display().to_string(),
    }
}

/// Renders rows as an aligned text table.
pub fn render_table(rows: &[ServerStatus]) -> String {
    let header = [
        "server",
        "tier",
        "language",
        "runtime",
        "status",
        "runtime version",
    ];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                r.tier.to_string(),
                r.language.clone(),
                r.runtime.clone(),
                match &r.reason {
                    None => "available".to_string(),
                    Some(why) => format!("unavailable: {why}"),
                },
                r.runtime_version.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |row: [&str; 6]| {
        let mut text = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(header);
    for row in &cells {
        line(row.each_ref().map(String::as_str));
    }
    out
}

/// The reference servers and whether each can run here.
#[derive(Debug, Clone)]
pub struct Listing {
    /// The folder they were read from.
    pub dir: std::path::PathBuf,
    /// One row per server, sorted by name.
    pub rows: Vec<ServerStatus>,
}

impl Listing {
    /// What `gauntlet servers` prints: a table, a line saying the folder is
    /// empty, or (`json`) the rows as JSON; each ends with a newline.
    pub fn render(&self, json: bool) -> Result<String, super::Error> {
        Ok(if json {
            let text = serde_json::to_string_pretty(&self.rows).map_err(super::Error::Json)?;
            format!("{text}\n")
        } else if self.rows.is_empty() {
            format!("no servers in {}\n", self.dir.display())
        } else {
            render_table(&self.rows)
        })
    }
}

/// Finds the reference servers and checks whether each can run here.
pub fn list() -> Result<Listing, super::Error> {
    let registry = Registry::discover()?;
    Ok(Listing {
        dir: registry.dir().to_path_buf(),
        rows: registry.entries().iter().map(status_of).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_shows_reason_and_version() {
        let row = |name: &str, reason: Option<&str>| ServerStatus {
            name: name.into(),
            language: "Go".into(),
            runtime: "net/http".into(),
            tier: super::super::Tier::Stdlib,
            concurrency_model: "goroutines".into(),
            available: reason.is_none(),
            reason: reason.map(str::to_string),
            runtime_version: reason.is_none().then(|| "go1.23".to_string()),
            dir: "/x".into(),
        };
        let table = render_table(&[row("a", None), row("b", Some("not found on PATH: go"))]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("server") && lines[0].contains("tier"));
        assert!(lines[1].contains("stdlib"), "{table}");
        assert!(lines[1].contains("available") && lines[1].ends_with("go1.23"));
        assert!(lines[2].contains("unavailable: not found on PATH: go"));
    }
}

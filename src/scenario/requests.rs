//! The `[[request]]` tables of a scenario, validated into the engine's
//! [`RequestSpec`]s: method, path, headers, body (inline or `body_file`),
//! weight and what counts as success. Part of [`super::validate`], kept
//! apart so that file stays one concept long.

use std::io::Read;
use std::path::Path;

use bytes::Bytes;
use toml::Spanned;

use super::model::RawScenario;
use super::validate::Ctx;
use super::ScenarioError;
use crate::load::plan::RequestSpec;

/// Largest request body a scenario may send (`body_file`).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

pub(super) fn requests(cx: &Ctx<'_>, raw: &RawScenario) -> Result<Vec<RequestSpec>, ScenarioError> {
    if raw.request.is_empty() {
        return Err(cx.whole(
            "request",
            "no requests; add at least one [[request]] table with a `path`, e.g. path = \"/plaintext\"",
        ));
    }
    let mut out = Vec::new();
    for r in &raw.request {
        let r = r.get_ref();
        let method = match &r.method {
            Some(m) => {
                let ok =
                    !m.get_ref().is_empty() && m.get_ref().chars().all(|c| c.is_ascii_uppercase());
                if !ok {
                    return Err(cx.at(
                        m.span(),
                        "request.method",
                        format!(
                            "{:?}: expected an upper-case HTTP method such as \"GET\" or \"POST\"",
                            m.get_ref()
                        ),
                    ));
                }
                m.get_ref().clone()
            }
            None => "GET".to_string(),
        };
        let path = r.path.get_ref();
        if !path.starts_with('/') || path.chars().any(|c| c.is_whitespace()) {
            return Err(cx.at(
                r.path.span(),
                "request.path",
                format!(
                    "{path:?}: expected a path starting with `/` without spaces, e.g. \"/json\""
                ),
            ));
        }
        let mut headers = Vec::new();
        for (name, value) in &r.headers {
            let reserved = ["host", "content-length", "connection", "transfer-encoding"];
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                || reserved.contains(&name.to_ascii_lowercase().as_str())
            {
                return Err(cx.at(
                    value.span(),
                    "request.headers",
                    format!(
                        "{name:?}: expected a header name of letters, digits and `-` \
                         (Host, Content-Length, Connection and Transfer-Encoding are set by Gauntlet)"
                    ),
                ));
            }
            if value.get_ref().contains(['\r', '\n']) {
                return Err(cx.at(
                    value.span(),
                    "request.headers",
                    "a header value must be one line",
                ));
            }
            headers.push((name.clone(), value.get_ref().clone()));
        }
        let weight = match &r.weight {
            Some(w) => cx.count(w, "request.weight", 1, 1_000_000)?,
            None => 1,
        };
        let expect_status = match &r.expect_status {
            Some(s) => Some(cx.count(s, "request.expect_status", 100, 599)? as u16),
            None => None,
        };
        let body = match (&r.body, &r.body_file) {
            (Some(_), Some(file)) => {
                return Err(cx.at(
                    file.span(),
                    "request.body_file",
                    "give either `body` or `body_file`, not both",
                ))
            }
            (_, Some(file)) => Bytes::from(body_file(cx, file)?),
            (body, None) => Bytes::from(body.clone().unwrap_or_default()),
        };
        out.push(RequestSpec {
            method,
            path: path.clone(),
            headers,
            body,
            weight,
            expect_status,
            expect_body: r.expect_body.clone().map(Bytes::from),
        });
    }
    Ok(out)
}

/// Reads a `body_file`, relative to the scenario file's folder.
fn body_file(cx: &Ctx<'_>, value: &Spanned<String>) -> Result<Vec<u8>, ScenarioError> {
    let dir = cx.file.parent().unwrap_or_else(|| Path::new("."));
    let path = dir.join(value.get_ref());
    // Read at most one byte past the limit: a body_file such as /dev/zero
    // must end in the size error, not in reading until memory runs out.
    let mut bytes = Vec::new();
    std::fs::File::open(&path)
        .and_then(|f| f.take(MAX_BODY_BYTES as u64 + 1).read_to_end(&mut bytes))
        .map_err(|e| {
            cx.at(
                value.span(),
                "request.body_file",
                format!(
                    "cannot read {}: {e} (expected a file path relative to the scenario's folder)",
                    path.display()
                ),
            )
        })?;
    if bytes.len() > MAX_BODY_BYTES {
        return Err(cx.at(
            value.span(),
            "request.body_file",
            format!(
                "{} is more than {MAX_BODY_BYTES} bytes; a request body may be at most {MAX_BODY_BYTES} bytes",
                path.display()
            ),
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::{Overrides, Scenario};

    #[test]
    fn an_endless_body_file_ends_in_the_size_error() {
        let text = "servers = [\"rust-hyper\"]\n[[request]]\npath = \"/echo\"\nmethod = \"POST\"\nbody_file = \"/dev/zero\"\n";
        let err = Scenario::parse(
            Path::new("/tmp/endless.toml"),
            text,
            &Overrides::default(),
            &["rust-hyper"],
        )
        .expect_err("a 16 MiB limit");
        let message = err.to_string();
        assert!(message.contains("/dev/zero is more than"), "{message}");
        assert!(message.contains("request.body_file"), "{message}");
    }
}

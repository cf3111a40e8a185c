//! Escaping of every string that comes from result files before it reaches
//! a page or a comment: [`html`] for the HTML report (element content and
//! attribute values) and [`markdown`] for `summary.md` (table cells, headings
//! and paragraphs), so a server name, reason, stderr tail or scenario
//! description is shown as text, never read as markup.

/// The entity that stands for `c` in HTML, when `c` needs one.
fn html_entity(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&#39;"),
        _ => None,
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match html_entity(c) {
            Some(entity) => out.push_str(entity),
            None => out.push(c),
        }
    }
    out
}

/// The askama escaper of the HTML report (set for `.html` templates in
/// `askama.toml`): the same entities as [`html`], so every value a template
/// prints is escaped exactly as the page always was.
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

impl askama::filters::Escaper for Html {
    fn write_escaped_str<W: std::fmt::Write>(&self, mut dest: W, string: &str) -> std::fmt::Result {
        let mut last = 0;
        for (i, c) in string.char_indices() {
            if let Some(entity) = html_entity(c) {
                dest.write_str(&string[last..i])?;
                dest.write_str(entity)?;
                last = i + c.len_utf8();
            }
        }
        dest.write_str(&string[last..])
    }
}

/// Escapes text for GitHub-flavoured Markdown, inside a table cell or not:
/// HTML is turned into entities (`<script>` shows as text), the characters
/// that start code, links, cells or `*` emphasis are backslash-escaped, and line
/// breaks become spaces (a newline would end the table row).
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // `_` stays: file names such as `json__rust-hyper.json` keep
            // reading as such, and GFM does not emphasise inside words.
            '\\' | '`' | '*' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            _ => out.push(c),
        }
    }
    out
}

/// `text` as a Markdown code span in a table cell: backticks cannot end the
/// span early (they become `'`), `|` cannot end the cell, newlines the row.
pub fn markdown_code(text: &str) -> String {
    let inner: String = text
        .chars()
        .map(|c| match c {
            '`' => '\'',
            '\n' | '\r' | '\t' => ' ',
            c => c,
        })
        .filter(|c| !c.is_control())
        .collect();
    format!("`{}`", inner.replace('|', "\\|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_shows_markup_as_text() {
        assert_eq!(
            markdown("<script>a|b</script>\n`x` [l](u) *e*"),
            "&lt;script&gt;a\\|b&lt;/script&gt; \\`x\\` \\[l\\](u) \\*e\\*"
        );
        assert_eq!(markdown_code("p99 < 2ms | `x`\n"), "`p99 < 2ms \\| 'x' `");
    }

    #[test]
    fn html_covers_markup_and_quotes() {
        assert_eq!(
            html("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}

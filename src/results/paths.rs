//! Keeping paths inside the folder they belong to: names that come from
//! scenarios, manifests or result files become file names only after
//! [`file_component`], and file names read from a run's manifest.json are
//! used only when [`is_plain_file_name`] says they stay in the run folder.

/// `text` as one safe path component: every character other than ASCII
/// letters, digits, `-`, `_` and `.` becomes `-`, and a leading `.` becomes
/// `-` too, so the result has no separator, is never `.` or `..` and never a
/// hidden file. Names that are already safe (every validated scenario and
/// server name) come back unchanged.
pub fn file_component(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with('.') {
        out.replace_range(..out.find(|c| c != '.').unwrap_or(out.len()), "-");
    }
    out
}

/// True when `name` (an entry of a manifest's `results` list) is a plain file
/// name: not empty, no `/` or `\`, not `.` or `..`, no NUL. Anything else
/// would reach outside the run folder and is not read or copied.
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_cannot_climb_out() {
        assert_eq!(file_component("rust-hyper"), "rust-hyper");
        assert_eq!(file_component("../../etc/passwd"), "--..-etc-passwd");
        assert_eq!(file_component(".."), "-");
        assert_eq!(file_component(""), "-");
        assert_eq!(file_component("a/b\\c d"), "a-b-c-d");
        assert!(!file_component("..hidden").starts_with('.'));
    }

    #[test]
    fn only_plain_names_are_followed() {
        assert!(is_plain_file_name("json__rust-hyper.json"));
        for bad in [
            "",
            ".",
            "..",
            "../x.json",
            "/etc/passwd",
            "a\\b",
            "sub/x.json",
        ] {
            assert!(!is_plain_file_name(bad), "{bad:?}");
        }
    }
}

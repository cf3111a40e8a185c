//! Validation of a JSON document against one of the committed schemas
//! (`schemas/<name>.schema.json`), for the tests that check real output.

#![allow(dead_code)]

use std::path::Path;

/// Asserts that `json` (named `what` in the failure) matches
/// `schemas/<name>.schema.json`.
pub fn assert_valid(name: &str, json: &serde_json::Value, what: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(format!("{name}.schema.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(json)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match {}: {errors:#?}",
        path.display()
    );
}

/// [`assert_valid`] for a file.
pub fn assert_file_valid(name: &str, file: &Path) {
    let text = std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    let json: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", file.display()));
    assert_valid(name, &json, &file.display().to_string());
}

//! JSON Schemas (draft 2020-12) of the files Gauntlet writes, generated from
//! the Rust types with `schemars`, so they cannot drift from what is written:
//! `schemas/<name>.schema.json` are these, committed, and a test compares
//! them with what the types generate now (regenerate with `cargo run
//! --example schemas`, see schemas/README.md).
//!
//! The schemas describe what Gauntlet *reads* back (serde's deserialize
//! side): a field with a default may be absent, and an old name serde still
//! accepts (`cpu_cores` for `logical_cpus`) is allowed in its place. Every
//! object is closed (`additionalProperties: false`), so a misspelt or
//! unknown key in a hand-edited file is an error, not silently ignored.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde_json::{json, Map, Value};

use super::{LoadReport, RunManifest, ServerRunResult, SCHEMA_VERSION};
use crate::claims::Evaluation;

/// One file kind with a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaFile {
    /// Short name: `schemas/<name>.schema.json`.
    pub name: &'static str,
    /// Which Gauntlet file it describes.
    pub describes: &'static str,
}

/// Every schema Gauntlet ships, in the order of schemas/README.md.
pub const SCHEMAS: [SchemaFile; 4] = [
    SchemaFile {
        name: "load-report",
        describes: "`gauntlet bench --json FILE`, a shard's result and `gauntlet merge`'s output; also each repetition's `load` in a server result",
    },
    SchemaFile {
        name: "server-result",
        describes: "`results/<run-id>/<scenario>__<server>.json` written by `gauntlet run`",
    },
    SchemaFile {
        name: "run-manifest",
        describes: "`results/<run-id>/manifest.json` written by `gauntlet run`",
    },
    SchemaFile {
        name: "claims",
        describes: "`gauntlet claims --json FILE`",
    },
];

impl SchemaFile {
    /// The file's path relative to the workspace root.
    pub fn path(&self) -> String {
        format!("schemas/{}.schema.json", self.name)
    }
}

/// The schema named `name` (see [`SCHEMAS`]), or `None` for an unknown name.
pub fn generate(name: &str) -> Option<Value> {
    let (title, root) = match name {
        "load-report" => ("Gauntlet LoadReport", root_for::<LoadReport>()),
        "server-result" => ("Gauntlet ServerRunResult", root_for::<ServerRunResult>()),
        "run-manifest" => ("Gauntlet RunManifest", root_for::<RunManifest>()),
        "claims" => ("Gauntlet claims evaluation", root_for::<Evaluation>()),
        _ => return None,
    };
    let file = SCHEMAS.iter().find(|s| s.name == name)?;
    let mut value = root.to_value();
    close_objects(&mut value);
    let doc = value.as_object_mut()?;
    let mut out = Map::new();
    // The keys a reader looks for first, then what schemars wrote.
    out.insert(
        "$schema".into(),
        doc.remove("$schema").unwrap_or(Value::Null),
    );
    out.insert(
        "$id".into(),
        json!(format!("https://gauntlet.invalid/{}", file.path())),
    );
    out.insert("title".into(), json!(title));
    out.insert(
        "description".into(),
        json!(format!(
            "{}. Generated from the Rust types (src/results/json_schema.rs); do not edit by hand.",
            file.describes
        )),
    );
    doc.remove("title");
    doc.remove("description");
    out.append(doc);
    Some(Value::Object(out))
}

/// The schema as the committed file holds it: pretty JSON with a final newline.
pub fn render(name: &str) -> Option<String> {
    let value = generate(name)?;
    let mut text = serde_json::to_string_pretty(&value).ok()?;
    text.push('\n');
    Some(text)
}

fn root_for<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>()
}

/// Sets `additionalProperties: false` on every object schema that lists its
/// properties and says nothing about others (maps keep theirs).
fn close_objects(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            map.values_mut().for_each(close_objects);
        }
        Value::Array(items) => items.iter_mut().for_each(close_objects),
        _ => {}
    }
}

/// Allows `old` in place of the required property `new` (a serde alias,
/// which schemars does not see): `old` gets `new`'s schema, and the object
/// requires one of the two.
fn alias(schema: &mut Schema, new: &str, old: &str) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
        if let Some(mut p) = props.get(new).cloned() {
            if let Some(p) = p.as_object_mut() {
                p.insert(
                    "description".into(),
                    json!(format!("The name of `{new}` in files written before it.")),
                );
            }
            props.insert(old.into(), p);
        }
    }
    if let Some(required) = obj.get_mut("required").and_then(Value::as_array_mut) {
        required.retain(|r| r != new);
    }
    obj.insert(
        "oneOf".into(),
        json!([{ "required": [new] }, { "required": [old] }]),
    );
}

/// `#[schemars(transform)]` of [`super::Environment`]: `cpu_cores` is the old
/// name of `logical_cpus`.
pub fn environment_aliases(schema: &mut Schema) {
    alias(schema, "logical_cpus", "cpu_cores");
}

/// `#[schemars(transform)]` of the claims' `Hardware`: `cpu_cores` is the
/// old name of `logical_cpus`.
pub fn hardware_aliases(schema: &mut Schema) {
    alias(schema, "logical_cpus", "cpu_cores");
}

/// `#[schemars(transform)]` of the top-level documents: `schema_version`
/// is at most this build's [`SCHEMA_VERSION`].
pub fn versioned(schema: &mut Schema) {
    if let Some(v) = schema
        .as_object_mut()
        .and_then(|o| o.get_mut("properties"))
        .and_then(|p| p.get_mut("schema_version"))
        .and_then(Value::as_object_mut)
    {
        v.insert("minimum".into(), json!(1));
        v.insert("maximum".into(), json!(SCHEMA_VERSION));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_generates_a_closed_schema_and_unknown_names_none() {
        for s in SCHEMAS {
            let v = generate(s.name).unwrap();
            assert_eq!(v["$id"], format!("https://gauntlet.invalid/{}", s.path()));
            assert_eq!(v["additionalProperties"], false, "{}", s.name);
        }
        assert!(generate("nope").is_none());
    }

    #[test]
    fn an_old_cpu_cores_is_accepted_in_place_of_logical_cpus() {
        let v = generate("run-manifest").unwrap();
        let env = &v["$defs"]["Environment"];
        assert!(env["properties"]["cpu_cores"].is_object(), "{env:#}");
        assert!(!env["required"]
            .as_array()
            .unwrap()
            .contains(&json!("logical_cpus")));
        assert_eq!(v["properties"]["schema_version"]["maximum"], SCHEMA_VERSION);
    }
}

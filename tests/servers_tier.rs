//! Server tiers (issue 12) as a user meets them: a manifest's `tier` key
//! (a bad value names the file, line and key and suggests the near miss),
//! `gauntlet servers` showing it in text and JSON, scenarios selecting
//! `servers = "tier:framework"`, the result recording the tier, and every
//! reference server of this checkout stating its tier.

mod run_support;

use std::path::Path;

use assert_cmd::Command;
use gauntlet::scenario::{Overrides, Scenario};
use gauntlet::servers::{Registry, ServerManifest, Tier};
use run_support::{text, Setup};

const MANIFEST: &str = "name = \"demo\"\nlanguage = \"Rust\"\nruntime = \"axum\"\n\
    concurrency_model = \"tasks\"\nTIER\nversion_command = [\"rustc\", \"--version\"]\n\
    run = [\"demo\"]\n";

fn manifest(tier_line: &str) -> Result<ServerManifest, String> {
    ServerManifest::parse(
        Path::new("/ws/reference-servers/demo/server.toml"),
        &MANIFEST.replace("TIER", tier_line),
    )
    .map_err(|e| e.to_string())
}

#[test]
fn a_manifest_states_its_tier_or_is_stdlib_and_a_typo_is_explained() {
    assert_eq!(
        manifest("tier = \"framework\"").unwrap().tier,
        Tier::Framework
    );
    assert_eq!(manifest("tier = \"stdlib\"").unwrap().tier, Tier::Stdlib);
    assert_eq!(manifest("").unwrap().tier, Tier::Stdlib);

    let err = manifest("tier = \"framwork\"").unwrap_err();
    for part in [
        "demo/server.toml",
        "line 5",
        "tier",
        "did you mean \"framework\"",
        "expected \"stdlib\" or \"framework\"",
    ] {
        assert!(err.contains(part), "{part:?} missing from: {err}");
    }
    let err = manifest("tier = 2").unwrap_err();
    assert!(err.contains("line 5") && err.contains("tier"), "{err}");
}

const KNOWN: &[(&str, Tier)] = &[
    ("go-gin", Tier::Framework),
    ("go-nethttp", Tier::Stdlib),
    ("rust-axum", Tier::Framework),
    ("rust-hyper", Tier::Stdlib),
];

fn servers_of(selection: &str, overrides: &Overrides) -> Result<Vec<String>, String> {
    let text = format!("servers = {selection}\n[[request]]\npath = \"/plaintext\"\n");
    Scenario::parse(Path::new("tiers.toml"), &text, overrides, KNOWN)
        .map(|s| s.servers)
        .map_err(|e| e.to_string())
}

#[test]
fn scenarios_select_servers_by_tier() {
    let none = Overrides::default();
    assert_eq!(
        servers_of("\"tier:framework\"", &none).unwrap(),
        ["go-gin", "rust-axum"]
    );
    assert_eq!(
        servers_of("\"tier:stdlib\"", &none).unwrap(),
        ["go-nethttp", "rust-hyper"]
    );
    assert_eq!(servers_of("\"all\"", &none).unwrap().len(), 4);
    // Tiers and names mix in a list; a server named twice runs once.
    assert_eq!(
        servers_of("[\"rust-hyper\", \"tier:framework\", \"go-gin\"]", &none).unwrap(),
        ["rust-hyper", "go-gin", "rust-axum"]
    );
    // --servers takes tier selections too.
    let cli = Overrides {
        servers: vec!["tier:stdlib".into()],
        ..Overrides::default()
    };
    assert_eq!(
        servers_of("\"all\"", &cli).unwrap(),
        ["go-nethttp", "rust-hyper"]
    );

    let err = servers_of("\"tier:framwork\"", &none).unwrap_err();
    for part in [
        "tiers.toml:1",
        "servers",
        "did you mean \"framework\"",
        "\"stdlib\" or \"framework\"",
    ] {
        assert!(err.contains(part), "{part:?} missing from: {err}");
    }
    // A tier no server has is an error, not an empty run.
    let stdlib_only: &[&str] = &["rust-hyper"];
    let err = Scenario::parse(
        Path::new("tiers.toml"),
        "servers = \"tier:framework\"\n[[request]]\npath = \"/plaintext\"\n",
        &none,
        stdlib_only,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("tiers.toml:1") && err.contains("no server has tier framework"),
        "{err}"
    );
}

#[test]
fn every_reference_server_states_its_tier() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("reference-servers");
    let registry = Registry::from_dir(&dir).unwrap();
    for entry in registry.entries() {
        let text = std::fs::read_to_string(entry.dir.join("server.toml")).unwrap();
        let table: toml::Table = text.parse().unwrap();
        assert!(
            table.contains_key("tier"),
            "{}/server.toml must say tier = \"stdlib\" or \"framework\"",
            entry.name()
        );
    }
    let tier = |name: &str| registry.get(name).unwrap().manifest.tier;
    for name in ["rust-axum", "rust-actix", "go-gin"] {
        assert_eq!(tier(name), Tier::Framework, "{name}");
    }
    for name in ["rust-hyper", "go-nethttp", "node-http", "java-httpserver"] {
        assert_eq!(tier(name), Tier::Stdlib, "{name}");
    }
    // The ready-made suite runs both tiers: every server of this checkout.
    let known = registry.names_and_tiers();
    for file in ["plaintext", "json", "sleep"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/frameworks")
            .join(format!("{file}.toml"));
        let scenario = Scenario::load(&path, &Overrides::default(), &known).unwrap();
        assert_eq!(scenario.servers.len(), registry.entries().len(), "{file}");
        assert_eq!(scenario.connections, 1000, "{file}");
    }
}

/// A setup with one stdlib and one framework test server.
fn two_tier_setup() -> Setup {
    let s = Setup::new();
    for (name, tier) in [("plain", None), ("framed", Some("framework"))] {
        s.server(name, "fast-plaintext", &[], &[]);
        if let Some(tier) = tier {
            let path = s.dir.path().join("servers").join(name).join("server.toml");
            let manifest = std::fs::read_to_string(&path).unwrap();
            let manifest = manifest.replacen("[env]", &format!("tier = \"{tier}\"\n[env]"), 1);
            std::fs::write(&path, manifest).unwrap();
        }
    }
    s
}

#[test]
fn gauntlet_servers_shows_the_tier_in_text_and_json() {
    let s = two_tier_setup();
    let run = |json: bool| {
        let mut cmd = Command::cargo_bin("gauntlet").unwrap();
        cmd.arg("servers")
            .env("GAUNTLET_SERVERS_DIR", s.dir.path().join("servers"));
        if json {
            cmd.arg("--json");
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", text(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let rows: serde_json::Value = serde_json::from_str(&run(true)).unwrap();
    let tiers: Vec<(&str, &str)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["tier"].as_str().unwrap()))
        .collect();
    assert_eq!(tiers, [("framed", "framework"), ("plain", "stdlib")]);
    let table = run(false);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("server") && lines[0].contains("tier"));
    assert!(
        lines[1].starts_with("framed") && lines[1].contains(" framework "),
        "{table}"
    );
    assert!(
        lines[2].starts_with("plain") && lines[2].contains(" stdlib "),
        "{table}"
    );
}

#[test]
fn a_run_over_a_tier_records_it_and_the_report_labels_it() {
    let s = two_tier_setup();
    let scenario = s.scenario(
        "name = \"tiers\"\nservers = [\"tier:framework\", \"tier:stdlib\"]\nduration = \"1s\"\n\
         warmup = \"0s\"\nrepetitions = 1\nstartup_samples = 0\n[load]\nconnections = 2\n\
         [[request]]\npath = \"/plaintext\"\n",
    );
    let out = s.command(&scenario).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(s.result("tiers", "framed").server.tier, Tier::Framework);
    assert_eq!(s.result("tiers", "plain").server.tier, Tier::Stdlib);
    // A report over both tiers labels each server with its tier.
    let report = s.render_report();
    let summary = std::fs::read_to_string(report.join("summary.md")).unwrap();
    // (Markdown escapes the brackets, so they render as written.)
    assert!(summary.contains("framed \\[framework\\]"), "{summary}");
    assert!(summary.contains("plain \\[stdlib\\]"), "{summary}");
    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(
        html.contains("framed [framework]"),
        "the HTML report labels the tier"
    );
}

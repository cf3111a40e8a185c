//! `gauntlet kube job`: the printed manifests parse back into the
//! `k8s-openapi` types, form an Indexed Job whose pods run the right shard of
//! the plan from `$(JOB_COMPLETION_INDEX)` at a common start time, spread over
//! nodes, with Guaranteed-QoS resources, plus a headless Service; and the
//! pod's arguments are a command line `gauntlet bench` accepts.

mod bench_support;

use std::time::{Duration, SystemTime};

use clap::Parser;
use gauntlet::cli::{Cli, Command};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Service;

fn manifests(extra: &[&str]) -> (Service, Job) {
    let out = bench_support::gauntlet()
        .args(["kube", "job", "--shards", "4", "--job-name", "load-test"])
        .args(extra)
        .args([
            "-c",
            "64",
            "-R",
            "1000",
            "-d",
            "60s",
            "http://target.default.svc:8080/plaintext",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["kind"], "List");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    (
        serde_json::from_value(items[0].clone()).unwrap(),
        serde_json::from_value(items[1].clone()).unwrap(),
    )
}

#[test]
fn the_job_runs_every_shard_at_one_start_time_spread_over_nodes() {
    let before = SystemTime::now();
    let (service, job) = manifests(&["--start-delay", "90s"]);
    let spec = job.spec.as_ref().unwrap();
    assert_eq!(spec.completion_mode.as_deref(), Some("Indexed"));
    assert_eq!((spec.completions, spec.parallelism), (Some(4), Some(4)));
    let pod = spec.template.spec.as_ref().unwrap();
    let c = &pod.containers[0];
    let args = c.args.clone().unwrap();
    let after = |flag: &str| {
        let i = args
            .iter()
            .position(|a| a == flag)
            .unwrap_or_else(|| panic!("no {flag} in {args:?}"));
        args[i + 1].clone()
    };
    assert_eq!(after("--shard"), "$(JOB_COMPLETION_INDEX)/4");
    assert_eq!(after("--json"), "-");
    let env = c.env.as_ref().unwrap();
    let index = env
        .iter()
        .find(|e| e.name == "JOB_COMPLETION_INDEX")
        .unwrap();
    let field = index
        .value_from
        .as_ref()
        .unwrap()
        .field_ref
        .as_ref()
        .unwrap();
    assert!(field
        .field_path
        .contains("batch.kubernetes.io/job-completion-index"));

    // The start time is the delay ahead of now.
    let at = gauntlet::load::shard::parse_start_at(&after("--start-at")).unwrap();
    let ahead = at.duration_since(before).unwrap_or_default();
    assert!(
        ahead > Duration::from_secs(85) && ahead < Duration::from_secs(95),
        "{ahead:?}"
    );

    // Spread over nodes: anti-affinity against the Job's own pods by hostname.
    let labels = spec
        .template
        .metadata
        .as_ref()
        .unwrap()
        .labels
        .clone()
        .unwrap();
    let anti = pod
        .affinity
        .as_ref()
        .unwrap()
        .pod_anti_affinity
        .as_ref()
        .unwrap();
    let term = &anti
        .preferred_during_scheduling_ignored_during_execution
        .as_ref()
        .unwrap()[0]
        .pod_affinity_term;
    assert_eq!(term.topology_key, "kubernetes.io/hostname");
    for (k, v) in term
        .label_selector
        .as_ref()
        .unwrap()
        .match_labels
        .as_ref()
        .unwrap()
    {
        assert_eq!(
            labels.get(k),
            Some(v),
            "the anti-affinity must select the Job's pods"
        );
    }
    // Guaranteed QoS: requests equal limits.
    let res = c.resources.as_ref().unwrap();
    assert_eq!(res.requests, res.limits);
    assert!(res.limits.as_ref().unwrap().contains_key("cpu"));

    // The headless Service selects the same pods, and names their subdomain.
    let s = service.spec.as_ref().unwrap();
    assert_eq!(s.cluster_ip.as_deref(), Some("None"));
    for (k, v) in s.selector.as_ref().unwrap() {
        assert_eq!(labels.get(k), Some(v));
    }
    assert_eq!(pod.subdomain.as_deref(), service.metadata.name.as_deref());

    // What Kubernetes runs in pod 3 is a command line `gauntlet bench` accepts.
    let argv: Vec<String> = std::iter::once("gauntlet".to_string())
        .chain(
            args.iter()
                .map(|a| a.replace("$(JOB_COMPLETION_INDEX)", "3")),
        )
        .collect();
    let cli = Cli::try_parse_from(&argv).unwrap();
    let Command::Bench(b) = cli.command else {
        panic!("not a bench")
    };
    assert_eq!(b.shard.as_deref(), Some("3/4"));
    assert_eq!((b.connections, b.rate), (64, Some(1000.0)));
    assert_eq!(b.duration, Duration::from_secs(60));
}

#[test]
fn required_spread_and_bad_plans() {
    let (_, job) = manifests(&["--require-spread"]);
    let pod = job.spec.unwrap().template.spec.unwrap();
    let anti = pod.affinity.unwrap().pod_anti_affinity.unwrap();
    assert_eq!(
        anti.required_during_scheduling_ignored_during_execution
            .unwrap()
            .len(),
        1
    );

    // Fewer connections than shards: refused before anything is printed.
    let out = bench_support::gauntlet()
        .args(["kube", "job", "--shards", "4", "-c", "2", "http://t:80/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--connections 2") && err.contains("4 shards"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

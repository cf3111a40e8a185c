//! `gauntlet kube job`: the Kubernetes manifests that run a sharded bench as
//! an Indexed Job (completionMode Indexed, parallelism = completions = N,
//! every pod running `gauntlet bench --shard $(JOB_COMPLETION_INDEX)/N
//! --start-at T --json -`), with pod anti-affinity so the shards spread over
//! nodes, Guaranteed-QoS resources, and a headless Service naming the pods.
//! Built from the `k8s-openapi` types (Kubernetes 1.37 API) and printed as one
//! JSON `v1 List`, which `kubectl apply -f -` accepts as it is.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{
    Affinity, Container, EnvVar, EnvVarSource, ObjectFieldSelector, PodAffinityTerm,
    PodAntiAffinity, PodSpec, PodTemplateSpec, ResourceRequirements, Service, ServiceSpec,
    WeightedPodAffinityTerm,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use crate::load::bench::{plan_from_args, BenchOptions};
use crate::load::shard::{rfc3339, split_plan, ShardError, ShardSpec};

/// Why no manifests could be made: every variant but [`Error::Json`] is a
/// flag the user is to fix (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A `bench` flag that makes no sense in a pod.
    #[error(
        "{flag} cannot be given to `kube job`: the Job sets --shard, --start-at and \
         --json itself, and a local file or CPU list does not exist in the pod \
         (use --body instead of --body-file, --cpu for the pod's CPUs)"
    )]
    LocalFlag {
        /// The flag, e.g. `--shard`.
        flag: &'static str,
    },
    /// `--job-name` is not a DNS label.
    #[error("--job-name {name:?}: expected a DNS label (lower-case letters, digits and '-', at most 63, e.g. gauntlet-load)")]
    JobName {
        /// The name given.
        name: String,
    },
    /// The `bench` flags do not make a plan (the load module's message).
    #[error(transparent)]
    Bench(#[from] crate::load::Error),
    /// A shard of the plan would be empty (e.g. `-c 2` over 4 shards).
    #[error("{0}")]
    Shard(ShardError),
    /// The Kubernetes objects could not be turned into JSON.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

impl crate::exit::Classify for Error {
    fn is_input(&self) -> bool {
        match self {
            Error::LocalFlag { .. } | Error::JobName { .. } | Error::Shard(_) => true,
            Error::Bench(inner) => inner.is_input(),
            Error::Json(_) => false,
        }
    }
}

/// The environment variable holding the pod's completion index.
pub const INDEX_VAR: &str = "JOB_COMPLETION_INDEX";
/// The label every pod of one Job carries (anti-affinity and Service select it).
pub const JOB_LABEL: &str = "gauntlet/job";

/// What `gauntlet kube job` prints manifests for (see `cli::KubeJobArgs`
/// for the flags).
#[derive(Debug, Clone)]
pub struct JobOptions {
    /// Number of shards (pods), each running INDEX/N of the plan.
    pub shards: u32,
    /// Container image holding gauntlet on its PATH.
    pub image: String,
    /// Name of the Job and the Service (a DNS label).
    pub job_name: String,
    /// Namespace to put them in (`None`: kubectl's current one).
    pub namespace: Option<String>,
    /// How far ahead of now the shards begin.
    pub start_delay: Duration,
    /// CPUs per shard (requests = limits), e.g. 2 or 1500m.
    pub cpu: String,
    /// Memory per shard (requests = limits), e.g. 512Mi.
    pub memory: String,
    /// Require (not only prefer) one shard per node.
    pub require_spread: bool,
    /// The bench to shard.
    pub bench: BenchOptions,
}

/// The `v1 List` holding the headless Service and the Indexed Job, for a
/// start time `start_delay` after `now`.
pub fn manifests(args: &JobOptions, now: SystemTime) -> Result<serde_json::Value, Error> {
    let bench = &args.bench;
    for (set, flag) in [
        (bench.shard.is_some(), "--shard"),
        (bench.start_at.is_some(), "--start-at"),
        (bench.json.is_some(), "--json"),
        (bench.hlog.is_some(), "--hlog"),
        (bench.body_file.is_some(), "--body-file"),
        (bench.cpus.is_some(), "--cpus"),
    ] {
        if set {
            return Err(Error::LocalFlag { flag });
        }
    }
    if !is_dns_label(&args.job_name) {
        return Err(Error::JobName {
            name: args.job_name.clone(),
        });
    }
    // Validate the plan and every shard's slice now, not in the pods.
    let plan = plan_from_args(bench, Vec::new())?;
    for index in 0..args.shards {
        split_plan(
            &plan,
            ShardSpec {
                index,
                count: args.shards,
            },
        )
        .map_err(Error::Shard)?;
    }
    let start_at = rfc3339(now + args.start_delay);
    let start_at = start_at
        .split_once('.')
        .map(|(s, _)| format!("{s}Z"))
        .unwrap_or(start_at);
    let service = service(args);
    let job = job(args, &start_at);
    Ok(serde_json::json!({
        "apiVersion": "v1",
        "kind": "List",
        "items": [serde_json::to_value(&service)?, serde_json::to_value(&job)?],
    }))
}

fn is_dns_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

fn labels(args: &JobOptions) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app.kubernetes.io/name".to_string(), "gauntlet".to_string()),
        (JOB_LABEL.to_string(), args.job_name.clone()),
    ])
}

fn meta(args: &JobOptions) -> ObjectMeta {
    ObjectMeta {
        name: Some(args.job_name.clone()),
        namespace: args.namespace.clone(),
        labels: Some(labels(args)),
        ..Default::default()
    }
}

fn service(args: &JobOptions) -> Service {
    Service {
        metadata: meta(args),
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            selector: Some(BTreeMap::from([(
                JOB_LABEL.to_string(),
                args.job_name.clone(),
            )])),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The `gauntlet bench` arguments of every pod (the index comes from the
/// environment, expanded by Kubernetes in `$(JOB_COMPLETION_INDEX)`).
pub fn bench_argv(args: &JobOptions, start_at: &str) -> Vec<String> {
    let b = &args.bench;
    let mut argv: Vec<String> = vec![
        "bench".into(),
        b.url.clone(),
        "--connections".into(),
        b.connections.to_string(),
        "--duration".into(),
        humantime::format_duration(b.duration).to_string(),
        "--warmup".into(),
        humantime::format_duration(b.warmup).to_string(),
        "--timeout".into(),
        humantime::format_duration(b.timeout).to_string(),
        "--method".into(),
        b.method.clone(),
    ];
    if let Some(rate) = b.rate {
        argv.extend(["--rate".into(), rate.to_string()]);
    }
    let threads = b.threads.or_else(|| args.cpu.parse::<usize>().ok());
    if let Some(t) = threads {
        argv.extend(["--threads".into(), t.to_string()]);
    }
    for h in &b.headers {
        argv.extend(["--header".into(), h.clone()]);
    }
    if let Some(body) = &b.body {
        argv.extend(["--body".into(), body.clone()]);
    }
    if b.http2 {
        argv.extend(["--http2".into(), "--streams".into(), b.streams.to_string()]);
    } else if b.pipeline > 1 {
        argv.extend(["--pipeline".into(), b.pipeline.to_string()]);
    }
    argv.extend([
        "--shard".into(),
        format!("$({INDEX_VAR})/{}", args.shards),
        "--start-at".into(),
        start_at.to_string(),
        "--json".into(),
        "-".into(),
        "--quiet".into(),
    ]);
    argv
}

fn job(args: &JobOptions, start_at: &str) -> Job {
    let n = i32::try_from(args.shards).unwrap_or(i32::MAX);
    let resources = BTreeMap::from([
        ("cpu".to_string(), Quantity(args.cpu.clone())),
        ("memory".to_string(), Quantity(args.memory.clone())),
    ]);
    let term = PodAffinityTerm {
        label_selector: Some(LabelSelector {
            match_labels: Some(BTreeMap::from([(
                JOB_LABEL.to_string(),
                args.job_name.clone(),
            )])),
            ..Default::default()
        }),
        topology_key: "kubernetes.io/hostname".into(),
        ..Default::default()
    };
    let anti = if args.require_spread {
        PodAntiAffinity {
            required_during_scheduling_ignored_during_execution: Some(vec![term]),
            ..Default::default()
        }
    } else {
        PodAntiAffinity {
            preferred_during_scheduling_ignored_during_execution: Some(vec![
                WeightedPodAffinityTerm {
                    weight: 100,
                    pod_affinity_term: term,
                },
            ]),
            ..Default::default()
        }
    };
    let container = Container {
        name: "shard".into(),
        image: Some(args.image.clone()),
        command: Some(vec!["gauntlet".into()]),
        args: Some(bench_argv(args, start_at)),
        env: Some(vec![EnvVar {
            name: INDEX_VAR.into(),
            value_from: Some(EnvVarSource {
                field_ref: Some(ObjectFieldSelector {
                    field_path: "metadata.annotations['batch.kubernetes.io/job-completion-index']"
                        .into(),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }]),
        resources: Some(ResourceRequirements {
            limits: Some(resources.clone()),
            requests: Some(resources),
            ..Default::default()
        }),
        ..Default::default()
    };
    Job {
        metadata: meta(args),
        spec: Some(JobSpec {
            completion_mode: Some("Indexed".into()),
            completions: Some(n),
            parallelism: Some(n),
            // A retried shard would start after --start-at and fail anyway.
            backoff_limit: Some(0),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels(args)),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    restart_policy: Some("Never".into()),
                    subdomain: Some(args.job_name.clone()),
                    affinity: Some(Affinity {
                        pod_anti_affinity: Some(anti),
                        ..Default::default()
                    }),
                    containers: vec![container],
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        ..Default::default()
    }
}

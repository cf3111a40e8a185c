//! The report's Claims section: first in index.html and summary.md when the
//! results hold a scenario a claim needs, with the verdict, the hardware and
//! a link to the chart of the evidence; absent otherwise. Figures are set by
//! the fixtures (tests/claims_support), so the verdict is known in advance.

mod claims_support;
mod report_support;

use claims_support::{write_run, Rep, Server};
use report_support::{render, with_claims, Rendered};

const CLAIMS: &str = r#"
[[claim]]
id = "C4"
claim = "Go handles 5-20x the load of Node.js"
scenario = "claims-x"
predicate = "throughput(go-nethttp) / throughput(node-http) in 5..20"
"#;

fn servers(scenario: &'static str) -> Vec<Server> {
    vec![
        Server::new(
            scenario,
            "go-nethttp",
            vec![
                Rep::new(100_000.0, 20.0),
                Rep::new(110_000.0, 21.0),
                Rep::new(90_000.0, 22.0),
            ],
        ),
        Server::new(
            scenario,
            "node-http",
            vec![
                Rep::new(10_000.0, 60.0),
                Rep::new(11_000.0, 61.0),
                Rep::new(9_000.0, 62.0),
            ],
        ),
    ]
}

#[test]
fn the_claims_section_comes_first_with_verdicts_hardware_and_evidence_links() {
    let dir = with_claims(CLAIMS);
    let run = dir.path().join("run");
    write_run(&run, "Test CPU @ 3.00GHz", &servers("claims-x"));
    let Rendered { html, md } = render(dir.path(), &[run]);

    let claims = html
        .find("<section id=\"claims\">")
        .expect("a Claims section");
    let first_scenario = html.find("id=\"scenario-1\"").unwrap();
    assert!(claims < first_scenario, "Claims comes before the scenarios");
    let section = &html[claims..html[claims..].find("</section>").unwrap() + claims];
    assert!(
        section.contains("Test CPU @ 3.00GHz, 2 logical CPUs"),
        "{section}"
    );
    // 90,000..110,000 / 9,000..11,000: the ratio lies in 8.2..12.2, inside 5..20.
    assert!(section.contains("<strong>supported</strong>"), "{section}");
    assert!(
        section.contains("href=\"#throughput-claims-x\""),
        "{section}"
    );
    assert!(
        html.contains("id=\"throughput-claims-x\""),
        "the linked chart exists"
    );
    assert!(
        html.contains("<a href=\"#claims\">Claims</a>"),
        "in the contents"
    );

    let md_claims = md
        .find("## Claims")
        .expect("a Claims section in summary.md");
    assert!(md_claims < md.find("## claims-x").unwrap(), "{md}");
    assert!(
        md.contains("| C4 |") && md.contains("**supported**"),
        "{md}"
    );
}

#[test]
fn without_claims_scenarios_there_is_no_claims_section() {
    let dir = with_claims(CLAIMS);
    let run = dir.path().join("run");
    write_run(&run, "Test CPU @ 3.00GHz", &servers("other"));
    let Rendered { html, md } = render(dir.path(), &[run]);
    assert!(!html.contains("id=\"claims\""));
    assert!(!md.contains("## Claims"));
}

//! The predicate grammar of a claim, one line that reads like the claim:
//!
//! ```text
//! predicate := expr condition
//! expr      := term | term "/" term | term "-" term
//! term      := METRIC "(" SERVER [ "@" SCENARIO ] ")"
//! condition := "in" [bound] ".." [bound] | ("<" | "<=" | ">" | ">=") bound
//! ```
//!
//! e.g. `rss_peak(go-nethttp) in 10MB..50MB`,
//! `throughput(go-nethttp @ json) / throughput(node-http @ json) in 5..20`,
//! `startup(node-http) < 1s`. The condition is the set of figures that
//! support the claim; a bound is written in the unit of the expression
//! (a ratio is unitless). Errors carry the byte offset in the predicate so
//! that the claims file can point at the line and column.

use super::metric::{self, MetricDef, Unit};

/// One metric of one server in one scenario.
#[derive(Debug, Clone)]
pub struct Term {
    /// The metric.
    pub metric: &'static MetricDef,
    /// The server, e.g. `go-nethttp`.
    pub server: String,
    /// Byte offset of the server name in the predicate (for errors).
    pub server_offset: usize,
    /// The scenario named with `@`, if any (else the claim's `scenario`).
    pub scenario: Option<String>,
}

/// How the terms combine.
#[derive(Debug, Clone)]
pub enum Expr {
    /// One figure.
    Single(Term),
    /// A ratio of two figures.
    Ratio(Term, Term),
    /// A difference of two figures of the same unit.
    Difference(Term, Term),
}

/// One end of the supporting set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    /// The bound in the expression's base unit.
    pub value: f64,
    /// True when the bound itself supports the claim.
    pub inclusive: bool,
}

/// The figures that support the claim: between `lower` and `upper`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Smallest supporting figure, if any.
    pub lower: Option<Bound>,
    /// Largest supporting figure, if any.
    pub upper: Option<Bound>,
}

/// A parsed predicate.
#[derive(Debug, Clone)]
pub struct Predicate {
    /// The predicate as written.
    pub text: String,
    /// The figure.
    pub expr: Expr,
    /// What supports the claim.
    pub condition: Condition,
}

/// A parse error: where in the predicate, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredicateError {
    /// Byte offset in the predicate.
    pub offset: usize,
    /// What is wrong and what is expected.
    pub message: String,
}

type Parse<T> = Result<T, PredicateError>;

fn err<T>(offset: usize, message: impl Into<String>) -> Parse<T> {
    Err(PredicateError {
        offset,
        message: message.into(),
    })
}

const FORM: &str = "expected `METRIC(SERVER [@ SCENARIO])`, optionally `/` or `-` a second term, \
then `in LOW..HIGH` or `< LIMIT` (<=, >, >=), e.g. `rss_peak(go-nethttp) in 10MB..50MB`";

impl Expr {
    /// The terms, in order.
    pub fn terms(&self) -> Vec<&Term> {
        match self {
            Expr::Single(t) => vec![t],
            Expr::Ratio(a, b) | Expr::Difference(a, b) => vec![a, b],
        }
    }

    /// The unit of the expression's figure.
    pub fn unit(&self) -> Unit {
        match self {
            Expr::Single(t) | Expr::Difference(t, _) => t.metric.unit,
            Expr::Ratio(..) => Unit::Ratio,
        }
    }
}

fn skip_ws(text: &str, pos: usize) -> usize {
    pos + (text[pos..].len() - text[pos..].trim_start().len())
}

fn term(text: &str, start: usize) -> Parse<(Term, usize)> {
    let pos = skip_ws(text, start);
    let open = match text[pos..].find('(') {
        Some(i) => pos + i,
        None => return err(pos, FORM),
    };
    let name = text[pos..open].trim();
    let metric = match metric::find(name) {
        Some(m) => m,
        None => {
            return err(
                pos,
                format!("unknown metric {name:?}; known: {}", metric::names()),
            )
        }
    };
    let close = match text[open..].find(')') {
        Some(i) => open + i,
        None => return err(open, "missing `)` after the server name"),
    };
    let inside = &text[open + 1..close];
    let (server_part, scenario) = match inside.split_once('@') {
        Some((s, sc)) => (s, Some(sc.trim())),
        None => (inside, None),
    };
    let server = server_part.trim();
    let server_offset = skip_ws(text, open + 1);
    if server.is_empty() || server.contains(char::is_whitespace) {
        return err(server_offset, "expected one server name, e.g. `go-nethttp`");
    }
    if let Some(sc) = scenario {
        if sc.is_empty() || sc.contains(char::is_whitespace) {
            return err(
                open + 1 + server_part.len(),
                "expected a scenario name after `@`, e.g. `@ plaintext`",
            );
        }
    }
    Ok((
        Term {
            metric,
            server: server.to_string(),
            server_offset,
            scenario: scenario.map(str::to_string),
        },
        close + 1,
    ))
}

/// Parses `12`, `12.5x`, `50MB`, `800us`, `1%` as a bound of `unit`.
fn value(text: &str, start: usize, end: usize, unit: Unit) -> Parse<f64> {
    let raw = text[start..end].trim();
    let at = skip_ws(text, start);
    let bad = || err(at, format!("{raw:?}: expected {}", unit.example()));
    if raw.is_empty() {
        return bad();
    }
    let split = raw
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(raw.len());
    let Ok(number) = raw[..split].parse::<f64>() else {
        return bad();
    };
    let suffix = raw[split..].trim();
    let factor = match (unit, suffix) {
        (Unit::Rate | Unit::Count, "") | (Unit::Fraction, "") | (Unit::Ratio, "" | "x" | "×") => {
            1.0
        }
        (Unit::Fraction | Unit::Ratio, "%") => 0.01,
        (Unit::Time, "us" | "µs") => 1.0,
        (Unit::Time, "ms") => 1e3,
        (Unit::Time, "s") => 1e6,
        (Unit::Bytes, s) if !s.is_empty() => {
            match crate::scenario::thresholds::parse_bytes(&format!("1{s}")) {
                Some(f) => f,
                None => return bad(),
            }
        }
        _ => return bad(),
    };
    let v = number * factor;
    if v.is_finite() {
        Ok(v)
    } else {
        bad()
    }
}

fn condition(text: &str, start: usize, unit: Unit) -> Parse<Condition> {
    let pos = skip_ws(text, start);
    let rest = &text[pos..];
    let end = text.len();
    let op = ["<=", ">=", "<", ">"]
        .into_iter()
        .find(|op| rest.starts_with(op));
    if let Some(op) = op {
        let v = value(text, pos + op.len(), end, unit)?;
        let (lower, upper) = match op {
            "<" => (None, Some((v, false))),
            "<=" => (None, Some((v, true))),
            ">" => (Some((v, false)), None),
            _ => (Some((v, true)), None),
        };
        let b = |x: Option<(f64, bool)>| x.map(|(value, inclusive)| Bound { value, inclusive });
        return Ok(Condition {
            lower: b(lower),
            upper: b(upper),
        });
    }
    let Some(after_in) = rest.strip_prefix("in") else {
        return err(pos, FORM);
    };
    if !after_in.starts_with(char::is_whitespace) {
        return err(pos, FORM);
    }
    let range_start = pos + 2;
    let Some(dots) = text[range_start..].find("..").map(|i| range_start + i) else {
        return err(
            skip_ws(text, range_start),
            format!(
                "expected a range `LOW..HIGH` after `in`, with {}",
                unit.example()
            ),
        );
    };
    let side = |a: usize, b: usize| -> Parse<Option<Bound>> {
        if text[a..b].trim().is_empty() {
            Ok(None)
        } else {
            value(text, a, b, unit).map(|value| {
                Some(Bound {
                    value,
                    inclusive: true,
                })
            })
        }
    };
    let lower = side(range_start, dots)?;
    let upper = side(dots + 2, end)?;
    match (lower, upper) {
        (None, None) => err(
            skip_ws(text, range_start),
            "the range has no bound: write `LOW..HIGH`, `LOW..` or `..HIGH`",
        ),
        (Some(l), Some(u)) if l.value > u.value => err(
            skip_ws(text, range_start),
            "the range's low end is above its high end",
        ),
        _ => Ok(Condition { lower, upper }),
    }
}

impl std::str::FromStr for Predicate {
    type Err = PredicateError;

    fn from_str(text: &str) -> Parse<Self> {
        let (first, after) = term(text, 0)?;
        let pos = skip_ws(text, after);
        let (expr, after) = match text[pos..].chars().next() {
            Some('/') => {
                let (second, after) = term(text, pos + 1)?;
                (Expr::Ratio(first, second), after)
            }
            Some('-') => {
                let (second, after) = term(text, pos + 1)?;
                if second.metric.unit != first.metric.unit {
                    return err(
                        pos,
                        format!(
                            "`-` needs two figures of the same unit; {} and {} differ (use `/` for a ratio)",
                            first.metric.name, second.metric.name
                        ),
                    );
                }
                (Expr::Difference(first, second), after)
            }
            _ => (Expr::Single(first), after),
        };
        let condition = condition(text, after, expr.unit())?;
        Ok(Predicate {
            text: text.trim().to_string(),
            expr,
            condition,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Predicate {
        text.parse()
            .unwrap_or_else(|e: PredicateError| panic!("{text}: {e:?}"))
    }

    #[test]
    fn ranges_ratios_and_limits_parse_into_base_units() {
        let p = parse("rss_peak(go-nethttp) in 10MB..50MB");
        assert!(
            matches!(p.expr, Expr::Single(ref t) if t.server == "go-nethttp" && t.scenario.is_none())
        );
        assert_eq!(p.condition.lower.unwrap().value, 10e6);
        assert_eq!(p.condition.upper.unwrap().value, 50e6);

        let p = parse("throughput(go-nethttp @ json) / throughput(node-http @ json) in 5x..");
        assert!(matches!(p.expr, Expr::Ratio(ref a, ref b)
            if a.scenario.as_deref() == Some("json") && b.server == "node-http"));
        assert_eq!(p.condition.lower.unwrap().value, 5.0);
        assert!(p.condition.upper.is_none());

        let p = parse("startup(node-http) < 1s");
        assert_eq!(
            p.condition.upper,
            Some(Bound {
                value: 1e6,
                inclusive: false
            })
        );
        let p = parse("p99(go-nethttp @ alloc) - p99(go-nethttp @ plaintext) <= 800us");
        assert!(matches!(p.expr, Expr::Difference(..)));
        assert_eq!(p.condition.upper.unwrap().value, 800.0);
        let p = parse("error_rate(node-http) < 1%");
        assert_eq!(p.condition.upper.unwrap().value, 0.01);
    }

    #[test]
    fn mistakes_point_at_their_place_and_say_what_is_expected() {
        let e = "rss_peek(go) in 1MB..2MB".parse::<Predicate>().unwrap_err();
        assert_eq!(e.offset, 0);
        assert!(
            e.message.contains("unknown metric \"rss_peek\"") && e.message.contains("rss_peak")
        );
        let e = "rss_peak(go) in 50MB..10MB"
            .parse::<Predicate>()
            .unwrap_err();
        assert!(e.message.contains("low end is above"), "{e:?}");
        let e = "rss_peak(go) in 10..50".parse::<Predicate>().unwrap_err();
        assert_eq!(e.offset, 16);
        assert!(e.message.contains("size with its unit"), "{e:?}");
        let e = "startup(go) - rss_idle(go) < 1s"
            .parse::<Predicate>()
            .unwrap_err();
        assert!(e.message.contains("same unit"), "{e:?}");
        let e = "throughput(go) between 1 and 2"
            .parse::<Predicate>()
            .unwrap_err();
        assert_eq!(e.offset, 15);
        let e = "throughput(go) in ..".parse::<Predicate>().unwrap_err();
        assert!(e.message.contains("no bound"), "{e:?}");
    }
}

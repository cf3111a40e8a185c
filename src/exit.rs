//! Exit codes, one meaning each, documented in the README:
//! 0 ok, 1 a threshold failed or a regression was found (or the run failed),
//! 2 usage or input error, 130 interrupted. Which of 1 and 2 an error
//! means is said by its own variant ([`Classify`], implemented by every
//! domain module's `Error`), read by [`code_for_error`].

use std::process::ExitCode;

/// What a command ended with, as the shell will see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything ran and every check passed.
    Success,
    /// A threshold failed, a comparison found a regression, or a server failed.
    Failed,
    /// The command line or an input file was wrong; nothing ran.
    UsageError,
    /// The user pressed Ctrl-C; what was measured has been kept.
    Interrupted,
}

impl Outcome {
    /// The numeric exit code.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::Failed => 1,
            Outcome::UsageError => 2,
            Outcome::Interrupted => 130,
        }
    }
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> Self {
        ExitCode::from(outcome.code())
    }
}

/// Whether an error is the user's to fix or a failure while running. Every
/// domain module's `Error` enum implements it, deciding by variant: an input
/// error (a flag, a scenario, a file the user named) exits 2, anything else 1.
pub trait Classify {
    /// True when the user gave something wrong and nothing (more) could run.
    fn is_input(&self) -> bool;
}

/// Whether one error of an `anyhow` chain is a known typed error, and if so
/// whether it is the user's: the domain modules' `Error`s, the face's
/// [`FlagError`](crate::commands::FlagError) and clap's parse errors. A new
/// type implementing [`Classify`] joins the list below (tests/layering.rs
/// fails until it does).
fn classify(cause: &(dyn std::error::Error + 'static)) -> Option<bool> {
    macro_rules! by_variant {
        ($($ty:ty),* $(,)?) => {
            $(
                if let Some(err) = cause.downcast_ref::<$ty>() {
                    return Some(err.is_input());
                }
            )*
        };
    }
    by_variant!(
        crate::claims::Error,
        crate::compare::Error,
        crate::export::Error,
        crate::kube::Error,
        crate::load::Error,
        crate::merge::Error,
        crate::report::Error,
        crate::results::ReadError,
        crate::results::WriteError,
        crate::scenario::Error,
        crate::servers::Error,
        crate::verify::Error,
        crate::commands::FlagError,
    );
    cause.downcast_ref::<clap::Error>().map(|_| true)
}

/// The exit code for an error that ended a command: the outermost typed error
/// in the chain decides ([`Classify`]); an error no module typed is a failure.
pub fn code_for_error(err: &anyhow::Error) -> Outcome {
    match err.chain().find_map(classify) {
        Some(true) => Outcome::UsageError,
        _ => Outcome::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(err: impl Into<anyhow::Error>) -> Outcome {
        code_for_error(&err.into())
    }

    #[test]
    fn a_refused_flag_exits_2_and_a_failed_run_exits_1_whatever_wraps_them() {
        let refused = anyhow::Error::from(crate::load::Error::ZeroTimeout).context("bench");
        assert_eq!(code_for_error(&refused), Outcome::UsageError);
        let failed = crate::load::Error::Engine(anyhow::anyhow!("a load worker thread panicked"));
        assert_eq!(
            format!("{:#}", anyhow::Error::from(failed)),
            "a load worker thread panicked"
        );
        let failed = crate::load::Error::Engine(anyhow::anyhow!("a load worker thread panicked"));
        assert_eq!(code(failed), Outcome::Failed);
        assert_eq!(code(anyhow::anyhow!("nobody typed this")), Outcome::Failed);
    }

    #[test]
    fn a_wrapping_variant_asks_the_error_it_wraps() {
        let unknown = crate::servers::Error::UnknownServer {
            name: "gamma".into(),
            known: "; known servers: alpha".into(),
        };
        assert_eq!(
            code(crate::scenario::Error::Servers(unknown)),
            Outcome::UsageError
        );
        let not_copied = crate::compare::Error::SaveBaseline {
            step: "copying a to b".into(),
            source: std::io::Error::other("disk full"),
        };
        let err = crate::scenario::Error::Baseline(not_copied);
        assert_eq!(
            format!("{:#}", anyhow::Error::from(err)),
            "copying a to b: disk full"
        );
        let not_copied = crate::compare::Error::SaveBaseline {
            step: "copying a to b".into(),
            source: std::io::Error::other("disk full"),
        };
        assert_eq!(
            code(crate::scenario::Error::Baseline(not_copied)),
            Outcome::Failed
        );
    }
}

//! Exit codes, one meaning each, documented in the README:
//! 0 ok, 1 a threshold failed or a regression was found (or the run failed),
//! 2 usage or input error, 130 interrupted.

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

/// TEMP
#[derive(Debug)]
pub struct InputError(pub String);
impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for InputError {}
impl Classify for InputError {
    fn is_input(&self) -> bool {
        true
    }
}
/// TEMP
pub fn input_error(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(InputError(message.into()))
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
/// [`FlagError`](crate::commands::FlagError) and clap's parse errors.
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
        crate::export::Error,
        crate::claims::Error,
        crate::compare::Error,
        crate::kube::Error,
        crate::load::Error,
        crate::merge::Error,
        crate::report::Error,
        crate::results::ReadError,
        crate::servers::Error,
        crate::verify::Error,
        crate::results::WriteError,
        crate::commands::FlagError,
        InputError,
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

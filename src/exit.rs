//! Exit codes, one meaning each, documented in the README:
//! 0 ok, 1 a threshold failed or a regression was found (or the run failed),
//! 2 usage or input error, 130 interrupted.

use std::fmt;
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

/// An error in what the user gave us (a flag, a scenario, a file), as opposed
/// to a failure while running. Anywhere in an `anyhow` chain it makes the
/// process exit with code 2.
#[derive(Debug)]
pub struct InputError(pub String);

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

/// Shorthand for an `anyhow::Error` carrying an [`InputError`].
pub fn input_error(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(InputError(message.into()))
}

/// The exit code for an error that ended a command.
pub fn code_for_error(err: &anyhow::Error) -> Outcome {
    let is_input = err.chain().any(|cause| {
        cause.downcast_ref::<InputError>().is_some()
            || cause.downcast_ref::<clap::Error>().is_some()
    });
    if is_input {
        Outcome::UsageError
    } else {
        Outcome::Failed
    }
}

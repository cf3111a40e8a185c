//! Writes `$STDERR_LINES` (default 5) numbered lines to stderr and exits with
//! `$EXIT_CODE` (default 3) after `$EXIT_AFTER_MS` (default 0) — before it
//! listens, or while serving when `$LISTEN=1` — so a test sees the stderr
//! tail and exit status reported.

use gauntlet_testservers::mini::{env_u64, plaintext, serve};

fn main() -> std::io::Result<()> {
    let lines = env_u64("STDERR_LINES", 5);
    let code = env_u64("EXIT_CODE", 3) as i32;
    let after = std::time::Duration::from_millis(env_u64("EXIT_AFTER_MS", 0));
    for i in 1..=lines {
        eprintln!("exit-early: line {i} of {lines}");
    }
    if env_u64("LISTEN", 0) == 1 {
        std::thread::spawn(move || {
            std::thread::sleep(after);
            eprintln!("exit-early: dying now with code {code}");
            std::process::exit(code);
        });
        return serve(plaintext);
    }
    std::thread::sleep(after);
    eprintln!("exit-early: dying now with code {code}");
    std::process::exit(code)
}

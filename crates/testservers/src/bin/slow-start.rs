//! Sleeps `$START_DELAY_MS` (default 300) before it binds its port, so a test
//! can check the startup clock against a known delay.

fn main() -> std::io::Result<()> {
    let delay = gauntlet_testservers::mini::env_u64("START_DELAY_MS", 300);
    std::thread::sleep(std::time::Duration::from_millis(delay));
    gauntlet_testservers::mini::serve(gauntlet_testservers::mini::plaintext)
}

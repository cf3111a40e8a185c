//! Allocates `$ALLOC_MB` MiB (default 64) and writes to every page before it
//! listens, so its resident memory is known: a test compares the sampled RSS.

use std::sync::OnceLock;

static HELD: OnceLock<Vec<u8>> = OnceLock::new();

fn main() -> std::io::Result<()> {
    let mb = gauntlet_testservers::mini::env_u64("ALLOC_MB", 64) as usize;
    let mut block = vec![0u8; mb << 20];
    for (i, byte) in block.iter_mut().enumerate().step_by(4096) {
        *byte = (i / 4096) as u8 | 1;
    }
    std::hint::black_box(&block);
    let _ = HELD.set(block);
    gauntlet_testservers::mini::serve(gauntlet_testservers::mini::plaintext)
}

//! The work behind `/cpu` and `/alloc`, exactly as the contract specifies it.

/// Counts the primes `p` with `2 <= p <= n` by the contract's trial division
/// (no sieve, every divisor tried, nothing cached).
pub fn count_primes(n: u64) -> u64 {
    let mut count = 0;
    for i in 2..=n {
        let mut prime = true;
        let mut d = 2;
        while d * d <= i {
            if i % d == 0 {
                prime = false;
                break;
            }
            d += 1;
        }
        if prime {
            count += 1;
        }
    }
    count
}

/// Allocates `kb * 16` separate 64-byte objects, all alive at once, fills
/// byte `j` of object `i` with `(i + j) mod 256`, sums every byte, and drops
/// them. Returns `(objects, checksum)`.
pub fn alloc_checksum(kb: u64) -> (u64, u64) {
    let objects = kb * 16;
    let mut held: Vec<Box<[u8; 64]>> = Vec::with_capacity(objects as usize);
    for i in 0..objects {
        let mut object = Box::new([0u8; 64]);
        for (j, byte) in object.iter_mut().enumerate() {
            *byte = ((i + j as u64) % 256) as u8;
        }
        held.push(object);
    }
    // Keep the optimizer from seeing through the allocations.
    let held = std::hint::black_box(held);
    let checksum = held
        .iter()
        .map(|o| o.iter().map(|&b| u64::from(b)).sum::<u64>())
        .sum();
    drop(held);
    (objects, checksum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prime_counts_match_the_contract() {
        for (n, p) in [(0, 0), (1, 0), (2, 1), (100, 25), (10_000, 1229)] {
            assert_eq!(count_primes(n), p, "n={n}");
        }
    }

    #[test]
    fn alloc_checksums_match_the_contract() {
        assert_eq!(alloc_checksum(0), (0, 0));
        assert_eq!(alloc_checksum(1), (16, 39_936));
    }
}

//! The checks that find a mistyped share: the GF(32) check character of
//! each group (see the format in the parent module) and the whole-share
//! SHA-256 check.

use sha2::{Digest, Sha256};

use super::{GROUP_DATA, GROUP_LEN, SetId};

const HASH_DOMAIN: &[u8] = b"drconsole share v1\0";

/// Multiplication in GF(32) with the polynomial x⁵ + x² + 1.
pub(super) fn gf32_mul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0;
    while b != 0 {
        if b & 1 != 0 {
            product ^= a;
        }
        b >>= 1;
        a <<= 1;
        if a & 0x20 != 0 {
            a ^= 0x25;
        }
    }
    product
}

/// Weights α⁰ to α⁴ of the five positions in a group.
const WEIGHTS: [u8; GROUP_LEN] = [1, 2, 4, 8, 16];

/// Zero for a group that checks. `group` is the group's five values.
pub(super) fn syndrome(group: &[u8], number: usize) -> u8 {
    let mut sum = u8::try_from(number % 32).unwrap_or(0);
    for (&v, &w) in group.iter().zip(WEIGHTS.iter()) {
        sum ^= gf32_mul(v, w);
    }
    sum
}

/// The check value completing four data values of group `number`.
pub(super) fn check_value(data: &[u8], number: usize) -> u8 {
    let mut group = [0u8; GROUP_LEN];
    group[..GROUP_DATA].copy_from_slice(data);
    (0..32)
        .find(|&c| {
            group[GROUP_DATA] = c;
            syndrome(&group, number) == 0
        })
        .unwrap_or(0)
}

/// The whole-share check: the first 20 bits of SHA-256 over the domain
/// and the data values, as four values.
pub(super) fn whole_check(data: &[u8]) -> [u8; 4] {
    let digest = Sha256::new()
        .chain_update(HASH_DOMAIN)
        .chain_update(data)
        .finalize();
    let bits =
        (u32::from(digest[0]) << 12) | (u32::from(digest[1]) << 4) | (u32::from(digest[2]) >> 4);
    SetId(bits).symbols()
}

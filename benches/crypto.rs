//! Key ceremony crypto: PBKDF2 at the default iteration count (compare
//! with OpenSSL: benches/pbkdf2_vs_openssl.sh), and Shamir split + combine
//! of a 4 KiB secret among 16 holders.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use drconsole::crypto::envelope::{DEFAULT_ITERATIONS, EnvelopeKey, Header};
use drconsole::crypto::shares;

fn pbkdf2(c: &mut Criterion) {
    let mut group = c.benchmark_group("pbkdf2");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    let header = Header::random(DEFAULT_ITERATIONS).unwrap();
    group.bench_function("hmac-sha256 600000 iterations", |b| {
        b.iter(|| EnvelopeKey::derive(black_box(b"password"), black_box(&header)).unwrap());
    });
    group.finish();
}

fn shamir(c: &mut Criterion) {
    let secret: Vec<u8> = (0..4096u32)
        .map(|i| u8::try_from(i % 251).unwrap())
        .collect();
    let mut group = c.benchmark_group("shamir 4 KiB among 16");
    for t in [16u8, 9] {
        group.bench_function(format!("split + combine T={t}"), |b| {
            b.iter(|| {
                let all = shares::split(black_box(&secret), t, 16).unwrap();
                shares::combine(&all[16 - usize::from(t)..]).unwrap()
            });
        });
    }
    let all = shares::split(&secret, 16, 16).unwrap();
    group.bench_function("share text encode + parse, one share", |b| {
        b.iter(|| {
            let text = all[0].encode();
            drconsole::crypto::ShareText::parse(secrecy::ExposeSecret::expose_secret(&text))
                .unwrap()
        });
    });
    group.finish();
}

criterion_group!(benches, pbkdf2, shamir);
criterion_main!(benches);

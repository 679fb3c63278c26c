//! Step-time distributions: bounds, seeds and the snapshot arithmetic.
use rand::SeedableRng;

use super::*;

const ALL: [Work; 13] = [
    Work::DatabasePromotion,
    Work::DnsCall,
    Work::DnsPropagation,
    Work::PodStart,
    Work::PodStop,
    Work::StandbyStart,
    Work::NewKeyNode,
    Work::Transaction,
    Work::SnapshotRestore,
    Work::KeyInstall,
    Work::Check,
    Work::Message,
    Work::Command,
];

#[test]
fn every_spread_is_ordered_and_its_draws_stay_inside_it() {
    for work in ALL {
        let s = work.spread();
        assert!(s.least <= s.likeliest && s.likeliest <= s.most, "{work:?}");
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let draws: Vec<Duration> = (0..2000).map(|_| draw(s, &mut rng)).collect();
        assert!(
            draws.iter().all(|d| s.least <= *d && *d <= s.most),
            "{work:?}"
        );
        // Their mean is the triangle's, (least + likeliest + most) / 3,
        // give or take the rounding to whole seconds.
        let (a, c, b) = (
            s.least.as_secs_f64(),
            s.likeliest.as_secs_f64(),
            s.most.as_secs_f64(),
        );
        #[allow(clippy::cast_precision_loss)]
        let mean = draws.iter().map(Duration::as_secs_f64).sum::<f64>() / draws.len() as f64;
        let expected = (a + c + b) / 3.0;
        assert!(
            (mean - expected).abs() < 0.05 * (b - a) + 0.5,
            "{work:?}: mean {mean}, expected {expected}"
        );
    }
}

#[test]
fn one_seed_draws_the_same_times() {
    let s = Work::PodStart.spread();
    let run = |seed| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..5).map(|_| draw(s, &mut rng)).collect::<Vec<_>>()
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}

#[test]
fn the_snapshot_restore_follows_from_its_size_and_throughput() {
    let s = Work::SnapshotRestore.spread();
    // 40 GiB = 42.95 GB: at 250 MB/s 172 s, 150 MB/s 287 s, 80 MB/s 537 s.
    assert_eq!(s.least, Duration::from_secs(30 + 172));
    assert_eq!(s.likeliest, Duration::from_secs(30 + 287));
    assert_eq!(s.most, Duration::from_secs(30 + 537));
}

#[test]
fn a_degenerate_spread_is_its_one_value() {
    let s = secs(4, 4, 4);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    assert_eq!(draw(s, &mut rng), Duration::from_secs(4));
}

#[test]
fn a_dns_change_says_when_clients_follow() {
    let t = StepTime {
        work: Work::DnsCall,
        took: Duration::from_secs(2),
        settles_after: Some(Duration::from_secs(95)),
    };
    assert_eq!(
        t.describe(),
        "takes 2s of simulated time (Route 53 API call); clients follow 1m35s later (propagation and the 60s TTL)"
    );
}

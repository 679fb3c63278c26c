//! One duration grammar, bounded at load: what every loader accepts reads
//! back the same, and nothing any loader accepts can overflow when the
//! console scales it (the RTO clock's ×4/×5, sums of step timeouts plus the
//! RTO, staleness as poll interval × 10, a backup's schedule plus grace).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use drconsole::app::runbook::{Mode, RunScreen, RunView};
use drconsole::config::builtin;
use drconsole::config::runbook::{Actions, compile, parse_runbook};
use drconsole::config::{Finding, check_paths, parse_environment};
use drconsole::domain::duration::{self, Bound, bounds, past_fraction, scaled, total};
use drconsole::domain::estate::EstateSpec;
use drconsole::domain::fault::Fault;
use drconsole::domain::runbook::plan::Phase;
use drconsole::domain::telemetry::{Freshness, UNKNOWN_AFTER_INTERVALS};
use drconsole::domain::time::Timestamp;
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn check_line(file: &str) -> String {
    let findings = check_paths(&[PathBuf::from(file)]);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    match &findings[0] {
        Finding::Err(e) | Finding::Invalid(e, _) => e.to_string(),
        other => panic!("{file} passed check: {other}"),
    }
}

/// The runbook that used to pass `check` and then panic the console in the
/// RTO clock (`rto * 4`) is refused, at its value.
#[test]
fn check_refuses_an_rto_past_the_bound_with_its_position() {
    assert_eq!(
        check_line("tests/runbook_errors/rto_too_long.yaml"),
        "tests/runbook_errors/rto_too_long.yaml:2:6: \
         rto 4611686018427387904s is longer than the longest allowed, 7d"
    );
    assert_eq!(
        check_line("tests/config_errors/environments/rto_too_long.toml"),
        "tests/config_errors/environments/rto_too_long.toml:4:7: \
         rto 4611686018427387904s is longer than the longest allowed, 7d"
    );
}

/// The RTO clock that panicked (`rto * 4`) draws any durations at all,
/// even ones no loader accepts.
#[test]
fn the_rto_clock_draws_extreme_durations() {
    let theme = builtin::builtin_theme("dark").unwrap();
    for (elapsed, rto) in [
        (Duration::MAX, Duration::MAX),
        (
            Duration::from_secs(4_611_686_018_427_387_904),
            Duration::MAX,
        ),
        (
            Duration::ZERO,
            Duration::from_secs(4_611_686_018_427_387_904),
        ),
        (Duration::MAX, Duration::ZERO),
    ] {
        let screen = RunScreen::new(RunView {
            title: "bounds".into(),
            mode: Mode::Practice,
            elapsed,
            rto: Some(rto),
            clock_stopped: false,
            rows: Vec::new(),
            output: Vec::new(),
            gate: None,
            choices: Vec::new(),
            outcome: None,
            journal: "j.jsonl".into(),
            rollback: Vec::new(),
            rotations: Vec::new(),
            halted: None,
        });
        let mut t = Terminal::new(TestBackend::new(100, 12)).unwrap();
        t.draw(|f| drconsole::ui::runbook::render(f, &screen, &theme))
            .unwrap();
        assert!(format!("{}", t.backend()).contains("RTO clock"));
    }
}

/// `1m1h` was accepted by runbooks and refused by environment files; now
/// every loader refuses it with the same words.
#[test]
fn every_loader_refuses_the_same_text_alike() {
    for file in [
        "tests/runbook_errors/duration_out_of_order.yaml",
        "tests/config_errors/environments/duration_out_of_order.toml",
    ] {
        assert!(
            check_line(file)
                .ends_with("bad duration \"1m1h\", expected e.g. 30s, 2m, 1h30m, 1d or 500ms"),
            "{file}"
        );
    }
    let fault = Fault::parse("lag-growth eu-west-1 1m1h").unwrap_err();
    assert_eq!(
        fault,
        "bad duration \"1m1h\", expected e.g. 30s, 2m, 1h30m, 1d or 500ms"
    );
    // And `:inject … lag-growth REGION 1h` now works.
    assert!(Fault::parse_for("lag-growth eu-west-1 1h", &EstateSpec::seed()).is_ok());
}

/// The seed's own values sit inside the bounds their fields have in files.
#[test]
fn the_seed_is_within_every_bound() {
    let seed = EstateSpec::seed();
    let within = |b: Bound, d: Duration| b.check("seed", d).unwrap();
    within(bounds::TARGET, seed.targets.rto);
    within(bounds::TARGET, seed.targets.rpo);
    within(bounds::AWS_POLL, seed.poll.health);
    within(bounds::AWS_POLL, seed.poll.metrics);
    within(bounds::AWS_POLL, seed.poll.backups);
    within(bounds::CHAIN_POLL, seed.poll.chain);
    for b in &seed.backups {
        within(bounds::BACKUP_SCHEDULE, b.every);
        within(bounds::BACKUP_SCHEDULE, b.alarm_after);
    }
}

/// `d` at `frac` (0..=1) of the way from the bound's shortest to longest,
/// in whole milliseconds as the grammar counts.
fn within(b: Bound, frac: f64) -> Duration {
    let lo = u64::try_from(b.min.as_millis()).unwrap();
    let hi = u64::try_from(b.max.as_millis()).unwrap();
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let ms = lo + ((hi - lo) as f64 * frac) as u64;
    Duration::from_millis(ms.clamp(lo, hi))
}

/// Exact nanoseconds of `d × n`, to compare with what saturating helpers
/// returned: equal means nothing saturated, let alone wrapped.
fn exact(d: Duration, n: u32) -> u128 {
    d.as_nanos() * u128::from(n)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// format → parse: every whole-millisecond duration reads back.
    #[test]
    fn formatted_durations_parse_back(ms in any::<u64>()) {
        let d = Duration::from_millis(ms);
        prop_assert_eq!(duration::parse(&duration::format(d)), Ok(d));
    }

    /// parse → format: a canonical text (largest units first, each part
    /// below the next unit) is printed back exactly.
    #[test]
    fn canonical_text_formats_back(
        d in 0..400_u64, h in 0..24_u64, m in 0..60_u64, s in 0..60_u64, ms in 0..1000_u64,
    ) {
        let mut text = String::new();
        for (n, unit) in [(d, "d"), (h, "h"), (m, "m"), (s, "s"), (ms, "ms")] {
            if n > 0 {
                let _ = write!(text, "{n}{unit}");
            }
        }
        if text.is_empty() {
            text.push_str("0s");
        }
        let parsed = duration::parse(&text).unwrap();
        prop_assert_eq!(duration::format(parsed), text);
    }

    /// Any text at all: an error or a value that re-formats to itself.
    #[test]
    fn no_text_panics_the_grammar(text in "[0-9a-z .+-]{0,24}") {
        if let Ok(d) = duration::parse(&text) {
            prop_assert_eq!(duration::parse(&duration::format(d)), Ok(d));
        }
    }

    /// Up to every bound: accepted through the grammar, and the console's
    /// scalings of it stay exact (nothing saturates, nothing panics).
    #[test]
    fn every_accepted_duration_scales_without_overflow(
        which in 0..bounds::ALL.len(), frac in 0.0..=1.0_f64, rto_frac in 0.0..=1.0_f64,
    ) {
        let (name, b) = bounds::ALL[which];
        let d = within(b, frac);
        prop_assert_eq!(b.parse(name, &duration::format(d)), Ok(d));
        let rto = within(bounds::TARGET, rto_frac);
        for n in [2, 4, 5, UNKNOWN_AFTER_INTERVALS, 1000] {
            prop_assert_eq!(scaled(d, n).as_nanos(), exact(d, n));
        }
        // A thousand steps at this duration, plus the RTO.
        let sum = total(std::iter::repeat_n(d, 1000).chain([rto]));
        prop_assert_eq!(sum.as_nanos(), exact(d, 1000) + rto.as_nanos());
        let _ = past_fraction(sum, rto, 4, 5);
        let now = Timestamp::from_secs(1_800_000_000);
        let later = now.plus(sum);
        prop_assert_eq!(
            u128::try_from(later.as_millis() - now.as_millis()).unwrap(),
            sum.as_millis()
        );
        let _ = Freshness::classify(Some(now), later, d);
    }

    /// Through the real runbook loader: rto, rpo, timeouts, polls and retry
    /// delays up to their bounds compile, and the plan's sum of timeouts
    /// plus its RTO scales exactly.
    #[test]
    fn runbooks_at_their_bounds_compile_and_scale(
        rto in 0.0..=1.0_f64, timeouts in prop::collection::vec(0.0..=1.0_f64, 1..6),
        poll in 0.0..=1.0_f64, delay in 0.0..=1.0_f64,
    ) {
        let rto = within(bounds::TARGET, rto);
        let mut text = format!(
            "name: bounds\nrto: {}\nrpo: {}\nsteps:\n",
            duration::format(rto),
            duration::format(bounds::TARGET.max)
        );
        for (i, t) in timeouts.iter().enumerate() {
            let _ = write!(
                text,
                "  - name: s{i}\n    command: \"true\"\n    timeout: {}\n    \
                 poll_interval: {}\n    until: \"== 0\"\n    \
                 retry: {{max_attempts: 2, delay: {}}}\n",
                duration::format(within(bounds::STEP_TIMEOUT, *t)),
                duration::format(within(bounds::STEP_POLL, poll)),
                duration::format(within(bounds::RETRY_DELAY, delay)),
            );
        }
        let rb = parse_runbook(Path::new("bounds.yaml"), &text).unwrap();
        let plan = compile(&rb, &Actions::shipped().unwrap(), &BTreeMap::new(), &EstateSpec::seed())
            .unwrap();
        prop_assert_eq!(plan.rto, Some(rto));
        let steps = plan.phase(Phase::Step);
        let sum = total(steps.iter().filter_map(|s| s.timeout).chain(plan.rto));
        let exact_sum: u128 = steps.iter().filter_map(|s| s.timeout).map(|t| t.as_nanos()).sum::<u128>()
            + rto.as_nanos();
        prop_assert_eq!(sum.as_nanos(), exact_sum);
        prop_assert_eq!(scaled(rto, 5).as_nanos(), exact(rto, 5));
        let _ = past_fraction(sum, rto, 4, 5);
    }

    /// Through the real environment loader: poll intervals and backup
    /// schedules up to their bounds load, and staleness (× 10) and lateness
    /// (schedule + grace) stay exact.
    #[test]
    fn environment_files_at_their_bounds_load_and_scale(
        health in 0.0..=1.0_f64, chain in 0.0..=1.0_f64, every in 0.0..=0.5_f64,
    ) {
        let every = within(bounds::BACKUP_SCHEDULE, every);
        let alarm = every.saturating_add(Duration::from_mins(1)).min(bounds::BACKUP_SCHEDULE.max);
        prop_assume!(alarm > every);
        let text = format!(
            "environment = \"prod\"\n[targets]\nrto = \"{}\"\n[poll]\nhealth = \"{}\"\nchain = \"{}\"\n\
             [[region]]\nname = \"us-east-1\"\nrole = \"primary\"\nrpc = [\"http://127.0.0.1:26657\"]\n\
             [[region.backup]]\nkind = \"keys\"\nbucket = \"b-us-east-1\"\nevery = \"{}\"\nalarm_after = \"{}\"\n",
            duration::format(bounds::TARGET.max),
            duration::format(within(bounds::AWS_POLL, health)),
            duration::format(within(bounds::CHAIN_POLL, chain)),
            duration::format(every),
            duration::format(alarm),
        );
        let env = parse_environment(Path::new("e.toml"), &text).unwrap();
        for interval in [env.spec.poll.health, env.spec.poll.chain] {
            prop_assert_eq!(
                scaled(interval, UNKNOWN_AFTER_INTERVALS).as_nanos(),
                exact(interval, UNKNOWN_AFTER_INTERVALS)
            );
        }
        let policy = &env.spec.backups[0];
        prop_assert_eq!(policy.every, every);
        let late = policy.every.saturating_add(policy.every / 10);
        prop_assert_eq!(late.as_nanos(), policy.every.as_nanos() + (policy.every / 10).as_nanos());
    }

    /// Fault text carries the one grammar both ways.
    #[test]
    fn lag_growth_faults_round_trip(frac in 0.0..=1.0_f64) {
        let d = within(bounds::LAG_GROWTH, frac);
        prop_assume!(!d.is_zero());
        let text = format!("lag-growth eu-west-1 {}", duration::format(d));
        let fault = Fault::parse(&text).unwrap();
        prop_assert_eq!(fault.to_string(), text);
    }
}

#![allow(clippy::unwrap_used)]

use super::bounds::{AWS_POLL, DRILL_TIME, LAG_GROWTH, RETRY_DELAY, TARGET};
use super::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn every_accepted_form() {
    let cases: [(&str, u64); 20] = [
        ("0", 0),
        ("45", 45_000),
        ("0s", 0),
        ("0ms", 0),
        ("500ms", 500),
        ("30s", 30_000),
        ("2m", 120_000),
        ("4h", 14_400_000),
        ("1d", 86_400_000),
        ("1h30m", 5_400_000),
        ("2m30s", 150_000),
        ("1d12h", 129_600_000),
        ("1m500ms", 60_500),
        ("1s500ms", 1500),
        ("1500ms", 1500),
        ("90m", 5_400_000),
        ("1d1h1m1s1ms", 90_061_001),
        ("1d1ms", 86_400_001),
        ("007s", 7000),
        ("18446744073709551615ms", u64::MAX),
    ];
    for (text, want) in cases {
        assert_eq!(parse(text), Ok(ms(want)), "{text}");
    }
}

#[test]
fn every_refused_form_says_what_was_expected() {
    for text in [
        "", "s", "ms", "m5", "1.5h", "0.5s", "30 s", " 5s", "5s ", "-3s", "+3s", "1m1h", "1s1s",
        "1h1h", "1ms1s", "1s1d", "3w", "1y", "1hh", "1sm", "1S", "1H", "5 m", "1h 30m", "1h30",
        "30s5", "1_000s", "½s", "1e3s", "h1", "--1s",
    ] {
        assert_eq!(
            parse(text),
            Err(DurationError::Malformed(text.to_owned())),
            "{text}"
        );
    }
    assert_eq!(
        parse("1m1h").unwrap_err().to_string(),
        "bad duration \"1m1h\", expected e.g. 30s, 2m, 1h30m, 1d or 500ms"
    );
}

#[test]
fn too_large_to_count_is_an_error_not_a_wrap() {
    for text in [
        "18446744073709551616ms",
        "18446744073709552s",
        "4611686018427387904s",
        "99999999999999999999999999999999999999999d",
        "213503982334602d",
        "213503982335d",
    ] {
        assert_eq!(
            parse(text),
            Err(DurationError::Overflow(text.to_owned())),
            "{text}"
        );
    }
    assert_eq!(
        parse("4611686018427387904s").unwrap_err().to_string(),
        "duration \"4611686018427387904s\" is too long to count, \
         expected e.g. 30s, 2m, 1h30m, 1d or 500ms"
    );
}

#[test]
fn formats_the_shortest_form_read_back() {
    let cases: [(u64, &str); 9] = [
        (0, "0s"),
        (1, "1ms"),
        (500, "500ms"),
        (1500, "1s500ms"),
        (125_000, "2m5s"),
        (5_400_000, "1h30m"),
        (14_400_000, "4h"),
        (86_400_000, "1d"),
        (90_061_001, "1d1h1m1s1ms"),
    ];
    for (n, text) in cases {
        assert_eq!(format(ms(n)), text);
        assert_eq!(parse(text), Ok(ms(n)));
    }
    // Below a millisecond is not in the grammar and is not shown.
    assert_eq!(format(Duration::from_nanos(1_999_999)), "1ms");
    assert_eq!(format(Duration::MAX), format(Duration::MAX));
}

#[test]
fn bounds_say_the_bound() {
    let err = |b: Bound, f: &str, t: &str| b.parse(f, t).unwrap_err().to_string();
    assert_eq!(
        err(TARGET, "rto", "4611686018427387904s"),
        "rto 4611686018427387904s is longer than the longest allowed, 7d"
    );
    assert_eq!(
        err(TARGET, "rto", "8d"),
        "rto 8d is longer than the longest allowed, 7d"
    );
    assert_eq!(
        err(TARGET, "rpo", "500ms"),
        "rpo 500ms is shorter than the shortest allowed, 1s"
    );
    assert_eq!(
        err(AWS_POLL, "poll.health", "0s"),
        "poll.health is zero, expected at least 1s"
    );
    assert_eq!(
        err(TARGET, "rto", "soon"),
        "bad duration \"soon\", expected e.g. 30s, 2m, 1h30m, 1d or 500ms"
    );
    assert_eq!(TARGET.parse("rto", "7d"), Ok(Duration::from_hours(168)));
    assert_eq!(TARGET.parse("rto", "1s"), Ok(Duration::from_secs(1)));
    assert_eq!(RETRY_DELAY.parse("delay", "0s"), Ok(Duration::ZERO));
    assert_eq!(DRILL_TIME.parse("at", "0"), Ok(Duration::ZERO));
    assert_eq!(LAG_GROWTH.parse("lag", "1h"), Ok(Duration::from_hours(1)));
}

#[test]
fn counted_values_are_checked_and_shown_in_the_grammar() {
    assert_eq!(
        TARGET
            .check("rto", Duration::from_hours(200))
            .unwrap_err()
            .to_string(),
        "rto 8d8h is longer than the longest allowed, 7d"
    );
    assert_eq!(
        TARGET
            .check_written("rto", "99999999999999999999999d", None)
            .unwrap_err()
            .to_string(),
        "rto 99999999999999999999999d is longer than the longest allowed, 7d"
    );
    assert_eq!(
        TARGET.check_written("rto", "900", Some(Duration::from_mins(15))),
        Ok(Duration::from_mins(15))
    );
}

#[test]
fn every_bound_is_sane_and_its_ends_parse() {
    for (name, b) in bounds::ALL {
        assert!(b.min <= b.max, "{name}");
        assert!(b.max <= Duration::from_hours(24 * 3650), "{name}");
        assert_eq!(b.parse(name, &format(b.max)), Ok(b.max), "{name}");
        if !b.min.is_zero() {
            assert_eq!(b.parse(name, &format(b.min)), Ok(b.min), "{name}");
        }
    }
}

#[test]
fn arithmetic_saturates_or_is_exact() {
    assert_eq!(scaled(Duration::MAX, 4), Duration::MAX);
    assert_eq!(scaled(ms(250), 4), ms(1000));
    assert_eq!(total([Duration::MAX, ms(1)]), Duration::MAX);
    assert_eq!(total([ms(1), ms(2)]), ms(3));
    assert_eq!(total([]), Duration::ZERO);
    assert!(past_fraction(ms(801), ms(1000), 4, 5));
    assert!(!past_fraction(ms(800), ms(1000), 4, 5));
    assert!(past_fraction(Duration::MAX, Duration::MAX, 4, 5));
    assert!(past_fraction(
        Duration::MAX,
        Duration::from_secs(u64::MAX / 2),
        4,
        5
    ));
    assert_eq!(from_secs_f64(f64::NAN), Duration::ZERO);
    assert_eq!(from_secs_f64(-1.0), Duration::ZERO);
    assert_eq!(from_secs_f64(f64::INFINITY), Duration::MAX);
    assert_eq!(from_secs_f64(1e300), Duration::MAX);
    assert_eq!(from_secs_f64(1.5), ms(1500));
}

#[test]
fn flags_are_named_once() {
    let e = bounds::IDLE_TIMEOUT
        .parse("--idle-timeout", "soon")
        .unwrap_err();
    assert_eq!(
        e.for_flag("--idle-timeout"),
        "--idle-timeout: bad duration \"soon\", expected e.g. 30s, 2m, 1h30m, 1d or 500ms"
    );
    let e = bounds::IDLE_TIMEOUT
        .parse("--idle-timeout", "500ms")
        .unwrap_err();
    assert_eq!(
        e.for_flag("--idle-timeout"),
        "--idle-timeout 500ms is shorter than the shortest allowed, 1s"
    );
}

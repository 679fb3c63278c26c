//! `report.html` in a real headless browser (Debian's
//! `chromium-headless-shell` or `chromium`, which tests/run.sh installs
//! when missing): it loads with no console message and no network
//! request, its SVG timeline is in the DOM, and a screenshot shows the
//! chart's service band. A control page proves each detector can fail: the
//! same page with a fetch and a script gets console messages, and without
//! its Content-Security-Policy it really reaches a listener on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use drconsole::config::drill_file::load_scenario;
use drconsole::config::drill_script::load_script;
use drconsole::domain::drill::report::Report;
use drconsole::domain::drill::report_svg::{DOWN_COLOUR, UP_COLOUR};
use drconsole::domain::estate::EstateSpec;
use drconsole::domain::time::Timestamp;
use drconsole::runtime::drill::{HeadlessDrill, write_report};

fn browser() -> PathBuf {
    for name in ["chromium-headless-shell", "chromium"] {
        for dir in ["/usr/bin", "/usr/local/bin"] {
            let p = Path::new(dir).join(name);
            if p.exists() {
                return p;
            }
        }
    }
    panic!(
        "no headless Chromium: tests/run.sh installs chromium-headless-shell (apt-get install chromium-headless-shell)"
    );
}

/// The region-failure drill with its steady team, as `drconsole drill` writes it.
fn report(dir: &Path) -> Report {
    let path = Path::new("runbooks/drills/region-failure.yaml");
    let scenario = load_scenario(path, &EstateSpec::seed()).unwrap();
    let script = load_script(
        Path::new("tests/fixtures/drills/region-failure-steady.yaml"),
        &scenario,
    )
    .unwrap();
    let journals = tempfile::tempdir().unwrap();
    let report = HeadlessDrill {
        scenario,
        scenario_path: path,
        script,
        start: Timestamp::parse_rfc3339("2026-01-05T03:00:00Z").unwrap(),
        spec: EstateSpec::seed(),
        journal_dir: journals.path(),
    }
    .run()
    .unwrap();
    write_report(dir, &report).unwrap();
    report
}

struct Loaded {
    dom: String,
    log: String,
}

/// Loads `page` headless (the flags that keep Chromium off the network on
/// its own account) and returns the DOM and what it logged.
fn load(page: &Path, screenshot: Option<&Path>) -> Loaded {
    let profile = tempfile::tempdir().unwrap();
    let mut c = Command::new(browser());
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1240,1754",
        // Stop waiting for anything still loading after 20 s.
        "--timeout=20000",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()));
    match screenshot {
        Some(png) => c.arg(format!("--screenshot={}", png.display())),
        None => c.arg("--dump-dom"),
    };
    let out = c
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Loaded {
        dom: String::from_utf8_lossy(&out.stdout).into_owned(),
        log: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn console_lines(log: &str) -> Vec<&str> {
    log.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

#[test]
fn the_html_report_is_self_contained_and_loads_clean_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    let report = report(dir.path());
    let page = dir.path().join("report.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(html, report.to_html(), "write_report writes to_html");
    // Nothing to fetch: no script, no link, no source, no URL but the SVG
    // namespace; and a policy that forbids any fetch anyway.
    assert!(html.contains("default-src 'none'"), "the CSP is there");
    for banned in ["<script", "<link", " src=", " href=", "@import", "url("] {
        assert!(!html.contains(banned), "{banned} in report.html");
    }
    let urls: Vec<&str> = html
        .match_indices("http")
        .map(|(i, _)| &html[i..(i + 40).min(html.len())])
        .filter(|u| !u.starts_with("http://www.w3.org/2000/svg\"") && !u.starts_with("http-equiv"))
        .collect();
    assert!(urls.is_empty(), "{urls:?}");

    let loaded = load(&page, None);
    assert_eq!(
        console_lines(&loaded.log),
        Vec::<&str>::new(),
        "{}",
        loaded.log
    );
    assert!(
        loaded.dom.contains("<svg") && loaded.dom.contains("<polyline"),
        "the timeline parsed"
    );
    for step in &report.steps {
        assert!(
            loaded.dom.contains(&step.step),
            "step {} in the chart and table",
            step.step
        );
    }
    assert!(loaded.dom.contains("RPO target 300 s") && loaded.dom.contains("RTO target"));

    // The screenshot shows the service band, up and down.
    let shot = dir.path().join("report.png");
    let shown = load(&page, Some(&shot));
    assert_eq!(
        console_lines(&shown.log),
        Vec::<&str>::new(),
        "{}",
        shown.log
    );
    let (up, down) = colour_counts(&shot);
    assert!(
        up > 500,
        "the service-up colour {UP_COLOUR} covers {up} pixels"
    );
    assert!(
        down > 200,
        "the service-down colour {DOWN_COLOUR} covers {down} pixels"
    );
}

#[test]
fn the_detectors_catch_a_page_that_fetches_or_runs_a_script() {
    let dir = tempfile::tempdir().unwrap();
    report(dir.path());
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Counts connections, answering each at once so no load hangs.
    let (seen_tx, seen) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            use std::io::Write as _;
            let mut s = stream;
            let _ = s.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            let _ = seen_tx.send(());
        }
    });
    let fetch = format!(
        "<body><img src=\"http://127.0.0.1:{port}/pixel.png\"><script>console.log(1)</script>"
    );
    // With the policy: both are refused, and the refusals are console messages.
    let bad = dir.path().join("bad.html");
    std::fs::write(&bad, html.replacen("<body>", &fetch, 1)).unwrap();
    let loaded = load(&bad, None);
    let console = console_lines(&loaded.log);
    assert!(console.len() >= 2, "{}", loaded.log);
    assert!(seen.try_recv().is_err(), "the policy stopped the fetch");
    // Without it, the browser really asks the loopback listener.
    let open = dir.path().join("open.html");
    let no_csp = html
        .replacen(
            "default-src 'none'; style-src 'unsafe-inline'",
            "default-src *",
            1,
        )
        .replacen("<body>", &fetch, 1);
    std::fs::write(&open, no_csp).unwrap();
    let _ = load(&open, None);
    assert!(
        seen.recv_timeout(Duration::from_secs(5)).is_ok(),
        "a page that fetches is seen fetching"
    );
}

/// Pixels of the band's up and down colours in a PNG screenshot.
fn colour_counts(png: &Path) -> (usize, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let rgb = |hex: &str| {
        let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap();
        let [_, r, g, b] = v.to_be_bytes();
        [r, g, b]
    };
    let (up, down) = (rgb(UP_COLOUR), rgb(DOWN_COLOUR));
    let mut counts = (0, 0);
    for px in buf[..info.buffer_size()].chunks(channels) {
        let c = [px[0], px[1], px[2]];
        if c == up {
            counts.0 += 1;
        } else if c == down {
            counts.1 += 1;
        }
    }
    counts
}

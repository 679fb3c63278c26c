//! The SVG timeline of `report.html`: one time axis for the whole drill,
//! with the service up/down band, signing power and replication lag over
//! time, the injects as markers, the outage start, the RTO target and the
//! restore as lines, the RPO target on the lag chart, and each runbook
//! step as a bar of its simulated duration. Plain SVG, no script.

use std::fmt::Write as _;
use std::time::Duration;

use super::report::{Report, offset};
use super::report_html::esc;

/// Colours the chart uses; the HTML test looks for the band's two.
pub const UP_COLOUR: &str = "#2e7d32";
/// The service-down colour.
pub const DOWN_COLOUR: &str = "#c62828";

const LEFT: f64 = 120.0;
const WIDTH: f64 = 900.0;
const PLOT: f64 = WIDTH - LEFT - 20.0;
const BAND: (f64, f64) = (30.0, 20.0);
const SIGNING: (f64, f64) = (70.0, 90.0);
const LAG: (f64, f64) = (180.0, 90.0);
const MARKS_Y: f64 = 285.0;
const STEPS_Y: f64 = 330.0;
const STEP_ROW: f64 = 11.0;

/// The chart, sized for the drill's length and its number of steps.
#[must_use]
pub fn timeline_svg(r: &Report) -> String {
    let total = r.duration_seconds.max(1);
    #[allow(clippy::cast_precision_loss)]
    let x = |t: Duration| LEFT + PLOT * (t.as_secs_f64().min(total as f64) / total as f64);
    #[allow(clippy::cast_precision_loss)]
    let height = STEPS_Y + STEP_ROW * r.steps.len() as f64 + 20.0;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\"><title>Drill timeline: service, signing power, replication lag, injects and runbook steps over {}</title>",
        offset(Duration::from_secs(total))
    );
    axis(&mut s, total, &x, height);
    band(&mut s, r, &x, total);
    signing(&mut s, r, &x);
    lag(&mut s, r, &x);
    markers(&mut s, r, &x);
    steps(&mut s, r, &x);
    s.push_str("</svg>");
    s
}

fn label(s: &mut String, y: f64, text: &str) {
    let _ = write!(s, "<text x=\"4\" y=\"{y:.1}\">{}</text>", esc(text));
}

fn axis(s: &mut String, total: u64, x: &dyn Fn(Duration) -> f64, height: f64) {
    let step = match total {
        0..=900 => 60,
        901..=3600 => 300,
        _ => 900,
    };
    for t in (0..=total).step_by(step) {
        let at = x(Duration::from_secs(t));
        let _ = write!(
            s,
            "<line x1=\"{at:.1}\" y1=\"18\" x2=\"{at:.1}\" y2=\"{:.1}\" stroke=\"#eee\"/><text x=\"{at:.1}\" y=\"14\" text-anchor=\"middle\" fill=\"#666\">{}</text>",
            height - 10.0,
            offset(Duration::from_secs(t))
        );
    }
}

fn band(s: &mut String, r: &Report, x: &dyn Fn(Duration) -> f64, total: u64) {
    let (top_y, tall) = BAND;
    label(s, top_y + 14.0, "service");
    let end = Duration::from_secs(total);
    for (i, p) in r.chart.iter().enumerate() {
        let until = r.chart.get(i + 1).map_or(end, |n| n.at);
        let (x0, x1) = (x(p.at), x(until));
        let colour = if p.restored() { UP_COLOUR } else { DOWN_COLOUR };
        let _ = write!(
            s,
            "<rect x=\"{x0:.1}\" y=\"{top_y}\" width=\"{:.1}\" height=\"{tall}\" fill=\"{colour}\" shape-rendering=\"crispEdges\"/>",
            (x1 - x0).max(0.5)
        );
    }
}

fn polyline(s: &mut String, points: &[(f64, f64)], colour: &str) {
    if points.is_empty() {
        return;
    }
    let _ = write!(
        s,
        "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\""
    );
    for (px, py) in points {
        let _ = write!(s, "{px:.1},{py:.1} ");
    }
    s.push_str("\"/>");
}

fn frame(s: &mut String, (y, h): (f64, f64)) {
    let _ = write!(
        s,
        "<rect x=\"{LEFT}\" y=\"{y}\" width=\"{PLOT}\" height=\"{h}\" fill=\"none\" stroke=\"#999\"/>"
    );
}

fn signing(s: &mut String, r: &Report, x: &dyn Fn(Duration) -> f64) {
    let (top_y, tall) = SIGNING;
    label(s, top_y + 12.0, "signing power");
    label(s, top_y + 24.0, "0–100 %");
    frame(s, SIGNING);
    let two_thirds = top_y + tall * (1.0 - 2.0 / 3.0);
    let _ = write!(
        s,
        "<line x1=\"{LEFT}\" y1=\"{two_thirds:.1}\" x2=\"{:.1}\" y2=\"{two_thirds:.1}\" stroke=\"#555\" stroke-dasharray=\"4 3\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#555\">2/3 to commit</text>",
        LEFT + PLOT,
        LEFT + PLOT - 2.0,
        two_thirds - 2.0
    );
    let points: Vec<(f64, f64)> = r
        .chart
        .iter()
        .map(|p| {
            (
                x(p.at),
                top_y + tall * (1.0 - f64::from(p.signing_percent.min(100)) / 100.0),
            )
        })
        .collect();
    polyline(s, &points, "#1565c0");
}

fn lag(s: &mut String, r: &Report, x: &dyn Fn(Duration) -> f64) {
    let (top_y, tall) = LAG;
    let worst = r
        .chart
        .iter()
        .map(|p| u64::from(p.lag_seconds))
        .max()
        .unwrap_or(0);
    #[allow(clippy::cast_precision_loss)]
    let top = (worst.max(r.rpo_target_seconds) as f64 * 1.1).max(1.0);
    label(s, top_y + 12.0, "replication lag");
    label(s, top_y + 24.0, &format!("0–{top:.0} s"));
    frame(s, LAG);
    #[allow(clippy::cast_precision_loss)]
    let rpo = top_y + tall * (1.0 - r.rpo_target_seconds as f64 / top);
    let _ = write!(
        s,
        "<line x1=\"{LEFT}\" y1=\"{rpo:.1}\" x2=\"{:.1}\" y2=\"{rpo:.1}\" stroke=\"#ef6c00\" stroke-dasharray=\"6 3\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#ef6c00\">RPO target {} s</text>",
        LEFT + PLOT,
        LEFT + PLOT - 2.0,
        rpo - 2.0,
        r.rpo_target_seconds
    );
    let points: Vec<(f64, f64)> = r
        .chart
        .iter()
        .map(|p| {
            (
                x(p.at),
                top_y + tall * (1.0 - f64::from(p.lag_seconds) / top),
            )
        })
        .collect();
    polyline(s, &points, "#6a1b9a");
}

fn vline(s: &mut String, at: f64, colour: &str, dash: &str, text: &str, text_y: f64) {
    let _ = write!(
        s,
        "<line x1=\"{at:.1}\" y1=\"{}\" x2=\"{at:.1}\" y2=\"{}\" stroke=\"{colour}\" stroke-dasharray=\"{dash}\"/><text x=\"{:.1}\" y=\"{text_y:.1}\" fill=\"{colour}\">{}</text>",
        BAND.0,
        LAG.0 + LAG.1,
        at + 2.0,
        esc(text)
    );
}

fn markers(s: &mut String, r: &Report, x: &dyn Fn(Duration) -> f64) {
    label(s, MARKS_Y + 10.0, "injects");
    for (i, (at, name)) in r.inject_marks.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let row = (i % 3) as f64;
        vline(s, x(*at), "#757575", "2 2", "", 0.0);
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#424242\">▾ {}</text>",
            x(*at) - 3.0,
            MARKS_Y + 10.0 + 11.0 * row,
            esc(name)
        );
    }
    if let Some(start) = r.outage_began {
        vline(s, x(start), DOWN_COLOUR, "5 2", "outage", BAND.0 - 2.0);
        let target = start.saturating_add(Duration::from_secs(r.rto_target_seconds));
        vline(
            s,
            x(target),
            "#6a1b9a",
            "8 3",
            &format!("RTO target {}", offset(target)),
            SIGNING.0 - 4.0,
        );
    }
    if let Some(back) = r.restored_at {
        vline(s, x(back), UP_COLOUR, "5 2", "restored", BAND.0 - 2.0);
    }
}

fn steps(s: &mut String, r: &Report, x: &dyn Fn(Duration) -> f64) {
    label(s, STEPS_Y - 4.0, "runbook steps (simulated duration)");
    for (i, step) in r.steps.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let y = STEPS_Y + STEP_ROW * i as f64;
        let from = Duration::from_secs(step.started_seconds);
        let to = from.saturating_add(Duration::from_secs(step.duration_seconds));
        let colour = match step.outcome.as_str() {
            "passed" => "#43a047",
            "skipped" | "rolled back" => "#9e9e9e",
            _ => DOWN_COLOUR,
        };
        let name: String = step.step.chars().take(22).collect();
        let _ = write!(
            s,
            "<text x=\"4\" y=\"{:.1}\">{}</text><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"8\" fill=\"{colour}\"><title>{} {}: {} s, {}</title></rect>",
            y + 8.0,
            esc(&name),
            x(from),
            y + 1.0,
            (x(to) - x(from)).max(1.5),
            esc(&step.step),
            offset(from),
            step.duration_seconds,
            esc(&step.outcome)
        );
    }
}

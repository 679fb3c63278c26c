//! `report.html`: the after-action report as one self-contained page
//! (no script, no font, no image from anywhere; a Content-Security-Policy
//! that forbids every fetch), readable printed on A4, with an SVG timeline
//! of the drill: the service up or down, signing power and replication lag
//! over time, injects as markers, each runbook step as a bar of its
//! simulated duration, and the RTO and RPO targets as lines.

use std::fmt::Write as _;
use std::time::Duration;

use super::report::{ObjectiveStatus, Report, Status, offset};
use super::report_svg::timeline_svg;

const STYLE: &str = "\
@page { size: A4; margin: 14mm; }
body { font: 10.5pt/1.4 system-ui, sans-serif; color: #1a1a1a; max-width: 190mm; margin: 0 auto; }
h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 13pt; margin: 14pt 0 4pt; border-bottom: 1px solid #bbb; }
h3 { font-size: 11pt; margin: 10pt 0 3pt; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; } th, td { border: 1px solid #ccc; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #f0f0f0; } .pass { color: #1b5e20; font-weight: 600; } .fail { color: #b71c1c; font-weight: 700; } .muted { color: #666; }
.verdict { font-size: 13pt; padding: 4pt 8pt; display: inline-block; border: 2px solid; }
.first-page { break-after: page; } .gate { break-inside: avoid; } pre { font-size: 6.5pt; line-height: 1.15; overflow: hidden; }
svg { width: 100%; height: auto; } svg text { font: 9px system-ui, sans-serif; }
";

/// Escapes text for HTML content and attribute values.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn mark(ok: bool) -> &'static str {
    if ok {
        "<span class=\"pass\">✓ pass</span>"
    } else {
        "<span class=\"fail\">✗ FAIL</span>"
    }
}

impl Report {
    /// `report.html`: the same report as `report.md`, one page per part,
    /// with the SVG timeline after the first page.
    #[must_use]
    pub fn to_html(&self) -> String {
        let mut h = String::new();
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n<title>After-action report: {}</title>\n<style>\n{STYLE}</style></head><body>\n",
            esc(&self.scenario)
        );
        self.html_first_page(&mut h);
        let _ = writeln!(h, "<h2>Timeline</h2>\n{}", timeline_svg(self));
        let _ = writeln!(h, "<ul>");
        for l in &self.timeline {
            let _ = writeln!(h, "<li><b>{}</b> {}</li>", esc(&l.at), esc(&l.what));
        }
        let _ = writeln!(h, "</ul>");
        self.html_steps(&mut h);
        self.html_appendix(&mut h);
        h.push_str("</body></html>\n");
        h
    }

    fn html_first_page(&self, h: &mut String) {
        let passed = self.passed();
        let _ = writeln!(
            h,
            "<section class=\"first-page\"><h1>After-action report: {}</h1>\n<p class=\"muted\">Tabletop drill on the {} estate (seed {}), started {}, ran {}. Every time is simulated drill time, T+ from the drill's start.</p>",
            esc(&self.scenario),
            esc(&self.environment),
            self.seed,
            esc(&self.timestamp),
            offset(Duration::from_secs(self.duration_seconds))
        );
        let _ = writeln!(
            h,
            "<p class=\"verdict {}\">Result: {} ({} of {} criteria held)</p>",
            if passed { "pass" } else { "fail" },
            if passed { "PASSED" } else { "FAILED" },
            self.summary.passed,
            self.summary.total
        );
        let rto = self
            .rto_achieved_seconds
            .map_or_else(|| "not restored".to_owned(), |s| format!("{s} s"));
        let _ = writeln!(
            h,
            "<table><tr><th>objective</th><th>achieved</th><th>target</th><th>result</th></tr>\n<tr><td>RTO</td><td>{rto}</td><td>{} s</td><td>{}</td></tr>\n<tr><td>RPO</td><td>{} s</td><td>{} s</td><td>{}</td></tr></table>",
            self.rto_target_seconds,
            mark(
                self.rto_achieved_seconds
                    .is_some_and(|s| s <= self.rto_target_seconds)
            ),
            self.rpo_achieved_seconds,
            self.rpo_target_seconds,
            mark(self.rpo_achieved_seconds <= self.rpo_target_seconds)
        );
        let _ = writeln!(
            h,
            "<h3>Objectives</h3><table><tr><th>objective</th><th>result</th><th>evidence</th><th>at</th></tr>"
        );
        for o in &self.objective_results {
            let result = match o.status {
                ObjectiveStatus::Met => "<span class=\"pass\">✓ met</span>",
                ObjectiveStatus::NotMet => "<span class=\"fail\">✗ NOT MET</span>",
                ObjectiveStatus::NotScored => "<span class=\"muted\">? not scored</span>",
            };
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{result}</td><td>{}</td><td>{}</td></tr>",
                esc(&o.objective),
                esc(&o.evidence),
                esc(o.at.as_deref().unwrap_or(""))
            );
        }
        let _ = writeln!(h, "</table>");
        self.html_lessons(h);
        let _ = writeln!(h, "</section>");
    }

    fn html_lessons(&self, h: &mut String) {
        use super::moments::NoteKind;
        let list = |h: &mut String, title: &str, items: Vec<String>, none: &str| {
            let _ = writeln!(h, "<h3>{title}</h3><ul>");
            if items.is_empty() {
                let _ = writeln!(h, "<li class=\"muted\">{none}</li>");
            }
            for i in items {
                let _ = writeln!(h, "<li>{}</li>", esc(&i));
            }
            let _ = writeln!(h, "</ul>");
        };
        list(h, "Strengths", self.noted(NoteKind::Strength), "none noted");
        let improve = self.improvements();
        list(h, "Areas for improvement", improve, "none");
        let _ = writeln!(
            h,
            "<h3>Action items</h3><table><tr><th>action</th><th>owner</th><th>due</th><th>noted</th></tr>"
        );
        for a in &self.action_items {
            let due = match (&a.due, &a.problem) {
                (_, Some(p)) => format!("<span class=\"fail\">{}</span>", esc(p)),
                (Some(d), None) => esc(d),
                (None, None) => "<span class=\"fail\">no date</span>".to_owned(),
            };
            let owner = a
                .owner
                .as_deref()
                .map_or_else(|| "<span class=\"fail\">unassigned</span>".to_owned(), esc);
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{owner}</td><td>{due}</td><td>{}</td></tr>",
                esc(&a.action),
                esc(&a.noted)
            );
        }
        let _ = writeln!(h, "</table>");
        let mut people: Vec<String> = self
            .roles
            .iter()
            .map(|r| format!("{}: {}", r.role, r.duties))
            .collect();
        people.extend(
            self.participants
                .iter()
                .map(|p| format!("Participant {} approved {}", p.name, p.approved.join(", "))),
        );
        list(h, "Roles and participants", people, "none listed");
    }

    fn html_steps(&self, h: &mut String) {
        let _ = writeln!(h, "<h2>Success criteria</h2><ul>");
        for t in &self.tests {
            let _ = writeln!(
                h,
                "<li>{} <code>{}</code>: {}</li>",
                mark(t.status == Status::Passed),
                esc(&t.name),
                esc(&t.details)
            );
        }
        let _ = writeln!(h, "</ul>");
        if self.steps.is_empty() {
            return;
        }
        let _ = writeln!(
            h,
            "<h2>Runbook steps</h2><table><tr><th>runbook</th><th>step</th><th>outcome</th><th>started</th><th>took (simulated)</th></tr>"
        );
        for s in &self.steps {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} s</td></tr>",
                esc(&s.runbook),
                esc(&s.step),
                esc(&s.outcome),
                offset(Duration::from_secs(s.started_seconds)),
                s.duration_seconds
            );
        }
        let _ = writeln!(h, "</table>");
    }

    fn html_appendix(&self, h: &mut String) {
        if self.gates.is_empty() {
            return;
        }
        let _ = writeln!(h, "<h2>Appendix: the dashboard at each gate</h2>");
        for g in &self.gates {
            let _ = writeln!(
                h,
                "<div class=\"gate\"><h3>{} / {} at {} (answered after {} s)</h3><p>{}</p><pre>{}</pre></div>",
                esc(&g.runbook),
                esc(&g.step),
                offset(Duration::from_secs(g.opened_seconds)),
                g.waited_seconds,
                esc(&g.answered_by()),
                esc(g.dashboard.trim_end())
            );
        }
    }
}

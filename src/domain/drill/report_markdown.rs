//! `report.md`: the after-action report in words, from the same fields as
//! `report.json`.

use std::fmt::Write as _;
use std::time::Duration;

use super::moments::NoteKind;
use super::report::{NoteLine, Report, Status, TestResult, offset};

impl Report {
    /// `report.md`: the after-action report.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        let verdict = if self.passed() { "PASSED" } else { "FAILED" };
        let _ = writeln!(md, "# After-action report: {}\n", self.scenario);
        let _ = writeln!(
            md,
            "**Result: {verdict}** ({} of {} criteria held)\n",
            self.summary.passed, self.summary.total
        );
        let _ = writeln!(
            md,
            "- Started: {} ({}, seed {})",
            self.timestamp, self.environment, self.seed
        );
        let _ = writeln!(
            md,
            "- Duration: {}",
            offset(Duration::from_secs(self.duration_seconds))
        );
        let rto = self
            .rto_achieved_seconds
            .map_or_else(|| "not restored".to_string(), |s| format!("{s} s"));
        let rto_met = self
            .rto_achieved_seconds
            .is_some_and(|s| s <= self.rto_target_seconds);
        let rpo_held = self.rpo_achieved_seconds <= self.rpo_target_seconds;
        let _ = writeln!(md, "\n## Recovery objectives\n");
        let _ = writeln!(
            md,
            "| objective | achieved | target | result |\n|---|---|---|---|"
        );
        let _ = writeln!(
            md,
            "| RTO | {rto} | {} s | {} |",
            self.rto_target_seconds,
            pass_word(rto_met)
        );
        let _ = writeln!(
            md,
            "| RPO | {} s | {} s | {} |",
            self.rpo_achieved_seconds,
            self.rpo_target_seconds,
            pass_word(rpo_held)
        );
        let _ = writeln!(md, "\n## Objectives\n");
        for o in &self.objectives {
            let _ = writeln!(md, "- {o}");
        }
        let _ = writeln!(md, "\n## Success criteria\n");
        for t in &self.tests {
            let mark = if t.status == Status::Passed {
                "✓ passed"
            } else {
                "✗ FAILED"
            };
            let _ = writeln!(md, "- {mark} `{}`: {}", t.name, t.details);
        }
        let _ = writeln!(md, "\n## Timeline\n");
        for l in &self.timeline {
            let _ = writeln!(md, "- {} {}", l.at, l.what);
        }
        self.write_runs(&mut md);
        self.write_lessons(&mut md);
        md
    }
}

impl Report {
    fn write_runs(&self, md: &mut String) {
        if !self.steps.is_empty() {
            let _ = writeln!(
                md,
                "\n## Runbook steps\n\n| runbook | step | outcome | started | took |\n|---|---|---|---|---|"
            );
            for s in &self.steps {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} s |",
                    s.runbook,
                    s.step,
                    s.outcome,
                    offset(Duration::from_secs(s.started_seconds)),
                    s.duration_seconds
                );
            }
        }
        if !self.gates.is_empty() {
            let _ = writeln!(md, "\n## Gates\n");
            for g in &self.gates {
                let _ = writeln!(
                    md,
                    "### {} / {} at {} (answered after {} s)\n\nApprovers: {}. Reason: {}\n\n```text\n{}\n```\n",
                    g.runbook,
                    g.step,
                    offset(Duration::from_secs(g.opened_seconds)),
                    g.waited_seconds,
                    if g.approvers.is_empty() {
                        "none".to_string()
                    } else {
                        g.approvers.join(", ")
                    },
                    if g.reason.is_empty() {
                        "none given"
                    } else {
                        &g.reason
                    },
                    g.dashboard.trim_end()
                );
            }
        }
    }

    fn write_lessons(&self, md: &mut String) {
        let went_well: Vec<&TestResult> = self
            .tests
            .iter()
            .filter(|t| t.status == Status::Passed)
            .collect();
        let to_improve: Vec<String> = self
            .tests
            .iter()
            .filter(|t| t.status == Status::Failed)
            .map(|t| t.details.clone())
            .chain(self.refused_injects.iter().map(|r| {
                format!(
                    "inject {} at {} was refused by the estate: {}",
                    r.name,
                    offset(Duration::from_secs(r.at_seconds)),
                    r.reason
                )
            }))
            .chain(
                self.annotations
                    .iter()
                    .filter(|n| n.kind == NoteKind::Finding)
                    .map(|n| n.text.clone()),
            )
            .collect();
        let _ = writeln!(md, "\n## What went well\n");
        if went_well.is_empty() {
            let _ = writeln!(md, "- (no criterion held)");
        }
        for t in went_well {
            let _ = writeln!(md, "- {}", t.details);
        }
        let _ = writeln!(md, "\n## What to improve\n");
        if to_improve.is_empty() {
            let _ = writeln!(md, "- (nothing recorded)");
        }
        for t in to_improve {
            let _ = writeln!(md, "- {t}");
        }
        let _ = writeln!(md, "\n## Decisions\n");
        for n in self
            .annotations
            .iter()
            .filter(|n| n.kind == NoteKind::Decision)
        {
            let _ = writeln!(md, "- {} {}", n.at, n.text);
        }
        let _ = writeln!(md, "\n## Action items\n");
        let mut any = false;
        for n in self.annotations.iter().filter(|n| {
            matches!(
                n.kind,
                NoteKind::Action | NoteKind::Question | NoteKind::Finding
            )
        }) {
            any = true;
            let _ = writeln!(md, "- [ ] {} (noted {})", n.text, n.at);
        }
        if !any {
            let _ = writeln!(md, "- (none noted)");
        }
        let notes: Vec<&NoteLine> = self
            .annotations
            .iter()
            .filter(|n| n.kind == NoteKind::Note)
            .collect();
        if !notes.is_empty() {
            let _ = writeln!(md, "\n## Other notes\n");
            for n in notes {
                let _ = writeln!(md, "- {} {}", n.at, n.text);
            }
        }
    }
}

fn pass_word(ok: bool) -> &'static str {
    if ok { "✓ pass" } else { "✗ FAIL" }
}

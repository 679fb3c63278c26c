//! `report.md`: the after-action report in words, from the same fields as
//! `report.json`, in the shape of an HSEEP after-action report: a first
//! page a manager reads in a minute (result, RTO and RPO against the
//! targets, each objective scored with its evidence, strengths, areas for
//! improvement, action items with owners and due dates, who took part),
//! then the timeline and the runbook steps, then an appendix with the
//! dashboard as it stood at each gate.

use std::fmt::Write as _;
use std::time::Duration;

use super::moments::NoteKind;
use super::report::{ObjectiveStatus, Report, Status, offset};

impl Report {
    /// `report.md`: the after-action report.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(md, "# After-action report: {}\n", self.scenario);
        let _ = writeln!(
            md,
            "Tabletop drill on the {} estate (seed {}), started {}, ran {}. Every time is simulated drill time, T+ from the drill's start.\n",
            self.environment,
            self.seed,
            self.timestamp,
            offset(Duration::from_secs(self.duration_seconds))
        );
        self.write_summary(&mut md);
        self.write_objectives(&mut md);
        self.write_strengths(&mut md);
        self.write_improvements(&mut md);
        self.write_actions(&mut md);
        self.write_people(&mut md);
        let _ = writeln!(md, "\n## Success criteria\n");
        for t in &self.tests {
            let _ = writeln!(
                md,
                "- {} `{}`: {}",
                pass_mark(t.status == Status::Passed),
                t.name,
                t.details
            );
        }
        let _ = writeln!(md, "\n## Timeline\n");
        for l in &self.timeline {
            let _ = writeln!(md, "- {} {}", l.at, l.what);
        }
        self.write_steps(&mut md);
        self.write_notes(&mut md);
        self.write_appendix(&mut md);
        md
    }

    fn write_summary(&self, md: &mut String) {
        let verdict = if self.passed() { "PASSED" } else { "FAILED" };
        let _ = writeln!(md, "## Summary\n");
        let _ = writeln!(
            md,
            "**Result: {verdict}** ({} of {} criteria held)\n",
            self.summary.passed, self.summary.total
        );
        let rto = self.rto_achieved_seconds.map_or_else(
            || "not restored".to_string(),
            |s| {
                format!(
                    "{s} s ({})",
                    crate::domain::duration::format(Duration::from_secs(s))
                )
            },
        );
        let rto_met = self
            .rto_achieved_seconds
            .is_some_and(|s| s <= self.rto_target_seconds);
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
            pass_word(self.rpo_achieved_seconds <= self.rpo_target_seconds)
        );
    }

    fn write_objectives(&self, md: &mut String) {
        let _ = writeln!(md, "\n### Objectives\n");
        if self.objective_results.is_empty() {
            let _ = writeln!(md, "- (the scenario states none)");
            return;
        }
        let _ = writeln!(
            md,
            "| objective | result | evidence | at |\n|---|---|---|---|"
        );
        for o in &self.objective_results {
            let result = match o.status {
                ObjectiveStatus::Met => "✓ met",
                ObjectiveStatus::NotMet => "✗ NOT MET",
                ObjectiveStatus::NotScored => "? not scored",
            };
            let _ = writeln!(
                md,
                "| {} | {result} | {} | {} |",
                cell(&o.objective),
                cell(&o.evidence),
                o.at.as_deref().unwrap_or("")
            );
        }
    }

    fn write_strengths(&self, md: &mut String) {
        let _ = writeln!(md, "\n### Strengths\n");
        let strengths = self.noted(NoteKind::Strength);
        for n in &strengths {
            let _ = writeln!(md, "- {n}");
        }
        if strengths.is_empty() {
            let _ = writeln!(md, "- (none noted: annotate with strength:)");
        }
    }

    fn write_improvements(&self, md: &mut String) {
        let _ = writeln!(md, "\n### Areas for improvement\n");
        let lines = self.improvements();
        if lines.is_empty() {
            let _ = writeln!(
                md,
                "- (none: every criterion held and nothing was noted with improve:)"
            );
        }
        for l in lines {
            let _ = writeln!(md, "- {l}");
        }
    }

    fn write_actions(&self, md: &mut String) {
        let _ = writeln!(md, "\n### Action items\n");
        if self.action_items.is_empty() {
            let _ = writeln!(
                md,
                "- (none noted: annotate with action: TEXT; owner: NAME; due: YYYY-MM-DD)"
            );
            return;
        }
        let _ = writeln!(md, "| action | owner | due | noted |\n|---|---|---|---|");
        for a in &self.action_items {
            let due = match (&a.due, &a.problem) {
                (_, Some(p)) => format!("**{p}**"),
                (Some(d), None) => d.clone(),
                (None, None) => "**no date**".into(),
            };
            let _ = writeln!(
                md,
                "| {} | {} | {due} | {} |",
                cell(&a.action),
                a.owner
                    .as_deref()
                    .map_or_else(|| "**unassigned**".to_owned(), cell),
                a.noted
            );
        }
    }

    fn write_people(&self, md: &mut String) {
        let _ = writeln!(md, "\n### Roles and participants\n");
        for r in &self.roles {
            let _ = writeln!(md, "- {}: {}", r.role, r.duties);
        }
        if self.participants.is_empty() {
            let _ = writeln!(md, "- Participants: nobody approved a gate");
        }
        for p in &self.participants {
            let _ = writeln!(
                md,
                "- Participant {} approved {}",
                p.name,
                p.approved.join(", ")
            );
        }
        if !self.participants.is_empty() {
            let _ = writeln!(
                md,
                "\nNames typed at practice gates count in drills only; a live gate needs distinct identities."
            );
        }
    }

    fn write_steps(&self, md: &mut String) {
        if self.steps.is_empty() {
            return;
        }
        let _ = writeln!(
            md,
            "\n## Runbook steps\n\nEach step's simulated duration: what its work takes in the estate.\n\n| runbook | step | outcome | started | took |\n|---|---|---|---|---|"
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

    fn write_notes(&self, md: &mut String) {
        for (kind, title) in [
            (NoteKind::Decision, "Decisions"),
            (NoteKind::Question, "Open questions"),
            (
                NoteKind::Finding,
                "Findings (neither strength nor improvement)",
            ),
            (NoteKind::Note, "Other notes"),
        ] {
            let notes: Vec<_> = self.annotations.iter().filter(|n| n.kind == kind).collect();
            if notes.is_empty() {
                continue;
            }
            let _ = writeln!(md, "\n## {title}\n");
            for n in notes {
                let _ = writeln!(md, "- {} {}", n.at, n.text);
            }
        }
    }

    fn write_appendix(&self, md: &mut String) {
        if self.gates.is_empty() {
            return;
        }
        let _ = writeln!(md, "\n## Appendix: the dashboard at each gate\n");
        for g in &self.gates {
            let _ = writeln!(
                md,
                "### {} / {} at {} (answered after {} s)\n\n{}\n\n```text\n{}\n```\n",
                g.runbook,
                g.step,
                offset(Duration::from_secs(g.opened_seconds)),
                g.waited_seconds,
                g.answered_by(),
                g.dashboard.trim_end()
            );
        }
    }
}

/// Text for a table cell: a `|` would end the cell, a newline the row.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn pass_word(ok: bool) -> &'static str {
    if ok { "✓ pass" } else { "✗ FAIL" }
}

fn pass_mark(ok: bool) -> &'static str {
    if ok { "✓ passed" } else { "✗ FAILED" }
}

impl Report {
    /// Notes of `kind`, each with when it was noted: the one wording of
    /// report.md and report.html.
    pub(super) fn noted(&self, kind: NoteKind) -> Vec<String> {
        self.annotations
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| format!("{} (noted {})", n.text, n.at))
            .collect()
    }

    /// The areas for improvement, in both reports: failed criteria, injects
    /// the estate refused, then `improve:` notes.
    pub(super) fn improvements(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .tests
            .iter()
            .filter(|t| t.status == Status::Failed)
            .map(|t| format!("{} (criterion `{}`)", t.details, t.name))
            .collect();
        lines.extend(self.refused_injects.iter().map(|r| {
            format!(
                "inject {} at {} was refused by the estate: {}; the drill did not run as written",
                r.name,
                offset(Duration::from_secs(r.at_seconds)),
                r.reason
            )
        }));
        lines.extend(self.noted(NoteKind::Improve));
        lines
    }
}

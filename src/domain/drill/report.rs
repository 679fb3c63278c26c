//! The after-action report: `report.md` for people, `report.json` for the
//! estate's DR-test pipeline (the same fields as its automated tests:
//! `timestamp, environment, duration_seconds, summary, tests`), plus the
//! RTO and RPO achieved against the targets.

use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use super::scenario::{Criterion, Scenario};
use super::score::Score;
use super::timeline::{Happening, Moment, NoteKind};
use crate::domain::time::Timestamp;

/// Pass or fail, as the estate's reports write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Held.
    Passed,
    /// Did not hold.
    Failed,
}

/// One success criterion's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestResult {
    /// The criterion's name.
    pub name: String,
    /// Passed or failed.
    pub status: Status,
    /// Why, in a sentence.
    pub details: String,
}

/// Pass/fail counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Criteria judged.
    pub total: usize,
    /// Criteria that held.
    pub passed: usize,
    /// Criteria that did not.
    pub failed: usize,
}

/// A runbook step as it went in the drill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepTiming {
    /// Runbook file name.
    pub runbook: String,
    /// Step name.
    pub step: String,
    /// Final state word.
    pub outcome: String,
    /// Offset from the drill's start when it began.
    pub started_seconds: u64,
    /// How long it ran.
    pub duration_seconds: u64,
}

/// A gate as it went in the drill, with the dashboard as it stood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateRecord {
    /// Runbook file name.
    pub runbook: String,
    /// The gated step.
    pub step: String,
    /// When the gate opened (offset from the drill's start).
    pub opened_seconds: u64,
    /// How long the team took to answer.
    pub waited_seconds: u64,
    /// Who approved.
    pub approvers: Vec<String>,
    /// The reason given, if any.
    pub reason: String,
    /// The dashboard as text at the moment the gate opened.
    pub dashboard: String,
}

/// Facts a drill run adds to its scenario and timeline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    /// Where the database primary ended up.
    pub database_primary: String,
    /// Validator keys that signed twice (names).
    pub double_signs: Vec<String>,
    /// Runbooks (file names) that completed.
    pub runbooks_completed: Vec<String>,
    /// Steps, in the order they ran.
    pub steps: Vec<StepTiming>,
    /// Gates, in the order they opened.
    pub gates: Vec<GateRecord>,
}

/// A timeline line in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineLine {
    /// `T+mm:ss`.
    pub at: String,
    /// What happened.
    pub what: String,
}

/// A note in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoteLine {
    /// `T+mm:ss`.
    pub at: String,
    /// Which kind.
    pub kind: NoteKind,
    /// The text.
    pub text: String,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// When the drill started (simulated time), RFC 3339.
    pub timestamp: String,
    /// `simulated`, or the environment's name.
    pub environment: String,
    /// Drill time from start to end.
    pub duration_seconds: u64,
    /// Pass/fail counts.
    pub summary: Summary,
    /// One entry per success criterion.
    pub tests: Vec<TestResult>,
    /// Scenario title.
    pub scenario: String,
    /// Scenario id (file stem).
    pub scenario_id: String,
    /// Simulated estate seed.
    pub seed: u64,
    /// RTO achieved; null when service never came back.
    pub rto_achieved_seconds: Option<u64>,
    /// The RTO target.
    pub rto_target_seconds: u64,
    /// RPO achieved.
    pub rpo_achieved_seconds: u64,
    /// The RPO target.
    pub rpo_target_seconds: u64,
    /// Objectives, from the scenario.
    pub objectives: Vec<String>,
    /// Everything that happened.
    pub timeline: Vec<TimelineLine>,
    /// Notes taken during the drill.
    pub annotations: Vec<NoteLine>,
    /// Steps as they ran.
    pub steps: Vec<StepTiming>,
    /// Gates as they were answered.
    pub gates: Vec<GateRecord>,
}

/// `T+mm:ss` (or `T+h:mm:ss`).
#[must_use]
pub fn offset(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("T+{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("T+{:02}:{:02}", s / 60, s % 60)
    }
}

fn judge(c: &Criterion, scenario: &Scenario, score: &Score, f: &Findings) -> TestResult {
    let (ok, details) = match c {
        Criterion::ServiceRestored => match score.restored_at {
            Some(at) => (true, format!("service restored at {}", offset(at))),
            None => (
                false,
                "service was not restored before the drill ended".into(),
            ),
        },
        Criterion::WithinRto => match score.rto {
            Some(rto) => (
                rto <= scenario.targets.rto,
                format!(
                    "RTO {}s against a target of {}s",
                    rto.as_secs(),
                    scenario.targets.rto.as_secs()
                ),
            ),
            None => (
                false,
                format!(
                    "service not restored: RTO target {}s missed",
                    scenario.targets.rto.as_secs()
                ),
            ),
        },
        Criterion::WithinRpo => (
            score.rpo <= scenario.targets.rpo,
            format!(
                "RPO {}s against a target of {}s",
                score.rpo.as_secs(),
                scenario.targets.rpo.as_secs()
            ),
        ),
        Criterion::NoDoubleSign => {
            if f.double_signs.is_empty() {
                (true, "no validator key signed twice".into())
            } else {
                (
                    false,
                    format!("DOUBLE SIGN by {}", f.double_signs.join(", ")),
                )
            }
        }
        Criterion::DatabasePrimary(r) => (
            &f.database_primary == r,
            format!("database primary is {} (expected {r})", f.database_primary),
        ),
        Criterion::RunbookCompleted(r) => {
            let done = f.runbooks_completed.iter().any(|x| x == r);
            (
                done,
                if done {
                    format!("{r} completed")
                } else {
                    format!("{r} did not complete")
                },
            )
        }
    };
    TestResult {
        name: c.name(),
        status: if ok { Status::Passed } else { Status::Failed },
        details,
    }
}

impl Report {
    /// Builds the report from everything a drill produced.
    #[must_use]
    pub fn build(
        scenario: &Scenario,
        started: Timestamp,
        environment: &str,
        ended_after: Duration,
        moments: &[Moment],
        score: &Score,
        findings: &Findings,
    ) -> Self {
        let tests: Vec<TestResult> = scenario
            .criteria
            .iter()
            .map(|c| judge(c, scenario, score, findings))
            .collect();
        let passed = tests.iter().filter(|t| t.status == Status::Passed).count();
        let timeline = moments
            .iter()
            .map(|m| TimelineLine {
                at: offset(m.at),
                what: describe(m),
            })
            .collect();
        let annotations = moments
            .iter()
            .filter_map(|m| match &m.what {
                Happening::Note { kind, text } => Some(NoteLine {
                    at: offset(m.at),
                    kind: *kind,
                    text: text.clone(),
                }),
                _ => None,
            })
            .collect();
        Report {
            timestamp: started.to_string(),
            environment: environment.to_string(),
            duration_seconds: ended_after.as_secs(),
            summary: Summary {
                total: tests.len(),
                passed,
                failed: tests.len() - passed,
            },
            tests,
            scenario: scenario.name.clone(),
            scenario_id: scenario.id.clone(),
            seed: scenario.seed,
            rto_achieved_seconds: score.rto.map(|d| d.as_secs()),
            rto_target_seconds: scenario.targets.rto.as_secs(),
            rpo_achieved_seconds: score.rpo.as_secs(),
            rpo_target_seconds: scenario.targets.rpo.as_secs(),
            objectives: scenario.objectives.clone(),
            timeline,
            annotations,
            steps: findings.steps.clone(),
            gates: findings.gates.clone(),
        }
    }

    /// Whether every criterion held.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.summary.failed == 0
    }

    /// `report.json`.
    ///
    /// # Errors
    /// Never in practice: every field serializes.
    pub fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string_pretty(self)
    }

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

/// One moment of the timeline in words: the report and the drill screen
/// say it the same way.
#[must_use]
pub fn describe(m: &Moment) -> String {
    match &m.what {
        Happening::Started => "drill started".to_string(),
        Happening::Paused => "paused".to_string(),
        Happening::Resumed => "resumed".to_string(),
        Happening::Speed(x) => format!("speed {x}x"),
        Happening::Inject {
            name,
            description,
            by_hand,
            disruptive,
        } => format!(
            "inject {name}{}: {description}{}",
            if *by_hand { " (by hand)" } else { "" },
            if *disruptive { " [disruptive]" } else { "" }
        ),
        Happening::Note { kind, text } => format!("{}: {text}", kind_word(*kind)),
        Happening::Record(t) => t.clone(),
        Happening::Ended { by_hand: true } => "drill ended by the facilitator".to_string(),
        Happening::Ended { by_hand: false } => "drill time ran out".to_string(),
    }
}

fn pass_word(ok: bool) -> &'static str {
    if ok { "✓ pass" } else { "✗ FAIL" }
}

fn kind_word(k: NoteKind) -> &'static str {
    match k {
        NoteKind::Note => "note",
        NoteKind::Decision => "decision",
        NoteKind::Finding => "finding",
        NoteKind::Question => "question",
        NoteKind::Action => "action",
    }
}

//! The runbook screen: steps with their state and timers, the command about
//! to run, live output, the RTO clock, and the gate or the choices the run
//! is waiting on. It only reads [`RunScreen`].

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::app::runbook::{GateField, Mode, RunEnd, RunScreen, StepStatus, mode_banner};
use crate::config::theme::{Slot, Theme};
use crate::domain::runbook::plan::Phase;
use crate::domain::runbook::protocol::RunOutcome;

/// Draws the runbook screen over the whole frame.
pub fn render(f: &mut Frame, screen: &RunScreen, theme: &Theme) {
    let area = f.area();
    let gate_height = gate_height(screen);
    let [header, body, bottom, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(gate_height),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(f, header, screen, theme);
    let [steps, detail] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(body);
    render_steps(f, steps, screen, theme);
    render_detail(f, detail, screen, theme);
    if gate_height > 0 {
        if screen.view.gate.is_some() {
            render_gate(f, bottom, screen, theme);
        } else {
            render_choices(f, bottom, screen, theme);
        }
    }
    render_footer(f, footer, screen, theme);
    if screen.help {
        render_help(f, area, theme);
    }
    if screen.confirm_leave {
        render_leave(f, area, theme);
    }
}

fn gate_height(screen: &RunScreen) -> u16 {
    if screen.view.gate.is_some() {
        let fields = u16::try_from(screen.fields().len()).unwrap_or(u16::MAX);
        let question = u16::from(
            screen
                .view
                .gate
                .as_ref()
                .is_some_and(|g| g.question.is_some()),
        );
        4 + fields + question
    } else if screen.view.choices.is_empty() {
        0
    } else {
        3
    }
}

/// `mm:ss`, or `h:mm:ss` past an hour: the RTO clock and step timers.
#[must_use]
pub fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// A run's end in the operator's words, e.g. "RECOVERED in 11:40, within
/// RTO"; the drill's timeline uses the same words.
#[must_use]
pub fn outcome_words(end: &RunEnd) -> String {
    let took = clock(end.took);
    match end.outcome {
        RunOutcome::Recovered => match end.rto {
            Some(rto) if end.took > rto => format!("RECOVERED in {took}: RTO MISSED"),
            Some(_) => format!("RECOVERED in {took}, within RTO"),
            None => format!("RECOVERED in {took}"),
        },
        RunOutcome::RolledBack => format!("ROLLED BACK after {took}"),
        RunOutcome::Aborted => format!("ABORTED after {took}"),
    }
}

fn render_header(f: &mut Frame, area: Rect, screen: &RunScreen, theme: &Theme) {
    let v = &screen.view;
    let mode_slot = match v.mode {
        Mode::Live { .. } => Slot::Live,
        Mode::Practice | Mode::DryRun => Slot::Simulated,
    };
    let mut spans = vec![
        Span::styled(
            format!(" {} ", mode_banner(&v.mode)),
            theme.style(mode_slot).add_modifier(Modifier::BOLD),
        ),
        Span::styled(format!(" RUNBOOK {} ", v.title), theme.style(Slot::Header)),
    ];
    let (text, slot) = match v.rto {
        Some(rto) => {
            let over = v.elapsed > rto;
            let near = crate::domain::duration::past_fraction(v.elapsed, rto, 4, 5);
            let (word, slot) = if over {
                ("✗ RTO MISSED", Slot::Critical)
            } else if near {
                ("! near RTO", Slot::Warn)
            } else {
                ("✓ within RTO", Slot::Ok)
            };
            let stopped = if v.clock_stopped { " (stopped)" } else { "" };
            (
                format!(
                    " RTO clock {} / {} {word}{stopped} ",
                    clock(v.elapsed),
                    clock(rto)
                ),
                slot,
            )
        }
        None => (
            format!(" elapsed {} (no RTO declared) ", clock(v.elapsed)),
            Slot::Muted,
        ),
    };
    spans.push(Span::styled(text, theme.style(slot)));
    if let Some(end) = &v.outcome {
        spans.push(Span::styled(
            format!(" {} ", outcome_words(end)),
            theme.style(Slot::Title),
        ));
    }
    f.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.style(Slot::Header)),
        area,
    );
}

fn status_slot(status: StepStatus) -> Slot {
    match status {
        StepStatus::Pending => Slot::Muted,
        StepStatus::AwaitingGate => Slot::Warn,
        StepStatus::Running => Slot::Accent,
        StepStatus::Passed => Slot::Ok,
        StepStatus::Failed => Slot::Critical,
        StepStatus::Skipped | StepStatus::RolledBack => Slot::Stale,
        StepStatus::OutcomeUnknown => Slot::Unknown,
    }
}

fn phase_title(phase: Phase) -> &'static str {
    match phase {
        Phase::PreCheck => "PRE-CHECKS",
        Phase::Step => "STEPS",
        Phase::PostCheck => "POST-CHECKS",
        Phase::Rollback => "ROLLBACK",
    }
}

fn block<'a>(theme: &Theme, title: &str) -> Block<'a> {
    Block::bordered()
        .border_type(BorderType::Plain)
        .border_style(theme.style(Slot::Border))
        .title(Span::styled(format!(" {title} "), theme.style(Slot::Title)))
}

fn render_steps(f: &mut Frame, area: Rect, screen: &RunScreen, theme: &Theme) {
    let rows = &screen.view.rows;
    let done = rows
        .iter()
        .filter(|r| matches!(r.status, StepStatus::Passed | StepStatus::Skipped))
        .count();
    let outer = block(theme, &format!("Steps {done}/{}", rows.len()));
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let mut lines: Vec<Line> = Vec::new();
    let mut selected_line = 0;
    let mut phase = None;
    for (i, row) in rows.iter().enumerate() {
        if phase != Some(row.phase) {
            phase = Some(row.phase);
            lines.push(Line::from(Span::styled(
                phase_title(row.phase),
                theme.style(Slot::Muted),
            )));
        }
        if i == screen.selected {
            selected_line = lines.len();
        }
        let timer = match (row.elapsed, row.timeout) {
            (Some(e), Some(t)) => format!("{}/{}", clock(e), clock(t)),
            (Some(e), None) => clock(e),
            (None, Some(t)) => format!("  --/{}", clock(t)),
            (None, None) => String::new(),
        };
        let attempt = if row.max_attempts > 1 && row.attempt > 0 {
            format!(" {}/{}", row.attempt, row.max_attempts)
        } else {
            String::new()
        };
        let style = theme.style(status_slot(row.status));
        let right = format!("{timer}{attempt}");
        let width = usize::from(inner.width);
        let name_room = width.saturating_sub(20 + right.chars().count());
        let name: String = if row.name.chars().count() > name_room {
            let cut: String = row.name.chars().take(name_room.saturating_sub(1)).collect();
            format!("{cut}…")
        } else {
            row.name.clone()
        };
        let mut line = Line::from(vec![
            Span::styled(
                format!(" {} {:<16}", row.status.symbol(), row.status.word()),
                style,
            ),
            Span::styled(format!("{name:<name_room$}"), theme.style(Slot::Text)),
            Span::styled(format!(" {right}"), theme.style(Slot::Muted)),
        ]);
        if i == screen.selected {
            line = line.style(theme.style(Slot::Selection));
        }
        lines.push(line);
    }
    let height = usize::from(inner.height);
    let skip = selected_line.saturating_sub(height.saturating_sub(2));
    let visible: Vec<Line> = lines.into_iter().skip(skip).take(height).collect();
    f.render_widget(Paragraph::new(visible), inner);
}

fn render_detail(f: &mut Frame, area: Rect, screen: &RunScreen, theme: &Theme) {
    let Some(row) = screen.view.rows.get(screen.selected) else {
        f.render_widget(block(theme, "Step"), area);
        return;
    };
    let outer = block(
        theme,
        &format!("{}: {}", phase_title(row.phase).to_lowercase(), row.name),
    );
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let mut lines: Vec<Line> = Vec::new();
    if let Some(d) = &row.description {
        lines.push(Line::from(Span::styled(d.clone(), theme.style(Slot::Text))));
    }
    lines.push(Line::from(vec![
        Span::styled("state ", theme.style(Slot::Muted)),
        Span::styled(
            format!("{} {}", row.status.symbol(), row.status.word()),
            theme.style(status_slot(row.status)),
        ),
    ]));
    if let Some(note) = &row.note {
        lines.push(Line::from(Span::styled(
            note.clone(),
            theme.style(status_slot(row.status)),
        )));
    }
    lines.push(Line::from(Span::styled(
        "command",
        theme.style(Slot::Muted),
    )));
    for l in row.command.lines() {
        lines.push(Line::from(Span::styled(
            format!("  {l}"),
            theme.style(Slot::Accent),
        )));
    }
    let is_current = matches!(
        row.status,
        StepStatus::Running | StepStatus::Failed | StepStatus::OutcomeUnknown
    );
    if is_current && !screen.view.output.is_empty() {
        lines.push(Line::from(Span::styled("output", theme.style(Slot::Muted))));
        let room = usize::from(inner.height).saturating_sub(lines.len()).max(1);
        let out = &screen.view.output;
        for l in &out[out.len().saturating_sub(room)..] {
            lines.push(Line::from(Span::styled(
                format!("  {l}"),
                theme.style(Slot::Text),
            )));
        }
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn render_gate(f: &mut Frame, area: Rect, screen: &RunScreen, theme: &Theme) {
    let Some(gate) = &screen.view.gate else {
        return;
    };
    let env = gate
        .environment
        .as_ref()
        .map_or(String::new(), |e| format!(" on {e}"));
    let outer = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.style(Slot::Warn))
        .title(Span::styled(
            format!(" GATE{env}: {} ", gate.step),
            theme.style(Slot::Warn),
        ));
    let inner = outer.inner(area);
    f.render_widget(Clear, area);
    f.render_widget(outer, area);
    let mut lines = vec![Line::from(Span::styled(
        gate.action.clone(),
        theme.style(Slot::Text),
    ))];
    if let Some(q) = &gate.question {
        lines.push(Line::from(vec![
            Span::styled("judge: ", theme.style(Slot::Muted)),
            Span::styled(q.clone(), theme.style(Slot::Text)),
        ]));
    }
    let current = screen.current_field();
    for field in screen.fields() {
        let (label, hint) = match field {
            GateField::Phrase => (
                "type exactly".to_string(),
                gate.phrase
                    .clone()
                    .map(|p| format!("\"{p}\""))
                    .unwrap_or_default(),
            ),
            GateField::Approver(i) => (
                if gate.approvers > 1 {
                    format!("approver {} of {}", i + 1, gate.approvers)
                } else {
                    "your name".into()
                },
                String::new(),
            ),
            GateField::Reason => ("reason".to_string(), String::new()),
            GateField::Answer => ("your judgement".to_string(), String::new()),
        };
        let typed = screen.form.as_ref().map_or("", |form| form.text(field));
        let cursor = if current == Some(field) { "▏" } else { "" };
        let label_style = if current == Some(field) {
            theme.style(Slot::Accent)
        } else {
            theme.style(Slot::Muted)
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{label:<16}"), label_style),
            Span::styled(hint, theme.style(Slot::Title)),
            Span::raw(if matches!(field, GateField::Phrase) {
                "  "
            } else {
                ""
            }),
            Span::styled(
                format!("{typed}{cursor}"),
                theme.style(Slot::Text).add_modifier(Modifier::BOLD),
            ),
        ]));
    }
    let hint = if screen.form.is_none() {
        "Enter: answer this gate"
    } else {
        "Enter: next field, then submit · the phrase must match exactly"
    };
    lines.push(Line::from(Span::styled(hint, theme.style(Slot::Muted))));
    f.render_widget(Paragraph::new(lines), inner);
}

fn render_choices(f: &mut Frame, area: Rect, screen: &RunScreen, theme: &Theme) {
    let outer = Block::bordered()
        .border_style(theme.style(Slot::Critical))
        .title(Span::styled(
            " The run waits for a decision ",
            theme.style(Slot::Critical),
        ));
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let mut spans = Vec::new();
    for d in &screen.view.choices {
        let (key, label) = crate::app::runbook::choice_key(*d);
        spans.push(Span::styled(
            format!(" {key} "),
            theme.style(Slot::Accent).add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::styled(format!("{label}  "), theme.style(Slot::Text)));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), inner);
}

fn render_footer(f: &mut Frame, area: Rect, screen: &RunScreen, theme: &Theme) {
    let keys = if screen.form.is_some() {
        "Tab next field · Enter submit · Esc close · Ctrl-U clear"
    } else {
        "j/k select · Enter gate · ? help · q leave (the run resumes from its journal)"
    };
    let mut spans = vec![Span::styled(format!(" {keys} "), theme.style(Slot::Muted))];
    if let Some(n) = &screen.notice {
        spans.push(Span::styled(format!(" {n} "), theme.style(Slot::Warn)));
    }
    spans.push(Span::styled(
        format!(" journal {} ", screen.view.journal),
        theme.style(Slot::Muted),
    ));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn render_help(f: &mut Frame, area: Rect, theme: &Theme) {
    let text = [
        (
            "j k ↑ ↓ g G",
            "select a step: its command and output show on the right",
        ),
        ("Enter", "answer the gate the run waits on"),
        ("Tab / Shift-Tab", "next / previous field of the gate"),
        ("r", "retry a failed step"),
        ("s", "skip a failed step (asks for a gate)"),
        (
            "b",
            "roll back: completed steps' rollbacks in reverse, then the runbook's",
        ),
        ("x", "abort the run"),
        ("v", "outcome unknown: you verified it succeeded"),
        (
            "o",
            "go on despite failed pre-checks (gated, with a reason)",
        ),
        (
            "q",
            "leave: the journal keeps the run; run it again to resume",
        ),
    ];
    let lines: Vec<Line> = text
        .iter()
        .map(|(k, d)| {
            Line::from(vec![
                Span::styled(format!("{k:<18}"), theme.style(Slot::Accent)),
                Span::styled(*d, theme.style(Slot::Text)),
            ])
        })
        .collect();
    let rect = centered(area, 86, u16::try_from(lines.len()).unwrap_or(20) + 2);
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).block(block(theme, "Runbook keys (any key closes)")),
        rect,
    );
}

fn render_leave(f: &mut Frame, area: Rect, theme: &Theme) {
    let rect = centered(area, 60, 4);
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled(
                "Leave this run? It resumes from its journal.",
                theme.style(Slot::Text),
            )),
            Line::from(Span::styled(
                "y: leave   any other key: stay",
                theme.style(Slot::Muted),
            )),
        ])
        .block(block(theme, "Leave"))
        .style(Style::default()),
        rect,
    );
}

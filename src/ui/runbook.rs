//! The runbook screen: steps with their state and timers, the command about
//! to run, live output, the RTO clock, and the gate or the choices the run
//! is waiting on. It only reads [`RunScreen`].

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

use crate::app::runbook::{Mode, RunEnd, RunScreen, mode_banner, step_symbol, step_word};
use crate::config::theme::{Slot, Theme};
use crate::domain::runbook::plan::Phase;
use crate::domain::runbook::protocol::RunOutcome;
use crate::domain::runbook::record::StepState;

mod overlay;
use overlay::{render_help, render_leave};

mod gate;
use gate::{render_choices, render_confirm, render_gate};

/// Draws the runbook screen over the whole frame.
pub fn render(f: &mut Frame, screen: &RunScreen, theme: &Theme) {
    render_with_clock(f, screen, theme, None);
}

/// Draws the runbook screen with `clock` (a drill's one clock, see
/// [`super::drill::clock_words`]) in place of the run's own RTO clock:
/// during a drill every screen shows the same time.
pub fn render_with_clock(f: &mut Frame, screen: &RunScreen, theme: &Theme, clock: Option<&str>) {
    let area = f.area();
    let gate_height = gate_height(screen);
    let [header, body, bottom, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(gate_height),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(f, header, screen, theme, clock);
    let [steps, detail] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(body);
    render_steps(f, steps, screen, theme);
    render_detail(f, detail, screen, theme);
    if gate_height > 0 {
        if let Some(c) = &screen.confirm {
            render_confirm(f, bottom, c, theme);
        } else if screen.view.gate.is_some() {
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
    if let Some(c) = &screen.confirm {
        // Title line, the steps (at most 8 shown), phrase, field, hint.
        let steps = u16::try_from(c.steps.len().min(8)).unwrap_or(8);
        5 + steps + u16::from(!c.steps.is_empty())
    } else if screen.view.gate.is_some() {
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

fn render_header(
    f: &mut Frame,
    area: Rect,
    screen: &RunScreen,
    theme: &Theme,
    drill_clock: Option<&str>,
) {
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
    let (text, slot) = match drill_clock {
        Some(c) => (format!(" {c} "), Slot::Simulated),
        None => (text, slot),
    };
    // A run that ended without recovering never shows a green clock: the
    // end is the headline, in its own colour and symbol.
    let failed_end = v.outcome.as_ref().and_then(|e| match e.outcome {
        RunOutcome::Aborted => Some(("■", Slot::Critical)),
        RunOutcome::RolledBack => Some(("↺", Slot::Warn)),
        RunOutcome::Recovered => None,
    });
    match (&v.outcome, failed_end) {
        // A console that stopped driving says so before anything else.
        _ if v.halted.is_some() => spans.push(Span::styled(
            format!(" ■ STOPPED: {} ", v.halted.as_deref().unwrap_or_default()),
            theme.style(Slot::Critical).add_modifier(Modifier::BOLD),
        )),
        (Some(end), Some((symbol, end_slot))) => {
            spans.push(Span::styled(
                format!(" {symbol} {}: NOT RECOVERED ", outcome_words(end)),
                theme.style(end_slot).add_modifier(Modifier::BOLD),
            ));
        }
        (Some(end), None) => {
            spans.push(Span::styled(text, theme.style(slot)));
            spans.push(Span::styled(
                format!(" {} ", outcome_words(end)),
                theme.style(Slot::Title),
            ));
        }
        (None, _) => spans.push(Span::styled(text, theme.style(slot))),
    }
    f.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.style(Slot::Header)),
        area,
    );
}

fn status_slot(status: &StepState) -> Slot {
    match status {
        StepState::Pending => Slot::Muted,
        StepState::AwaitingGate => Slot::Warn,
        StepState::Running | StepState::Waiting { .. } => Slot::Accent,
        StepState::Passed => Slot::Ok,
        StepState::Failed { .. } => Slot::Critical,
        StepState::Skipped | StepState::RolledBack => Slot::Stale,
        StepState::OutcomeUnknown => Slot::Unknown,
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
        .filter(|r| matches!(r.status, StepState::Passed | StepState::Skipped))
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
        let style = theme.style(status_slot(&row.status));
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
                format!(
                    " {} {:<16}",
                    step_symbol(&row.status),
                    step_word(&row.status)
                ),
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
            format!("{} {}", step_symbol(&row.status), step_word(&row.status)),
            theme.style(status_slot(&row.status)),
        ),
    ]));
    if let Some(note) = &row.note {
        lines.push(Line::from(Span::styled(
            note.clone(),
            theme.style(status_slot(&row.status)),
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
        StepState::Running
            | StepState::Waiting { .. }
            | StepState::Failed { .. }
            | StepState::OutcomeUnknown
    );
    // The run's current output while the step is on; afterwards, its own.
    let out = if is_current && !screen.view.output.is_empty() {
        &screen.view.output
    } else {
        &row.output
    };
    if !out.is_empty() {
        lines.push(Line::from(Span::styled("output", theme.style(Slot::Muted))));
        let room = usize::from(inner.height).saturating_sub(lines.len()).max(1);
        for l in &out[out.len().saturating_sub(room)..] {
            // A step's output is the world's text: control characters are
            // shown escaped, never sent to the operator's terminal.
            lines.push(Line::from(Span::styled(
                format!("  {}", crate::text::printable_within(l, 2000)),
                theme.style(Slot::Text),
            )));
        }
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
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

//! The gate form and the choices after a failure, as the runbook screen
//! draws them: what the operator must type or press next.

use crate::app::runbook::{GateField, RunScreen};
use crate::config::theme::{Slot, Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

pub(super) fn render_gate(f: &mut Frame, area: Rect, screen: &RunScreen, theme: &Theme) {
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
                gate.phrase.clone().unwrap_or_default(),
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
            problem_span(screen, field, theme),
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

/// The field's own verdict as typed: `✓`, or `✗` and what is wrong, once
/// the operator has started on the form.
fn problem_span<'a>(screen: &RunScreen, field: GateField, theme: &Theme) -> Span<'a> {
    let (Some(form), Some(gate)) = (&screen.form, &screen.view.gate) else {
        return Span::raw("");
    };
    match form.problem(field, gate) {
        None => Span::styled("  ✓", theme.style(Slot::Ok)),
        Some(why) => Span::styled(format!("  ✗ {why}"), theme.style(Slot::Warn)),
    }
}

pub(super) fn render_choices(f: &mut Frame, area: Rect, screen: &RunScreen, theme: &Theme) {
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

/// A roll back or abort waiting for its phrase: what will happen, the
/// rollback steps in order, the phrase, what is typed and what is wrong
/// with it, as the operator types.
pub(super) fn render_confirm(
    f: &mut Frame,
    area: Rect,
    c: &crate::app::runbook::Confirm,
    theme: &Theme,
) {
    let title = match c.choice {
        crate::app::runbook::Choice::Abort => " Abort the run? It ends NOT RECOVERED ",
        _ => " Roll back? These steps run, in this order ",
    };
    let outer = Block::bordered()
        .border_style(theme.style(Slot::Critical))
        .title(Span::styled(title, theme.style(Slot::Critical)));
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let mut lines = Vec::new();
    for (i, step) in c.steps.iter().take(8).enumerate() {
        lines.push(Line::from(Span::styled(
            format!("  {}. {step}", i + 1),
            theme.style(Slot::Text),
        )));
    }
    if c.steps.len() > 8 {
        lines.push(Line::from(Span::styled(
            format!("  … and {} more", c.steps.len() - 8),
            theme.style(Slot::Muted),
        )));
    } else if !c.steps.is_empty() {
        lines.push(Line::from(""));
    }
    lines.push(Line::from(vec![
        Span::styled("type exactly: ", theme.style(Slot::Muted)),
        Span::styled(c.phrase.clone(), theme.style(Slot::Accent)),
    ]));
    let (mark, slot, why) = match c.problem() {
        None => ("✓", Slot::Ok, "matches: Enter confirms".to_owned()),
        Some(why) => ("✗", Slot::Warn, why),
    };
    lines.push(Line::from(vec![
        Span::styled("phrase       ", theme.style(Slot::Muted)),
        Span::styled(format!("{}▏", c.typed), theme.style(Slot::Text)),
        Span::styled(format!("  {mark} {why}"), theme.style(slot)),
    ]));
    lines.push(Line::from(Span::styled(
        "Esc: back to the choices · Ctrl-U: clear",
        theme.style(Slot::Muted),
    )));
    f.render_widget(Paragraph::new(lines), inner);
}

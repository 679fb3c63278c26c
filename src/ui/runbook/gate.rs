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

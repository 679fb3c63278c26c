//! The drill screen: briefing, objectives and roles; the timeline of
//! injects; messages to the participants; the live score; the controls.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::app::drill::{DrillMode, DrillScreen};
use crate::config::theme::{Slot, Theme};
use crate::domain::drill::moments::describe;
use crate::domain::drill::report::offset;
use crate::domain::drill::timeline::Phase;

fn block<'a>(theme: &Theme, title: &str) -> Block<'a> {
    Block::bordered()
        .border_type(BorderType::Plain)
        .border_style(theme.style(Slot::Border))
        .title(Span::styled(format!(" {title} "), theme.style(Slot::Title)))
}

/// Draws the drill screen over the whole frame.
pub fn render(f: &mut Frame, s: &DrillScreen, theme: &Theme) {
    let [header, body, messages, facilitator, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(5),
        Constraint::Length(4),
        Constraint::Length(1),
    ])
    .areas(f.area());
    render_header(f, header, s, theme);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(body);
    render_briefing(f, left, s, theme);
    let [injects, timeline] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(right);
    render_injects(f, injects, s, theme);
    render_timeline(f, timeline, s, theme);
    render_messages(f, messages, s, theme);
    render_facilitator(f, facilitator, s, theme);
    render_footer(f, footer, s, theme);
    if s.help() {
        render_help(f, theme);
    }
}

fn render_header(f: &mut Frame, area: Rect, s: &DrillScreen, theme: &Theme) {
    let d = s.drill();
    let (word, slot) = match d.phase() {
        Phase::Briefing => ("BRIEFING", Slot::Accent),
        Phase::Running => ("RUNNING", Slot::Ok),
        Phase::Paused => ("PAUSED", Slot::Warn),
        Phase::Ended => ("ENDED", Slot::Title),
    };
    let rto = outage_words(s);
    let service = match s.service_up() {
        Some(true) => Span::styled(" ✓ service up ", theme.style(Slot::Ok)),
        Some(false) => Span::styled(" ✗ SERVICE DOWN ", theme.style(Slot::Critical)),
        None => Span::styled(" ? service unknown ", theme.style(Slot::Unknown)),
    };
    let line = Line::from(vec![
        Span::styled(
            " ▲ DRILL · SIMULATED ▲ ",
            theme.style(Slot::Simulated).add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            format!(" {} ", d.scenario().name),
            theme.style(Slot::Header),
        ),
        Span::styled(
            format!(" {word} "),
            theme.style(slot).add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            format!(" {} simulated ", offset(d.elapsed())),
            theme.style(Slot::Header),
        ),
        Span::styled(format!(" {}x ", d.speed()), theme.style(Slot::Muted)),
        service,
        Span::styled(format!(" {rto} "), theme.style(Slot::Header)),
    ]);
    f.render_widget(Paragraph::new(line).style(theme.style(Slot::Header)), area);
}

/// The outage clock against the RTO target, on the drill's one clock.
fn outage_words(s: &DrillScreen) -> String {
    let d = s.drill();
    let score = s.score();
    let target = offset(d.scenario().targets.rto);
    let target = target.trim_start_matches("T+");
    match (score.rto, score.disrupted_at) {
        (_, None) => format!("RTO target {target}"),
        (Some(r), Some(_)) => format!("RTO {} / {target}", offset(r).trim_start_matches("T+")),
        (None, Some(at)) => format!(
            "outage {} / RTO {target}",
            offset(d.elapsed().saturating_sub(at)).trim_start_matches("T+")
        ),
    }
}

/// The drill's one clock as the runbook screen shows it during a drill,
/// in place of the run's own RTO clock: simulated time since the drill
/// started and the outage against the target.
#[must_use]
pub fn clock_words(s: &DrillScreen) -> String {
    format!(
        "DRILL {} simulated · {}",
        offset(s.drill().elapsed()),
        outage_words(s)
    )
}

fn render_briefing(f: &mut Frame, area: Rect, s: &DrillScreen, theme: &Theme) {
    let sc = s.drill().scenario();
    // The briefing's paragraphs, reflowed: a blank line separates them.
    let mut lines: Vec<Line> = sc
        .briefing
        .split("\n\n")
        .map(|p| {
            Line::from(Span::styled(
                p.split_whitespace().collect::<Vec<_>>().join(" "),
                theme.style(Slot::Text),
            ))
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "Objectives",
        theme.style(Slot::Title),
    )));
    for o in &sc.objectives {
        lines.push(Line::from(Span::styled(
            format!("• {}", o.text),
            theme.style(Slot::Text),
        )));
    }
    lines.push(Line::from(Span::styled("Roles", theme.style(Slot::Title))));
    for r in &sc.roles {
        lines.push(Line::from(vec![
            Span::styled(format!("{}: ", r.name), theme.style(Slot::Accent)),
            Span::styled(r.duties.clone(), theme.style(Slot::Text)),
        ]));
    }
    lines.push(Line::from(Span::styled(
        format!(
            "Targets: RTO {}  RPO {}",
            crate::domain::time::format_age(sc.targets.rto),
            crate::domain::time::format_age(sc.targets.rpo)
        ),
        theme.style(Slot::Title),
    )));
    for r in &sc.runbooks {
        lines.push(Line::from(Span::styled(
            format!("runbook: {} (r runs it in practice)", r.path),
            theme.style(Slot::Muted),
        )));
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(theme, "Briefing")),
        area,
    );
}

fn render_injects(f: &mut Frame, area: Rect, s: &DrillScreen, theme: &Theme) {
    let d = s.drill();
    let picking = match s.mode() {
        DrillMode::PickInject(i) => Some(*i),
        _ => None,
    };
    let lines: Vec<Line> = d
        .scenario()
        .injects
        .iter()
        .enumerate()
        .flat_map(|(i, inj)| {
            let fired = d.fired(i);
            let at = inj.at.map_or_else(|| "by hand".to_owned(), offset);
            let (mark, slot) = if fired {
                ("✓", Slot::Muted)
            } else {
                ("·", Slot::Text)
            };
            let mut line = Line::from(vec![
                Span::styled(format!("{mark} {at:<8} "), theme.style(slot)),
                Span::styled(format!("{:<20} ", inj.name), theme.style(Slot::Accent)),
                Span::styled(inj.kind.describe(), theme.style(slot)),
            ]);

            if picking == Some(i) {
                line = line.style(theme.style(Slot::Selection));
            }
            // The facilitator's own note, on its own line so it is never cut.
            let note = inj.facilitator_note.as_ref().map(|n| {
                Line::from(Span::styled(
                    format!("            ↳ {n}"),
                    theme.style(Slot::Muted),
                ))
            });
            std::iter::once(line).chain(note)
        })
        .collect();
    let title = if picking.is_some() {
        "Injects: Enter fires, Esc cancels"
    } else {
        "Injects"
    };
    f.render_widget(Paragraph::new(lines).block(block(theme, title)), area);
}

fn render_timeline(f: &mut Frame, area: Rect, s: &DrillScreen, theme: &Theme) {
    // Only the moments that fit are worded: this runs every frame.
    let room = usize::from(area.height.saturating_sub(2));
    let moments = s.drill().moments();
    let lines: Vec<Line> = moments[moments.len().saturating_sub(room)..]
        .iter()
        .map(|m| {
            Line::from(vec![
                Span::styled(format!("{} ", offset(m.at)), theme.style(Slot::Muted)),
                Span::styled(describe(m), theme.style(Slot::Text)),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines).block(block(theme, "Timeline")), area);
}

fn render_messages(f: &mut Frame, area: Rect, s: &DrillScreen, theme: &Theme) {
    // What the participants were told, and nothing else.
    let lines: Vec<Line> = s
        .messages()
        .iter()
        .rev()
        .take(3)
        .rev()
        .map(|(at, m)| {
            Line::from(vec![
                Span::styled(format!("{} ", offset(*at)), theme.style(Slot::Muted)),
                Span::styled(
                    m.clone(),
                    theme.style(Slot::Warn).add_modifier(Modifier::BOLD),
                ),
            ])
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(block(theme, "Messages to participants")),
        area,
    );
}

/// The facilitator's own pane: prompts, why a key did nothing, where the
/// report went. Nothing here is for the participants.
fn render_facilitator(f: &mut Frame, area: Rect, s: &DrillScreen, theme: &Theme) {
    let mut lines: Vec<Line> = match s.mode() {
        DrillMode::Annotate(text) => vec![
            Line::from(Span::styled(
                "note (start with strength:, improve:, decision:, question: or action:)",
                theme.style(Slot::Muted),
            )),
            Line::from(Span::styled(
                format!("{text}▏"),
                theme.style(Slot::Text).add_modifier(Modifier::BOLD),
            )),
        ],
        DrillMode::ConfirmEnd => vec![Line::from(Span::styled(
            "End the drill and write the report? y: end   any other key: go on",
            theme.style(Slot::Warn),
        ))],
        DrillMode::PickInject(_) => vec![Line::from(Span::styled(
            "pick an inject: ↑/↓ choose, Enter fires, Esc cancels",
            theme.style(Slot::Muted),
        ))],
        DrillMode::Controls => Vec::new(),
    };
    if let Some(n) = s.notice() {
        lines.push(Line::from(Span::styled(
            n.to_owned(),
            theme.style(Slot::Warn),
        )));
    }
    if let Some(n) = s.report_note() {
        lines.push(Line::from(Span::styled(
            n.to_owned(),
            theme.style(Slot::Title),
        )));
    }
    let title = if matches!(s.mode(), DrillMode::Annotate(_)) {
        "Facilitator only: annotate"
    } else {
        "Facilitator only"
    };
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(theme, title)),
        area,
    );
}

fn render_footer(f: &mut Frame, area: Rect, s: &DrillScreen, theme: &Theme) {
    let keys = match s.drill().phase() {
        Phase::Briefing => "s start · a annotate · F2 dashboard · ? help",
        Phase::Ended => "F2 dashboard · q on the dashboard quits",
        _ => {
            "p pause/resume · 1/2/0 speed 1x/2x/10x · n next inject · i inject · a annotate · r runbook · e end · F2 screens"
        }
    };
    f.render_widget(
        Paragraph::new(Span::styled(format!(" {keys}"), theme.style(Slot::Muted))),
        area,
    );
}

fn render_help(f: &mut Frame, theme: &Theme) {
    let rows = [
        ("s", "start the drill clock"),
        (
            "p / space",
            "pause or resume (the simulated clock stops, not the wall clock)",
        ),
        ("1 2 0", "speed 1x, 2x, 10x"),
        ("n", "skip to the next inject"),
        ("i", "fire an inject by hand from the scenario's list"),
        (
            "a",
            "annotate: strength:, improve:, decision:, question:, action:",
        ),
        ("r", "run the scenario's runbook in practice mode"),
        ("e", "end the drill and write the report"),
        ("F2", "next screen: drill, dashboard, runbook"),
    ];
    let lines: Vec<Line> = rows
        .iter()
        .map(|(k, d)| {
            Line::from(vec![
                Span::styled(format!("{k:<12}"), theme.style(Slot::Accent)),
                Span::styled(*d, theme.style(Slot::Text)),
            ])
        })
        .collect();
    let area = f.area();
    let w = 80.min(area.width);
    let h = (u16::try_from(lines.len()).unwrap_or(10) + 2).min(area.height);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).block(block(theme, "Drill keys (any key closes)")),
        rect,
    );
}

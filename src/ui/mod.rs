//! Render functions. They only read state: `render(frame, &app)` draws the
//! whole screen from [`App`] and nothing else.

pub mod ceremony;
mod chain;
pub mod drill;
mod help;
mod region_loss;
mod regions;
pub mod runbook;
mod status;
pub mod widgets;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::{App, Mode};
use crate::config::layout::PanelKind;
use crate::config::theme::{Slot, Theme};
use crate::domain::assess::Level;
use crate::domain::fleet::EstateView;
use crate::domain::time::{Timestamp, format_age};

/// The smallest terminal the dashboard promises to stay usable in.
pub const MIN_SIZE: (u16, u16) = (80, 24);

/// What every panel renderer needs.
pub struct Ctx<'a> {
    /// The whole state (selection, filter).
    pub app: &'a App,
    /// The picture being drawn (frozen or live).
    pub view: &'a EstateView,
    /// The instant it is judged at.
    pub now: Timestamp,
    /// Styles.
    pub theme: &'a Theme,
    /// Targets that do not hold, assessed once per frame for the header
    /// and the targets panel alike.
    pub breaches: Vec<crate::domain::breach::Breach>,
    /// Who signs now and where, assessed once per frame.
    pub signing: crate::domain::signing::SigningPicture,
    /// The region-loss analysis of `signing`.
    pub losses: Vec<crate::domain::bft::RegionLoss>,
}

/// Draws the console.
pub fn render(f: &mut Frame, app: &App) {
    let area = f.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        too_small(f, area, app.theme());
        return;
    }
    let (view, now) = (app.view(), app.view_now());
    let signing = crate::domain::signing::picture(view, now);
    let regions: Vec<String> = view.spec.regions.iter().map(|r| r.name.clone()).collect();
    let ctx = Ctx {
        app,
        view,
        now,
        theme: app.theme(),
        breaches: crate::domain::breach::breaches_given(view, now, &signing),
        losses: crate::domain::bft::region_loss(&regions, &signing),
        signing,
    };
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(f, header, &ctx);
    let focused = app.focused_panel();
    match (app.expanded(), focused) {
        (true, Some(panel)) => render_panel(f, panel, body, &ctx, true),
        _ => {
            for (panel, rect) in app.layout_in_use().areas(body) {
                render_panel(f, panel, rect, &ctx, Some(panel) == focused);
            }
        }
    }
    render_footer(f, footer, app);
    if app.help() {
        help::render(f, area, app);
    }
}

fn render_panel(f: &mut Frame, panel: PanelKind, area: Rect, ctx: &Ctx<'_>, focused: bool) {
    if area.width < 4 || area.height < 3 {
        return;
    }
    match panel {
        PanelKind::Regions => regions::regions(f, area, ctx, focused),
        PanelKind::Replication => regions::replication(f, area, ctx, focused),
        PanelKind::Backups => regions::backups(f, area, ctx, focused),
        PanelKind::Chain => chain::chain(f, area, ctx, focused),
        PanelKind::Validators => chain::validators(f, area, ctx, focused),
        PanelKind::RegionLoss => region_loss::region_loss(f, area, ctx, focused),
        PanelKind::Targets => status::targets(f, area, ctx, focused),
        PanelKind::Sources => status::sources(f, area, ctx, focused),
        PanelKind::Log => status::log(f, area, ctx, focused),
    }
}

fn render_header(f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let (app, theme) = (ctx.app, ctx.theme);
    let spec = &ctx.view.spec;
    let (banner, banner_style) = if spec.simulated {
        (" ▲ SIMULATED ESTATE ▲ ", theme.style(Slot::Simulated))
    } else {
        (" ● LIVE ", theme.style(Slot::Live))
    };
    let mut spans = vec![
        Span::styled(banner, banner_style),
        Span::styled(
            format!(" env {} ", spec.environment),
            theme.style(Slot::Header),
        ),
        Span::styled(
            format!(" {} UTC ", app.now().clock_utc()),
            theme.style(Slot::Header),
        ),
    ];
    if (app.speed() - 1.0).abs() > f64::EPSILON {
        spans.push(Span::styled(
            format!(" x{} ", app.speed()),
            theme.style(Slot::Header),
        ));
    }
    // The worst current problem comes first; a standing risk of the
    // layout follows a clean bill, in its own words.
    let breaches = &ctx.breaches;
    let (level, word) = match breaches.first() {
        None => (Level::Ok, "ALL TARGETS HOLD".to_owned()),
        Some(worst) if breaches.len() == 1 => (worst.level(), worst.headline()),
        Some(worst) => (
            worst.level().max(Level::Critical),
            format!("{} · {} NOT HOLDING", worst.headline(), breaches.len()),
        ),
    };
    spans.push(Span::styled(
        format!(" {} {word} ", widgets::mark(level)),
        theme.level(level),
    ));
    let risk = region_loss::summary(&ctx.losses, &ctx.signing);
    if breaches.is_empty() && risk.level == Level::AtRisk {
        spans.push(Span::styled(
            format!(" {} {} ", widgets::mark(risk.level), risk.word),
            theme.level(risk.level),
        ));
    }
    if let Some(frozen) = app.frozen() {
        spans.push(Span::styled(
            format!(
                " ❄ FROZEN at {} ({} ago), f resumes ",
                frozen.at.clock_utc(),
                format_age(app.now().since(frozen.at))
            ),
            theme.style(Slot::Frozen),
        ));
    }
    if !app.faults().is_empty() {
        spans.push(Span::styled(
            format!(" faults: {} ", app.faults().join("; ")),
            theme.style(Slot::Warn),
        ));
    }
    f.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.style(Slot::Header)),
        area,
    );
}

fn render_footer(f: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme();
    let line = match app.mode() {
        Mode::Command => Line::from(vec![
            Span::styled(":", theme.style(Slot::Accent)),
            Span::styled(format!("{}▏", app.input()), theme.style(Slot::Text)),
        ]),
        Mode::Filter => Line::from(vec![
            Span::styled("/", theme.style(Slot::Accent)),
            Span::styled(format!("{}▏", app.input()), theme.style(Slot::Text)),
            Span::styled(
                "  Enter keeps the filter, Esc clears it",
                theme.style(Slot::Muted),
            ),
        ]),
        Mode::Normal => match &app.notice() {
            Some(n) => Line::from(Span::styled(
                crate::text::printable_within(&n.text, 2000),
                theme.level(n.level),
            )),
            None => hints(app),
        },
    };
    f.render_widget(Paragraph::new(line), area);
}

fn hints(app: &App) -> Line<'static> {
    use crate::app::keymap::Action as A;
    let theme = app.theme();
    let mut spans = Vec::new();
    let in_use = app.layout_in_use();
    if in_use.name != app.layout().name {
        // First, so a narrow footer never cuts it off.
        spans.push(Span::styled(
            format!(
                "layout {} (too small for {})  ",
                in_use.name,
                app.layout().name
            ),
            theme.style(Slot::Warn),
        ));
    }
    for (action, what) in [
        (A::Help, "help"),
        (A::Quit, "quit"),
        (A::FocusNext, "focus"),
        (A::Filter, "filter"),
        (A::Expand, "expand"),
        (A::Freeze, "freeze"),
        (A::Command, "command"),
    ] {
        spans.push(Span::styled(
            app.keymap().label_for(action),
            theme.style(Slot::Accent),
        ));
        spans.push(Span::styled(format!(" {what}  "), theme.style(Slot::Muted)));
    }
    spans.push(Span::styled(
        format!("layout {} · theme {}", in_use.name, app.theme().name),
        theme.style(Slot::Muted),
    ));
    Line::from(spans)
}

fn too_small(f: &mut Frame, area: Rect, theme: &Theme) {
    let text = format!(
        "terminal too small: {}x{}, drconsole needs at least {}x{}. Enlarge the window or press q to quit.",
        area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
    );
    f.render_widget(
        Paragraph::new(text)
            .style(theme.style(Slot::Warn))
            .wrap(Wrap { trim: true }),
        area,
    );
}

/// Draws the console's screen in front: the runbook run, the drill or the
/// dashboard, all in the dashboard's theme.
pub fn render_console(f: &mut Frame, console: &crate::app::console::Console) {
    use crate::app::console::Front;
    let theme = console.dashboard().theme();
    match (
        console.front(),
        console.run_screen(),
        console.drill_screen(),
    ) {
        (Front::Runbook, Some(s), _) => {
            let clock = console.drill_of_run().map(drill::clock_words);
            runbook::render_with_clock(f, s, theme, clock.as_deref());
        }
        (Front::Drill, _, Some(d)) => drill::render(f, d, theme),
        _ => render(f, console.dashboard()),
    }
}

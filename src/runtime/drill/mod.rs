//! Drills on the runtime side: the headless driver (a scenario, a script of
//! the team's responses and practice runbooks on one virtual clock, to a
//! report), what both drivers read from the simulated estate for the
//! referee, and writing the report.
//!
//! Neither driver judges anything: they relay what they see into the
//! [`Referee`](crate::domain::drill::referee::Referee).

use std::path::Path;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::app::App;
use crate::domain::drill::report::Report;
use crate::sources::sim::SimEstate;
use crate::sources::sim_source;

pub(crate) mod estate;
mod headless;
mod script_answers;

pub use headless::{DrillError, HeadlessDrill, TokioClock};

/// Writes `report.md`, `report.html` and `report.json` into `dir`
/// (created if missing).
///
/// # Errors
/// The directory or a file cannot be written.
pub fn write_report(dir: &Path, report: &Report) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("report.md"), report.to_markdown())?;
    std::fs::write(dir.join("report.html"), report.to_html())?;
    let json = report.to_json().map_err(std::io::Error::other)?;
    std::fs::write(dir.join("report.json"), json + "\n")
}

/// The dashboard at 120x40 as text: what the team saw at a gate.
#[must_use]
pub fn dashboard_text(sim: &SimEstate) -> String {
    let Some(layout) = crate::config::builtin::builtin_layout("default") else {
        return String::new();
    };
    let Some(theme) = crate::config::builtin::builtin_theme("dark") else {
        return String::new();
    };
    let app = App::new(sim_source::snapshot(sim), layout, theme, sim.now());
    let Ok(mut t) = Terminal::new(TestBackend::new(120, 40));
    if t.draw(|f| crate::ui::render(f, &app)).is_err() {
        return String::new();
    }
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

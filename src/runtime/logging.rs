//! Logging into the console's log pane (tui-logger). Nothing secret is
//! ever logged; the log holds what the operator saw happen.

/// Routes `log` records to the log pane; safe to call more than once.
pub fn init() {
    if tui_logger::init_logger(log::LevelFilter::Info).is_ok() {
        tui_logger::set_default_level(log::LevelFilter::Info);
    }
}

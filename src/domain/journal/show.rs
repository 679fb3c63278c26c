//! The listing `drconsole journal show` prints, one entry a line.

use serde_json::Value;

use super::entry::{Entry, format_at};

/// The listing `drconsole journal show` prints: one entry a line with
/// sequence number, time, run, kind and the data as compact JSON.
#[must_use]
pub fn render_show(entries: &[Entry]) -> String {
    let w = |f: fn(&Entry) -> usize, title: &str| {
        entries.iter().map(f).max().unwrap_or(0).max(title.len())
    };
    let seq_w = w(|e| e.seq.to_string().len(), "seq");
    let run_w = w(|e| e.run.chars().count(), "run");
    let kind_w = w(|e| e.kind.chars().count(), "kind");
    let at_w = "2026-11-26T03:00:00.000Z".len();
    let mut out = format!(
        "{:>seq_w$}  {:at_w$}  {:run_w$}  {:kind_w$}  data\n",
        "seq", "at", "run", "kind"
    );
    for e in entries {
        let data = match &e.data {
            Value::Null => String::new(),
            d => d.to_string(),
        };
        let line = format!(
            "{:>seq_w$}  {:at_w$}  {:run_w$}  {:kind_w$}  {data}",
            e.seq,
            format_at(e.at),
            e.run,
            e.kind
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

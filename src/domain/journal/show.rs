//! The listing `drconsole journal show` prints, one entry a line.

use serde_json::Value;

use super::entry::{Entry, format_at};
use crate::text::printable_within;

/// The most of a run id or kind shown: ids are short; a long one is damage.
const FIELD_SHOWN: usize = 80;

/// The most of an entry's data shown on its line.
const DATA_SHOWN: usize = 2000;

/// An entry's author as shown, `-` for none.
fn by(e: &Entry) -> String {
    e.by.as_ref()
        .map_or_else(|| "-".to_owned(), super::Author::describe)
}

/// The listing `drconsole journal show` prints: one entry a line with
/// sequence number, time, run, kind, the author when entries name one,
/// and the data as compact JSON.
#[must_use]
pub fn render_show(entries: &[Entry]) -> String {
    let w = |f: fn(&Entry) -> usize, title: &str| {
        entries.iter().map(f).max().unwrap_or(0).max(title.len())
    };
    let seq_w = w(|e| e.seq.to_string().len(), "seq");
    let run_w = w(
        |e| printable_within(&e.run, FIELD_SHOWN).chars().count(),
        "run",
    );
    let kind_w = w(
        |e| printable_within(&e.kind, FIELD_SHOWN).chars().count(),
        "kind",
    );
    let at_w = "2026-11-26T03:00:00.000Z".len();
    // A shared incident's entries name their authors: a column then.
    let authored = entries.iter().any(|e| e.by.is_some());
    let by_w = if authored {
        w(|e| by(e).chars().count(), "by")
    } else {
        0
    };
    let mut out = format!(
        "{:>seq_w$}  {:at_w$}  {:run_w$}  {:kind_w$}  {}data\n",
        "seq",
        "at",
        "run",
        "kind",
        if authored {
            format!("{:by_w$}  ", "by")
        } else {
            String::new()
        }
    );
    for e in entries {
        // JSON escapes C0 controls but not DEL or C1 (CSI is U+009B).
        let data = match &e.data {
            Value::Null => String::new(),
            d => printable_within(&d.to_string(), DATA_SHOWN),
        };
        let author = if authored {
            format!("{:by_w$}  ", by(e))
        } else {
            String::new()
        };
        let line = format!(
            "{:>seq_w$}  {:at_w$}  {:run_w$}  {:kind_w$}  {author}{data}",
            e.seq,
            format_at(e.at),
            printable_within(&e.run, FIELD_SHOWN),
            printable_within(&e.kind, FIELD_SHOWN)
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

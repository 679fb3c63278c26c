//! Whether a command's result shows what its step `expect`s.
//!
//! Runbooks write expectations the way an operator reads output: `>= 6` on a
//! count, `PASS`, `0 rows` from `psql`, `status = 'succeeded'` from a
//! tabular listing. Pure: the runner captures exit status and stdout, this
//! module judges them, and the verdict says why when it does not hold.

use super::plan::{CompareOp, Expectation};

/// Judges one result: `Ok(())` when the expectation holds, otherwise the
/// reason, phrased for the operator.
///
/// Every expectation but [`Expectation::ExitStatus`] also needs exit 0: a
/// command that failed has not shown anything.
///
/// # Errors
/// The reason the expectation does not hold.
pub fn evaluate(expect: &Expectation, exit: Option<i32>, stdout: &str) -> Result<(), String> {
    if let Expectation::ExitStatus(want) = expect {
        return match exit {
            Some(code) if code == *want => Ok(()),
            Some(code) => Err(format!("exit status {code}, expected {want}")),
            None => Err(format!("no exit status (killed), expected {want}")),
        };
    }
    match exit {
        Some(0) => {}
        Some(code) => return Err(format!("exit status {code}")),
        None => return Err("no exit status (killed)".to_owned()),
    }
    match expect {
        Expectation::ExitStatus(_) => Ok(()),
        Expectation::Compare { op, value } => {
            let found = last_number(stdout).ok_or("no number in the output")?;
            if compare(*op, found, *value) {
                Ok(())
            } else {
                Err(format!("got {found}, expected {} {value}", op_text(*op)))
            }
        }
        Expectation::Text(want) => {
            let trimmed = stdout.trim();
            let last = trimmed.lines().last().unwrap_or("").trim();
            if trimmed == want || last == want {
                Ok(())
            } else {
                Err(format!("got {:?}, expected {want:?}", shorten(last)))
            }
        }
        Expectation::Rows(want) => {
            let found = row_count(stdout);
            if found == *want {
                Ok(())
            } else {
                Err(format!("got {found} rows, expected {want}"))
            }
        }
        Expectation::ColumnEquals { column, value } => column_equals(stdout, column, value),
    }
}

fn compare(op: CompareOp, found: f64, want: f64) -> bool {
    match op {
        CompareOp::Ge => found >= want,
        CompareOp::Gt => found > want,
        CompareOp::Le => found <= want,
        CompareOp::Lt => found < want,
        CompareOp::Eq => (found - want).abs() < f64::EPSILON,
        CompareOp::Ne => (found - want).abs() >= f64::EPSILON,
    }
}

fn op_text(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Ge => ">=",
        CompareOp::Gt => ">",
        CompareOp::Le => "<=",
        CompareOp::Lt => "<",
        CompareOp::Eq => "==",
        CompareOp::Ne => "!=",
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text.to_owned()
    }
}

/// The last number written in `text` (`-3`, `6`, `0.25`).
fn last_number(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let mut found = None;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let mut start = i;
            if start > 0 && bytes[start - 1] == b'-' {
                start -= 1;
            }
            let mut end = i;
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
            if end + 1 < bytes.len() && bytes[end] == b'.' && bytes[end + 1].is_ascii_digit() {
                end += 1;
                while end < bytes.len() && bytes[end].is_ascii_digit() {
                    end += 1;
                }
            }
            found = text[start..end].parse::<f64>().ok().or(found);
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

/// Rows in SQL-ish output: the `(N rows)` footer of psql and cockroach when
/// present; otherwise the data lines of a table (after its `---` rule), or
/// the non-empty lines of tuples-only output.
fn row_count(text: &str) -> u64 {
    for line in text.lines().rev() {
        let l = line.trim();
        if let Some(inner) = l.strip_prefix('(').and_then(|r| r.strip_suffix(')'))
            && let Some(n) = inner
                .strip_suffix(" rows")
                .or_else(|| inner.strip_suffix(" row"))
            && let Ok(n) = n.trim().parse::<u64>()
        {
            return n;
        }
    }
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    match lines.iter().position(|l| is_rule(l)) {
        Some(rule) => lines.len().saturating_sub(rule + 1) as u64,
        None => lines.len() as u64,
    }
}

/// A table rule: `----+-----` or `-----`.
fn is_rule(line: &str) -> bool {
    let l = line.trim();
    !l.is_empty() && l.contains('-') && l.chars().all(|c| matches!(c, '-' | '+' | '|' | ' '))
}

fn cells(line: &str) -> Vec<String> {
    let sep = if line.contains('|') { '|' } else { '\t' };
    line.split(sep)
        .map(|c| c.trim().trim_matches('\'').trim_matches('"').to_owned())
        .collect()
}

/// `column = 'value'` against tabular output: a header naming the column
/// (cells split on `|` or tabs), then data rows, every one of which must
/// carry the value; or key/value lines (`status | succeeded`, psql `\x`).
fn column_equals(text: &str, column: &str, value: &str) -> Result<(), String> {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !is_rule(l))
        .filter(|l| !l.trim_start().starts_with('('))
        .collect();
    for (i, line) in lines.iter().enumerate() {
        let header = cells(line);
        let Some(at) = header.iter().position(|c| c == column) else {
            continue;
        };
        if header.len() == 2 && at == 0 && header[1] != column && i + 1 >= lines.len() {
            // A lone key/value line.
            return verdict(&[header[1].clone()], column, value);
        }
        let values: Vec<String> = lines[i + 1..]
            .iter()
            .filter_map(|row| cells(row).get(at).cloned())
            .collect();
        if values.is_empty() && header.len() == 2 && at == 0 {
            return verdict(&[header[1].clone()], column, value);
        }
        return verdict(&values, column, value);
    }
    Err(format!("no column {column:?} in the output"))
}

fn verdict(values: &[String], column: &str, value: &str) -> Result<(), String> {
    match values.iter().find(|v| *v != value) {
        None if !values.is_empty() => Ok(()),
        None => Err(format!("column {column:?} has no rows")),
        Some(other) => Err(format!("{column} is {other:?}, expected {value:?}")),
    }
}

/// The longest value a step may capture.
pub const CAPTURE_MAX: usize = 256;

/// The value a `capture:` step hands later steps: the last non-empty line
/// of its output, trimmed, which must be one token of letters, digits and
/// `._:/+=-` (an address, a key, a hash), at most [`CAPTURE_MAX`] bytes.
/// Anything else fails the step: a later gate must never name a value the
/// operator cannot read at a glance, and an error message or a second
/// line must never become an address.
///
/// # Errors
/// Why the output holds no such value.
pub fn captured_value(stdout: &str) -> Result<String, String> {
    let Some(line) = stdout.lines().map(str::trim).rfind(|l| !l.is_empty()) else {
        return Err("the output is empty".to_owned());
    };
    if line.len() > CAPTURE_MAX {
        return Err(format!(
            "its last line is {} bytes, more than {CAPTURE_MAX}",
            line.len()
        ));
    }
    let odd = line
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "._:/+=-".contains(*c)));
    match odd {
        Some(c) => Err(format!(
            "its last line {:?} is not one value (it holds {c:?})",
            line.chars().take(60).collect::<String>()
        )),
        None => Ok(line.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(e: &Expectation, out: &str) -> bool {
        evaluate(e, Some(0), out).is_ok()
    }

    #[test]
    fn compares_the_last_number() {
        let ge6 = Expectation::Compare {
            op: CompareOp::Ge,
            value: 6.0,
        };
        assert!(ok(&ge6, "peers: 3\nhealthy validators: 6\n"));
        assert!(!ok(&ge6, "healthy validators: 5 of 7, 6 wanted... 5"));
        assert_eq!(
            evaluate(&ge6, Some(0), "none here"),
            Err("no number in the output".into())
        );
        assert_eq!(
            evaluate(&ge6, Some(0), "5"),
            Err("got 5, expected >= 6".into())
        );
        let lt = Expectation::Compare {
            op: CompareOp::Lt,
            value: 0.5,
        };
        assert!(ok(&lt, "lag -0.25"));
        assert!(!ok(&lt, "lag 12.75s"));
    }

    #[test]
    fn text_matches_the_whole_output_or_its_last_line() {
        let pass = Expectation::Text("PASS".into());
        assert!(ok(&pass, "running...\nPASS\n"));
        assert!(!ok(&pass, "FAIL\n"));
        let zero = Expectation::Text("0".into());
        assert!(ok(&zero, " 0 \n"));
        assert!(!ok(&zero, "10"));
    }

    #[test]
    fn a_failed_command_shows_nothing() {
        let pass = Expectation::Text("PASS".into());
        assert_eq!(
            evaluate(&pass, Some(2), "PASS"),
            Err("exit status 2".into())
        );
        assert!(evaluate(&pass, None, "PASS").is_err());
    }

    #[test]
    fn exit_status_is_compared_exactly() {
        assert!(evaluate(&Expectation::ExitStatus(0), Some(0), "").is_ok());
        assert!(evaluate(&Expectation::ExitStatus(3), Some(3), "").is_ok());
        assert_eq!(
            evaluate(&Expectation::ExitStatus(0), Some(1), ""),
            Err("exit status 1, expected 0".into())
        );
    }

    #[test]
    fn rows_read_the_psql_footer_or_count_lines() {
        let none = Expectation::Rows(0);
        let psql = " id | name\n----+------\n(0 rows)\n";
        assert!(ok(&none, psql));
        let one = " id | name\n----+------\n  1 | a\n(1 row)\n";
        assert!(!ok(&none, one));
        assert!(ok(&Expectation::Rows(1), one));
        assert!(ok(&none, ""));
        assert!(ok(&Expectation::Rows(2), "a\nb\n"));
        assert!(ok(&Expectation::Rows(2), "id\n--\n1\n2\n"));
    }

    #[test]
    fn column_equals_reads_psql_cockroach_and_key_value_output() {
        let want = Expectation::ColumnEquals {
            column: "status".into(),
            value: "succeeded".into(),
        };
        let psql =
            "  job_id  |  status   \n----------+-----------\n 12345    | succeeded\n(1 row)\n";
        assert!(ok(&want, psql));
        let running = psql.replace("succeeded", "running  ");
        assert_eq!(
            evaluate(&want, Some(0), &running),
            Err("status is \"running\", expected \"succeeded\"".into())
        );
        let tsv = "job_id\tstatus\n12345\tsucceeded\n";
        assert!(ok(&want, tsv));
        assert!(ok(&want, "status | succeeded\n"));
        assert!(!ok(&want, "job_id | state\n1 | succeeded\n"));
        assert!(!ok(&want, "  job_id  |  status\n----+----\n(0 rows)\n"));
    }

    #[test]
    fn a_capture_is_the_last_line_and_only_one_clean_token() {
        let out = "generating key...\nnode started\n  cosmosvalcons1qy352euf40x77qfrg4ncn27dauqjx3t8  \n\n";
        assert_eq!(
            captured_value(out),
            Ok("cosmosvalcons1qy352euf40x77qfrg4ncn27dauqjx3t8".into())
        );
        assert_eq!(
            captured_value("{\"pub_key\":\"x\"}"),
            Err(
                "its last line \"{\\\"pub_key\\\":\\\"x\\\"}\" is not one value (it holds '{')"
                    .into()
            )
        );
        assert_eq!(
            captured_value("address: ABC"),
            Err("its last line \"address: ABC\" is not one value (it holds ' ')".into())
        );
        assert_eq!(captured_value(" \n\n"), Err("the output is empty".into()));
        assert_eq!(
            captured_value("x$(reboot)"),
            Err("its last line \"x$(reboot)\" is not one value (it holds '$')".into())
        );
        let at = "A".repeat(CAPTURE_MAX);
        assert_eq!(captured_value(&at), Ok(at.clone()));
        assert_eq!(
            captured_value(&format!("{at}B")),
            Err(format!(
                "its last line is {} bytes, more than {CAPTURE_MAX}",
                CAPTURE_MAX + 1
            ))
        );
        assert_eq!(
            captured_value("é"),
            Err("its last line \"é\" is not one value (it holds 'é')".into())
        );
    }
}

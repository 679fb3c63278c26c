//! `expect:` and `until:` conditions as the upstream files write them.

use crate::domain::runbook::plan::{CompareOp, Expectation};

/// What an expectation may look like, for error messages.
pub const EXPECT_FORMS: &str =
    "expected e.g. \">= 6\", \"PASS\", \"0\", \"0 rows\", \"exit 0\" or \"status = 'succeeded'\"";

/// Parses `>= 6`, `PASS`, `0`, `0 rows`, `exit 0` or `column = 'value'`.
///
/// # Errors
/// A message naming the text and the accepted forms.
pub fn parse_expectation(text: &str) -> Result<Expectation, String> {
    let t = text.trim();
    let bad = || format!("bad expect \"{t}\", {EXPECT_FORMS}");
    if t.is_empty() {
        return Err(bad());
    }
    for (sym, op) in [
        (">=", CompareOp::Ge),
        ("<=", CompareOp::Le),
        ("==", CompareOp::Eq),
        ("!=", CompareOp::Ne),
        (">", CompareOp::Gt),
        ("<", CompareOp::Lt),
    ] {
        if let Some(rest) = t.strip_prefix(sym) {
            let value: f64 = rest.trim().parse().map_err(|_| bad())?;
            if !value.is_finite() {
                return Err(bad());
            }
            return Ok(Expectation::Compare { op, value });
        }
    }
    if let Some(rest) = t.strip_prefix("exit ") {
        return rest
            .trim()
            .parse()
            .map(Expectation::ExitStatus)
            .map_err(|_| bad());
    }
    if let Some(n) = t.strip_suffix(" rows").or_else(|| t.strip_suffix(" row")) {
        return n.trim().parse().map(Expectation::Rows).map_err(|_| bad());
    }
    if let Some((column, value)) = t.split_once('=') {
        let column = column.trim();
        let value = value.trim();
        let quoted = value.len() >= 2 && value.starts_with('\'') && value.ends_with('\'');
        if !column.is_empty()
            && column
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            && quoted
        {
            return Ok(Expectation::ColumnEquals {
                column: column.to_owned(),
                value: value[1..value.len() - 1].to_owned(),
            });
        }
        return Err(bad());
    }
    if t.chars()
        .all(|c| c.is_ascii_alphanumeric() || "_.:-".contains(c))
    {
        return Ok(Expectation::Text(t.to_owned()));
    }
    Err(bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_forms_parse() {
        assert_eq!(
            parse_expectation(">= 6"),
            Ok(Expectation::Compare {
                op: CompareOp::Ge,
                value: 6.0
            })
        );
        assert_eq!(
            parse_expectation("PASS"),
            Ok(Expectation::Text("PASS".into()))
        );
        assert_eq!(parse_expectation("0"), Ok(Expectation::Text("0".into())));
        assert_eq!(parse_expectation("0 rows"), Ok(Expectation::Rows(0)));
        assert_eq!(parse_expectation("exit 0"), Ok(Expectation::ExitStatus(0)));
        assert_eq!(
            parse_expectation("status = 'succeeded'"),
            Ok(Expectation::ColumnEquals {
                column: "status".into(),
                value: "succeeded".into()
            })
        );
    }

    #[test]
    fn free_text_and_broken_comparisons_are_rejected() {
        for bad in [
            "",
            ">= lots",
            "exit zero",
            "all good now",
            "status = succeeded",
            "x rows",
        ] {
            assert!(parse_expectation(bad).is_err(), "{bad}");
        }
    }
}

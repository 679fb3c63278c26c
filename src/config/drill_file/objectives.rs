//! A scenario's objectives: a text alone (not scored), or a text with how
//! the report scores it (one of the scenario's criteria, or the team's
//! first response within a time), each mistake named at its place.

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::Text;
use crate::config::error::ConfigError;
use crate::config::runbook::compile::duration;
use crate::config::runbook::source::Source;
use crate::domain::drill::scenario::{Criterion, Measure, Objective};
use crate::domain::duration::bounds;

/// An objective: its text alone (not scored), or with how it is scored.
/// Read by hand rather than untagged, so a mistake in the measured form
/// says which field is wrong.
#[derive(Debug)]
pub(super) enum ObjectiveFile {
    Plain(String),
    Measured(Box<MeasuredObjectiveFile>),
}

impl<'de> Deserialize<'de> for ObjectiveFile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Either;
        impl<'de> serde::de::Visitor<'de> for Either {
            type Value = ObjectiveFile;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "an objective's text, or a map with text and criterion or first_response_within",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(ObjectiveFile::Plain(v.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                MeasuredObjectiveFile::deserialize(serde::de::value::MapAccessDeserializer::new(
                    map,
                ))
                .map(|m| ObjectiveFile::Measured(Box::new(m)))
            }
        }
        d.deserialize_any(Either)
    }
}

/// An objective with how it is scored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MeasuredObjectiveFile {
    text: Text,
    criterion: Option<Text>,
    first_response_within: Option<Text>,
}

/// One objective, its measure checked: a criterion the scenario judges,
/// or a bounded response time.
pub(super) fn objective(
    src: &Source<'_>,
    o: &Spanned<ObjectiveFile>,
    criteria: &[Criterion],
) -> Result<Objective, ConfigError> {
    let m = match &o.value {
        ObjectiveFile::Plain(text) => {
            return Ok(Objective {
                text: text.trim().to_owned(),
                measure: None,
            });
        }
        ObjectiveFile::Measured(m) => m,
    };
    let measure = match (&m.criterion, &m.first_response_within) {
        (Some(c), None) => {
            let names: Vec<String> = criteria.iter().map(Criterion::name).collect();
            let wanted = c.value.trim();
            if !names.iter().any(|n| n == wanted) {
                return Err(src.at(
                    &c.referenced,
                    format!(
                        "objective scored by criterion {wanted:?}, which this scenario does not judge; expected one of {}",
                        names.join(", ")
                    ),
                ));
            }
            Some(Measure::Criterion(wanted.to_owned()))
        }
        (None, Some(d)) => Some(Measure::FirstResponseWithin(duration(
            src,
            d,
            "first_response_within",
            bounds::DRILL_TIME,
        )?)),
        (None, None) => None,
        (Some(_), Some(d)) => {
            return Err(src.at(
                &d.referenced,
                "an objective is scored by criterion or by first_response_within, not both",
            ));
        }
    };
    Ok(Objective {
        text: m.text.value.trim().to_owned(),
        measure,
    })
}

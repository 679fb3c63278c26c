//! Drill scenario files (`runbooks/drills/*.yaml`): read with serde-saphyr,
//! unknown keys rejected, and every rule that spans fields (one action per
//! inject, faults that name the estate's regions, runbooks that exist)
//! checked here with file:line:col.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::config::error::ConfigError;
use crate::config::runbook::compile::duration;
use crate::config::runbook::source::Source;
use crate::domain::drill::scenario::{
    Criterion, ExpectedRunbook, Inject, InjectKind, Role, Scenario,
};

mod objectives;
use crate::domain::duration::bounds;
use crate::domain::estate::{EstateSpec, Targets};
use crate::domain::fault::Fault;
use crate::text::{Cap, read_text};

type Text = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    name: Text,
    briefing: Text,
    #[serde(default)]
    objectives: Vec<Spanned<objectives::ObjectiveFile>>,
    #[serde(default)]
    roles: Vec<RoleFile>,
    targets: Option<TargetsFile>,
    seed: Option<u64>,
    duration: Text,
    #[serde(default)]
    runbooks: Vec<RunbookRef>,
    injects: Spanned<Vec<InjectFile>>,
    criteria: Spanned<Vec<Spanned<CriterionFile>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleFile {
    name: Text,
    duties: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetsFile {
    rto: Option<Text>,
    rpo: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunbookRef {
    path: Text,
    #[serde(default)]
    vars: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InjectFile {
    name: Text,
    at: Option<Text>,
    fault: Option<Text>,
    message: Option<Text>,
    from: Option<Text>,
    clear_faults: Option<Spanned<bool>>,
    disruptive: Option<bool>,
    facilitator_note: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum CriterionFile {
    ServiceRestored,
    RtoWithinTarget,
    RpoWithinTarget,
    NoDoubleSign,
    CompromisedKeyNeverSigns,
    DatabasePrimary(String),
    RunbookCompleted(String),
}

/// Reads and checks a scenario file against the estate.
///
/// # Errors
/// The file cannot be read, or the first problem in it, with file:line:col.
pub fn load_scenario(file: &Path, spec: &EstateSpec) -> Result<Scenario, ConfigError> {
    let text = read_text(file, Cap::SCENARIO)?;
    parse_scenario(file, &text, spec)
}

/// Parses and checks a scenario's text; `file` names it in messages and
/// anchors relative runbook paths.
///
/// # Errors
/// The first problem, with file:line:col.
pub fn parse_scenario(file: &Path, text: &str, spec: &EstateSpec) -> Result<Scenario, ConfigError> {
    let src = Source::new(file, text);
    let doc: ScenarioFile = serde_saphyr::from_str(text).map_err(|e| src.yaml_error(&e))?;
    let length = drill_length(&src, &doc.duration)?;
    let targets = match &doc.targets {
        Some(t) => Targets {
            rto: t
                .rto
                .as_ref()
                .map(|d| duration(&src, d, "rto", bounds::TARGET))
                .transpose()?
                .unwrap_or(spec.targets.rto),
            rpo: t
                .rpo
                .as_ref()
                .map(|d| duration(&src, d, "rpo", bounds::TARGET))
                .transpose()?
                .unwrap_or(spec.targets.rpo),
        },
        None => spec.targets,
    };
    let runbooks = doc
        .runbooks
        .iter()
        .map(|r| runbook_ref(&src, r))
        .collect::<Result<Vec<_>, _>>()?;
    let mut injects = Vec::new();
    for inj in &doc.injects.value {
        let inject = inject(&src, inj, spec, length)?;
        if injects.iter().any(|i: &Inject| i.name == inject.name) {
            return Err(src.at(
                &inj.name.referenced,
                format!("a second inject is named \"{}\"", inject.name),
            ));
        }
        injects.push(inject);
    }
    if injects.is_empty() {
        return Err(src.at(&doc.injects.referenced, "a drill needs at least one inject"));
    }
    let criteria = doc
        .criteria
        .value
        .iter()
        .map(|c| criterion(&src, c, spec, &runbooks, &injects))
        .collect::<Result<Vec<_>, _>>()?;
    if criteria.is_empty() {
        return Err(src.at(
            &doc.criteria.referenced,
            "a drill needs at least one success criterion",
        ));
    }
    let id = file
        .file_stem()
        .map_or_else(|| "drill".to_string(), |s| s.to_string_lossy().into_owned());
    Ok(Scenario {
        id,
        name: doc.name.value.trim().to_string(),
        briefing: doc.briefing.value.trim_end().to_string(),
        objectives: doc
            .objectives
            .iter()
            .map(|o| objectives::objective(&src, o, &criteria))
            .collect::<Result<_, _>>()?,
        roles: doc
            .roles
            .iter()
            .map(|r| Role {
                name: r.name.value.trim().to_string(),
                duties: r.duties.value.trim().to_string(),
            })
            .collect(),
        targets,
        seed: doc.seed.unwrap_or(1),
        duration: length,
        runbooks,
        injects,
        criteria,
    })
}

/// The drill's own length: within [`bounds::DRILL_TIME`] and more than zero.
fn drill_length(src: &Source<'_>, t: &Text) -> Result<Duration, ConfigError> {
    let d = duration(src, t, "duration", bounds::DRILL_TIME)?;
    if d.is_zero() {
        return Err(src.at(&t.referenced, "the drill's duration must be more than 0s"));
    }
    Ok(d)
}

/// Where a scenario's runbook reference points: relative to the scenario's
/// own directory, then to its parent (`runbooks/drills/x.yaml` names
/// `regional-failover.yaml` in `runbooks/`).
#[must_use]
pub fn resolve_runbook(scenario: &Path, path: &str) -> PathBuf {
    let dir = scenario.parent().unwrap_or_else(|| Path::new("."));
    let here = dir.join(path);
    if here.exists() {
        return here;
    }
    dir.parent().map_or(here.clone(), |p| p.join(path))
}

fn runbook_ref(src: &Source<'_>, r: &RunbookRef) -> Result<ExpectedRunbook, ConfigError> {
    let path = resolve_runbook(src.file, &r.path.value);
    if !path.is_file() {
        return Err(src.at(
            &r.path.referenced,
            format!(
                "runbook \"{}\" not found (looked for {})",
                r.path.value,
                path.display()
            ),
        ));
    }
    Ok(ExpectedRunbook {
        path: r.path.value.clone(),
        vars: r.vars.clone(),
    })
}

fn inject(
    src: &Source<'_>,
    f: &InjectFile,
    spec: &EstateSpec,
    limit: Duration,
) -> Result<Inject, ConfigError> {
    let at =
        f.at.as_ref()
            .map(|t| duration(src, t, "at", bounds::DRILL_TIME))
            .transpose()?;
    if let (Some(at), Some(t)) = (at, &f.at)
        && at > limit
    {
        return Err(src.at(
            &t.referenced,
            format!(
                "inject at {} comes after the drill ends ({})",
                t.value,
                crate::domain::duration::format(limit)
            ),
        ));
    }
    let chosen = [
        f.fault.is_some(),
        f.message.is_some(),
        f.clear_faults.is_some(),
    ];
    if chosen.iter().filter(|c| **c).count() != 1 {
        return Err(src.at(
            &f.name.referenced,
            format!(
                "inject \"{}\" needs exactly one of fault, message or clear_faults",
                f.name.value
            ),
        ));
    }
    if f.from.is_some() && f.message.is_none() {
        return Err(src.at(&f.name.referenced, "\"from\" only goes with a message"));
    }
    let kind = if let Some(fault) = &f.fault {
        let parsed =
            Fault::parse_for(&fault.value, spec).map_err(|m| src.at(&fault.referenced, m))?;
        InjectKind::Fault(parsed)
    } else if let Some(message) = &f.message {
        InjectKind::Message {
            from: f.from.as_ref().map(|t| t.value.trim().to_string()),
            text: message.value.trim().to_string(),
        }
    } else {
        match &f.clear_faults {
            Some(c) if c.value => InjectKind::ClearFaults,
            Some(c) => {
                return Err(src.at(
                    &c.referenced,
                    "clear_faults: false does nothing; leave it out",
                ));
            }
            None => InjectKind::ClearFaults,
        }
    };
    let disruptive = f.disruptive.unwrap_or(matches!(kind, InjectKind::Fault(_)));
    Ok(Inject {
        name: f.name.value.trim().to_string(),
        at,
        kind,
        disruptive,
        facilitator_note: f
            .facilitator_note
            .as_ref()
            .map(|n| n.value.trim().to_owned())
            .filter(|n| !n.is_empty()),
    })
}

fn criterion(
    src: &Source<'_>,
    c: &Spanned<CriterionFile>,
    spec: &EstateSpec,
    runbooks: &[ExpectedRunbook],
    injects: &[Inject],
) -> Result<Criterion, ConfigError> {
    Ok(match &c.value {
        CriterionFile::ServiceRestored => Criterion::ServiceRestored,
        CriterionFile::RtoWithinTarget => Criterion::WithinRto,
        CriterionFile::RpoWithinTarget => Criterion::WithinRpo,
        CriterionFile::NoDoubleSign => Criterion::NoDoubleSign,
        CriterionFile::CompromisedKeyNeverSigns => {
            let compromise = injects.iter().any(|i| {
                matches!(
                    &i.kind,
                    InjectKind::Fault(crate::domain::fault::Fault::KeyCompromised { .. })
                )
            });
            if !compromise {
                return Err(src.at(
                    &c.referenced,
                    "compromised_key_never_signs needs an inject with fault: key-compromised VALIDATOR",
                ));
            }
            Criterion::CompromisedKeyNeverSigns
        }
        CriterionFile::DatabasePrimary(r) => {
            if !spec.regions.iter().any(|x| &x.name == r) {
                let valid: Vec<&str> = spec.regions.iter().map(|x| x.name.as_str()).collect();
                return Err(src.at(
                    &c.referenced,
                    format!("unknown region '{r}'; valid regions: {}", valid.join(", ")),
                ));
            }
            Criterion::DatabasePrimary(r.clone())
        }
        CriterionFile::RunbookCompleted(r) => {
            if !runbooks.iter().any(|x| &x.path == r) {
                return Err(src.at(
                    &c.referenced,
                    format!("runbook \"{r}\" is not in this scenario's runbooks"),
                ));
            }
            Criterion::RunbookCompleted(r.clone())
        }
    })
}

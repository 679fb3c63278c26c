//! Using an action in a step: resolving the step's parameters against the
//! action's declarations, splicing them into its templates, and building
//! the operation and practice effect the compiled step runs.

use std::collections::BTreeMap;

use serde_saphyr::Spanned;

use super::{ActionDef, ActionKind, BuiltinKind, Resolved};
use crate::config::error::ConfigError;
use crate::config::runbook::file::{ParamValue, PracticeFile};
use crate::config::runbook::source::Source;
use crate::domain::runbook::plan::{Builtin, OnPass, Operation};
use crate::domain::runbook::template::{Piece, Template, shell_quote};

/// True for text the shell reads as one plain word, so it needs no quotes.
fn plain_word(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:=@%+,".contains(c))
}

/// Replaces each parameter reference of `t` by the parameter's template.
/// For a shell command, literal text that is not a plain word is quoted.
pub(crate) fn splice(t: &Template, params: &BTreeMap<String, Template>, shell: bool) -> Template {
    let mut out = Vec::new();
    for p in t.pieces() {
        match p {
            Piece::Literal(l) => out.push(Piece::Literal(l.clone())),
            Piece::Var(name) => {
                for q in params.get(name).map(Template::pieces).unwrap_or_default() {
                    out.push(match q {
                        Piece::Literal(l) if shell && !plain_word(l) => {
                            Piece::Literal(shell_quote(l))
                        }
                        other => other.clone(),
                    });
                }
            }
        }
    }
    Template::from_pieces(out)
}

impl ActionDef {
    /// Resolves a step's parameters against this action: unknown ones and
    /// missing required ones are errors at `at` (the step's `action:`).
    ///
    /// # Errors
    /// An unknown, missing, badly formed or list-where-text parameter.
    pub(crate) fn resolve(
        &self,
        src: &Source,
        at: &serde_saphyr::Location,
        given: Option<&BTreeMap<String, Spanned<ParamValue>>>,
    ) -> Result<BTreeMap<String, Resolved>, ConfigError> {
        let empty = BTreeMap::new();
        let given = given.unwrap_or(&empty);
        let mut out = BTreeMap::new();
        for (name, v) in given {
            if !self.params.contains_key(name) {
                let known: Vec<&str> = self.params.keys().map(String::as_str).collect();
                return Err(src.at(
                    &v.referenced,
                    format!(
                        "action {} has no parameter {name}, expected one of {}",
                        self.name,
                        known.join(", ")
                    ),
                ));
            }
            let r = match &v.value {
                ParamValue::One(s) => Resolved::One(
                    Template::parse(s).map_err(|e| src.template_error(&v.referenced, &e))?,
                ),
                ParamValue::Many(list) => Resolved::Many(list.clone()),
            };
            out.insert(name.clone(), r);
        }
        let given_templates: BTreeMap<String, Template> = out
            .iter()
            .filter_map(|(k, v)| match v {
                Resolved::One(t) => Some((k.clone(), t.clone())),
                Resolved::Many(_) => None,
            })
            .collect();
        for (name, default) in &self.params {
            if out.contains_key(name) {
                continue;
            }
            match default {
                Some(d) => {
                    if let Some(v) = d
                        .vars()
                        .into_iter()
                        .find(|v| !given_templates.contains_key(*v))
                    {
                        return Err(src.at(
                            at,
                            format!(
                                "action {} needs parameter {v} (the default of {name} uses it)",
                                self.name
                            ),
                        ));
                    }
                    out.insert(
                        name.clone(),
                        Resolved::One(splice(d, &given_templates, false)),
                    );
                }
                None => {
                    return Err(src.at(at, format!("action {} needs parameter {name}", self.name)));
                }
            }
        }
        Ok(out)
    }

    /// The operation this action performs with resolved parameters.
    ///
    /// # Errors
    /// A list given where a single value is needed.
    pub(crate) fn operation(
        &self,
        src: &Source,
        at: &serde_saphyr::Location,
        params: &BTreeMap<String, Resolved>,
    ) -> Result<Operation, ConfigError> {
        let mut single = BTreeMap::new();
        let mut lists = BTreeMap::new();
        for (k, v) in params {
            match v {
                Resolved::One(t) => {
                    single.insert(k.clone(), t.clone());
                }
                Resolved::Many(l) => {
                    lists.insert(k.clone(), l.clone());
                }
            }
        }
        let list_misuse = |t: &Template| {
            t.vars()
                .into_iter()
                .find(|v| lists.contains_key(*v))
                .map(|v| {
                    src.at(
                    at,
                    format!(
                        "parameter {v} of action {} is a list; only notification channels take one",
                        self.name
                    ),
                )
                })
        };
        match &self.kind {
            ActionKind::Command(t) => {
                if let Some(e) = list_misuse(t) {
                    return Err(e);
                }
                Ok(Operation::Shell(splice(t, &single, true)))
            }
            ActionKind::Builtin(kind, fields) => {
                let field = |f: &str| fields.get(f).map(|t| splice(t, &single, false));
                let req = |f: &str| field(f).unwrap_or_default();
                for (f, t) in fields {
                    if f != "channels"
                        && let Some(e) = list_misuse(t)
                    {
                        return Err(e);
                    }
                }
                let flag = |f: &str| field(f).map(|t| t.to_string() == "true");
                Ok(Operation::Builtin(match kind {
                    BuiltinKind::PutMetric => Builtin::PutMetric {
                        namespace: req("namespace"),
                        metric: req("metric"),
                        value: req("value"),
                        region: field("region"),
                    },
                    BuiltinKind::HealthCheckUpdate => Builtin::HealthCheckUpdate {
                        health_check_id: req("health_check_id"),
                        disabled: flag("disabled"),
                        inverted: flag("inverted"),
                        region: field("region"),
                    },
                    BuiltinKind::RecordWeight => Builtin::RecordWeight {
                        zone_id: req("zone_id"),
                        record: req("record"),
                        region: req("region"),
                        weight: req("weight"),
                    },
                    BuiltinKind::Notify => {
                        let channels = fields
                            .get("channels")
                            .and_then(|t| t.vars().first().map(|v| (*v).to_owned()))
                            .and_then(|v| match params.get(&v) {
                                Some(Resolved::Many(l)) => Some(l.clone()),
                                Some(Resolved::One(t)) => Some(vec![t.to_string()]),
                                None => None,
                            })
                            .unwrap_or_default();
                        Builtin::Notify {
                            channels,
                            message: req("message"),
                            severity: field("severity").map(|t| t.to_string()),
                        }
                    }
                }))
            }
        }
    }

    /// What a passed step of this action tells the console, its
    /// parameters filled in (templates over the runbook's values).
    pub(crate) fn on_pass(&self, params: &BTreeMap<String, Resolved>) -> Option<OnPass> {
        let fill = filler(params);
        self.on_pass.as_ref().map(|o| o.map(&fill).to_plan())
    }

    /// The default practice effect with parameters filled in (as text templates).
    pub(crate) fn practice(&self, params: &BTreeMap<String, Resolved>) -> PracticeFile {
        let fill = filler(params);
        match &self.practice {
            PracticeFile::None => PracticeFile::None,
            PracticeFile::Fail(m) => PracticeFile::Fail(m.clone()),
            PracticeFile::PromoteDatabase(r) => PracticeFile::PromoteDatabase(fill(r)),
            PracticeFile::RecoverRegion(r) => PracticeFile::RecoverRegion(fill(r)),
            PracticeFile::RestoreChainState(r) => PracticeFile::RestoreChainState(fill(r)),
            PracticeFile::RestoreValidatorKey(v) => PracticeFile::RestoreValidatorKey(fill(v)),
            PracticeFile::StartNewKeyNode(v) => PracticeFile::StartNewKeyNode(fill(v)),
            PracticeFile::RotateKey(v) => PracticeFile::RotateKey(fill(v)),
            PracticeFile::KeySilent(v) => PracticeFile::KeySilent(fill(v)),
            PracticeFile::RotatedKeySigns(v) => PracticeFile::RotatedKeySigns(fill(v)),
            PracticeFile::Validator { name, running } => PracticeFile::Validator {
                name: fill(name),
                running: *running,
            },
            PracticeFile::Traffic { region, serving } => PracticeFile::Traffic {
                region: fill(region),
                serving: *serving,
            },
            PracticeFile::Validators { region, running } => PracticeFile::Validators {
                region: fill(region),
                running: *running,
            },
            PracticeFile::StandbyValidators { from, to } => PracticeFile::StandbyValidators {
                from: fill(from),
                to: fill(to),
            },
            PracticeFile::Check(c) => PracticeFile::Check(*c),
        }
    }
}

/// Splices an action's single-valued parameters into a text template
/// (as text, not shell): what `practice:` and `on_pass:` hold.
fn filler(params: &BTreeMap<String, Resolved>) -> impl Fn(&str) -> String {
    let single: BTreeMap<String, Template> = params
        .iter()
        .filter_map(|(k, v)| match v {
            Resolved::One(t) => Some((k.clone(), t.clone())),
            Resolved::Many(_) => None,
        })
        .collect();
    move |s: &str| {
        Template::parse(s).map_or_else(|_| s.to_owned(), |t| splice(&t, &single, false).to_string())
    }
}

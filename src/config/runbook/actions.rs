//! `runbooks/actions.yaml`: what each `action:` name of a runbook does.
//!
//! ```yaml
//! actions:
//!   kubernetes_scale:
//!     description: Scale a deployment
//!     params: {context: {}, namespace: {}, deployment: {}, replicas: {}}
//!     command: kubectl --context=${context} -n ${namespace} scale deployment/${deployment} --replicas=${replicas}
//!     destructive: true
//!   custom_metric:
//!     params: {namespace: {}, metric: {}, value: {}}
//!     builtin: put_metric
//!     fields: {namespace: "${namespace}", metric: "${metric}", value: "${value}"}
//! ```
//!
//! A template here refers to the action's own parameters; a step's
//! parameter values refer to the runbook's variables. Parameters are
//! spliced in when a step is compiled, literal text shell-quoted unless it
//! is a plain word, so a command template must use `${param}` in plain
//! code (not in quotes, a comment or a here-document): drconsole does the
//! quoting. A runbook variable inside a parameter then reaches the shell
//! as data, like any other (see `domain::runbook::script`).

mod on_pass;
mod resolve;

pub use on_pass::OnPassFile;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::compile::nth_var_offset;
use super::file::{PracticeFile, Text};
use super::source::Source;
use crate::config::error::ConfigError;
use crate::domain::runbook::script::{Place, places};
use crate::domain::runbook::template::{Piece, Template};

/// The shipped `runbooks/actions.yaml`, used when a runbook's directory has none.
pub const SHIPPED_ACTIONS: &str = include_str!("../../../runbooks/actions.yaml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionsFile {
    actions: BTreeMap<String, Spanned<ActionFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionFile {
    description: Option<Text>,
    #[serde(default)]
    params: BTreeMap<String, Spanned<ParamDeclFile>>,
    command: Option<Text>,
    builtin: Option<Text>,
    fields: Option<BTreeMap<String, Text>>,
    #[serde(default)]
    destructive: bool,
    practice: Option<Spanned<PracticeFile>>,
    on_pass: Option<Spanned<OnPassFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamDeclFile {
    description: Option<Text>,
    default: Option<Text>,
}

/// The built-in calls an action can map to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltinKind {
    /// CloudWatch `PutMetricData`.
    PutMetric,
    /// Route53 `UpdateHealthCheck`.
    HealthCheckUpdate,
    /// Route53 weighted record change.
    RecordWeight,
    /// Webhook notification.
    Notify,
}

impl BuiltinKind {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "put_metric" => Self::PutMetric,
            "health_check_update" => Self::HealthCheckUpdate,
            "record_weight" => Self::RecordWeight,
            "notify" => Self::Notify,
            _ => return None,
        })
    }

    /// (required fields, optional fields).
    fn fields(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Self::PutMetric => (&["namespace", "metric", "value"], &["region"]),
            Self::HealthCheckUpdate => (&["health_check_id"], &["disabled", "inverted", "region"]),
            Self::RecordWeight => (&["zone_id", "record", "region", "weight"], &[]),
            Self::Notify => (&["channels", "message"], &["severity"]),
        }
    }
}

/// What an action runs.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionKind {
    /// A shell command template over the parameters.
    Command(Template),
    /// A built-in call; each field a template over the parameters.
    Builtin(BuiltinKind, BTreeMap<String, Template>),
}

/// One action of `actions.yaml`.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionDef {
    /// Its name, as runbooks write it.
    pub name: String,
    /// What it does.
    pub description: Option<String>,
    /// Its parameters with their defaults (`None`: required).
    pub params: BTreeMap<String, Option<Template>>,
    /// What it runs.
    pub kind: ActionKind,
    /// Whether it changes infrastructure.
    pub destructive: bool,
    /// Its default effect in practice mode, over the parameters.
    pub practice: PracticeFile,
    /// What the console learns once a step of it passed, over the parameters.
    pub on_pass: Option<OnPassFile>,
}

/// Every action a runbook may name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Actions {
    defs: BTreeMap<String, ActionDef>,
}

/// A step's parameters once resolved: a template or a list.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// One value, a template over runbook variables.
    One(Template),
    /// A list (notification channels).
    Many(Vec<String>),
}

impl Actions {
    /// The shipped actions.
    ///
    /// # Errors
    /// Only if the shipped file is broken, which a test rules out.
    pub fn shipped() -> Result<Self, ConfigError> {
        parse_actions(
            Path::new("(builtin) runbooks/actions.yaml"),
            SHIPPED_ACTIONS,
        )
    }

    /// The actions a runbook uses: `actions.yaml` beside it if there is
    /// one, else the shipped file.
    ///
    /// # Errors
    /// The actions file beside it is unreadable or invalid.
    pub fn for_runbook(runbook: &Path) -> Result<Self, ConfigError> {
        match runbook.parent().map(|d| d.join("actions.yaml")) {
            Some(p) if p.is_file() => {
                let text = crate::text::read_text(&p, crate::text::Cap::ACTIONS)?;
                parse_actions(&p, &text)
            }
            _ => Self::shipped(),
        }
    }

    /// An action by name.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&ActionDef> {
        self.defs.get(name)
    }

    /// Every action name, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.defs.keys().map(String::as_str)
    }
}

/// Parses and checks an actions file.
///
/// # Errors
/// The first problem, with file:line:col.
pub fn parse_actions(file: &Path, text: &str) -> Result<Actions, ConfigError> {
    let src = Source::new(file, text);
    let parsed: ActionsFile = serde_saphyr::from_str(text).map_err(|e| src.yaml_error(&e))?;
    let mut defs = BTreeMap::new();
    for (name, a) in parsed.actions {
        let def = action_def(&src, &name, a)?;
        defs.insert(name, def);
    }
    Ok(Actions { defs })
}

fn parse_template(src: &Source, t: &Text) -> Result<Template, ConfigError> {
    Template::parse(&t.value).map_err(|e| src.template_error(&t.referenced, &e))
}

fn action_def(src: &Source, name: &str, a: Spanned<ActionFile>) -> Result<ActionDef, ConfigError> {
    let at = a.referenced;
    let a = a.value;
    let mut params = BTreeMap::new();
    for (p, decl) in &a.params {
        let default = decl
            .value
            .default
            .as_ref()
            .map(|d| parse_template(src, d))
            .transpose()?;
        let _ = &decl.value.description;
        params.insert(p.clone(), default);
    }
    let check_vars = |t: &Template, text: &Text| -> Result<(), ConfigError> {
        for v in t.vars() {
            if !params.contains_key(v) {
                return Err(src.at_offset(
                    src.var_offset(&text.referenced, v),
                    format!("action {name} uses ${{{v}}} but declares no parameter {v}"),
                ));
            }
        }
        Ok(())
    };
    let kind = match (&a.command, &a.builtin) {
        (Some(c), None) => {
            let t = parse_template(src, c)?;
            check_vars(&t, c)?;
            if let Some((v, occurrence)) = quoted_var(&t) {
                return Err(src.at_offset(
                    nth_var_offset(src, &c.referenced, &v, occurrence),
                    format!(
                        "action {name}: write ${{{v}}} outside quotes; drconsole quotes parameter values itself"
                    ),
                ));
            }
            if a.fields.is_some() {
                return Err(src.at(
                    &at,
                    format!("action {name}: fields are for builtins, not commands"),
                ));
            }
            ActionKind::Command(t)
        }
        (None, Some(b)) => builtin_kind(src, b, a.fields.as_ref(), &check_vars)?,
        _ => {
            return Err(src.at(
                &at,
                format!("action {name} needs exactly one of command and builtin"),
            ));
        }
    };
    let practice = match a.practice {
        Some(p) => {
            for text in practice_texts(&p.value) {
                let t = Template::parse(text).map_err(|e| src.template_error(&p.referenced, &e))?;
                if let Some(v) = t.vars().into_iter().find(|v| !params.contains_key(*v)) {
                    return Err(src.at(
                        &p.referenced,
                        format!("action {name}: practice uses ${{{v}}}, not one of its parameters"),
                    ));
                }
            }
            p.value
        }
        None => PracticeFile::None,
    };
    let on_pass = on_pass::checked(src, name, &params, a.on_pass)?;
    Ok(ActionDef {
        name: name.to_owned(),
        description: a.description.map(|d| d.value),
        params,
        kind,
        destructive: a.destructive,
        practice,
        on_pass,
    })
}

/// A builtin action's kind and its fields, each a template over the parameters.
fn builtin_kind(
    src: &Source,
    b: &Text,
    fields_file: Option<&BTreeMap<String, Text>>,
    check_vars: &dyn Fn(&Template, &Text) -> Result<(), ConfigError>,
) -> Result<ActionKind, ConfigError> {
    let kind = BuiltinKind::parse(&b.value).ok_or_else(|| {
        src.at(
            &b.referenced,
            format!(
                "unknown builtin \"{}\", expected put_metric, health_check_update, record_weight or notify",
                b.value
            ),
        )
    })?;
    let (required, optional) = kind.fields();
    let mut fields = BTreeMap::new();
    for (f, v) in fields_file.into_iter().flatten() {
        if !required.contains(&f.as_str()) && !optional.contains(&f.as_str()) {
            return Err(src.at(
                &v.referenced,
                format!(
                    "builtin {} has no field {f}, expected one of {}",
                    b.value,
                    [required, optional].concat().join(", ")
                ),
            ));
        }
        let t = parse_template(src, v)?;
        check_vars(&t, v)?;
        fields.insert(f.clone(), t);
    }
    if let Some(missing) = required.iter().find(|r| !fields.contains_key(**r)) {
        return Err(src.at(
            &b.referenced,
            format!("builtin {} needs field {missing}", b.value),
        ));
    }
    for flag in ["disabled", "inverted"] {
        if let Some(t) = fields.get(flag)
            && !matches!(t.to_string().as_str(), "true" | "false")
        {
            return Err(src.at(&b.referenced, format!("field {flag} must be true or false")));
        }
    }
    Ok(ActionKind::Builtin(kind, fields))
}

/// The template texts inside a practice effect.
pub(crate) fn practice_texts(p: &PracticeFile) -> Vec<&str> {
    match p {
        PracticeFile::None | PracticeFile::Fail(_) | PracticeFile::Check(_) => vec![],
        PracticeFile::StandbyValidators { from, to } => vec![from, to],
        PracticeFile::PromoteDatabase(r)
        | PracticeFile::RecoverRegion(r)
        | PracticeFile::RestoreChainState(r)
        | PracticeFile::RestoreValidatorKey(r)
        | PracticeFile::StartNewKeyNode(r)
        | PracticeFile::RotateKey(r)
        | PracticeFile::KeySilent(r)
        | PracticeFile::RotatedKeySigns(r)
        | PracticeFile::Validator { name: r, .. } => vec![r],
        PracticeFile::Traffic { region, .. } | PracticeFile::Validators { region, .. } => {
            vec![region]
        }
    }
}

/// The first `${var}` that the shell renderer would not place in plain
/// code (inside any quotes, a here-document, a comment, after a
/// backslash), with which use of that name it is (0 for the first). An
/// action's parameters are placed where drconsole quotes them itself.
pub(crate) fn quoted_var(t: &Template) -> Option<(String, usize)> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let vars = t.pieces().iter().filter_map(|p| match p {
        Piece::Var(v) => {
            let n = seen.entry(v).or_default();
            *n += 1;
            Some((v.clone(), *n - 1))
        }
        Piece::Literal(_) => None,
    });
    places(t)
        .into_iter()
        .zip(vars)
        .find(|(place, _)| *place != Place::Code)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests;

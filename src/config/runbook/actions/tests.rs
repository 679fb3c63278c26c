//! Unit tests of the actions file: the shipped file, refused templates and
//! parameter quoting when a step uses an action.

use super::resolve::splice;
use super::*;

fn err(text: &str) -> String {
    parse_actions(Path::new("a.yaml"), text).map_or_else(|e| e.to_string(), |_| String::new())
}

#[test]
fn the_shipped_actions_parse() {
    let a = Actions::shipped().expect("shipped actions.yaml is valid");
    for name in [
        "custom_metric",
        "kubernetes_scale",
        "route53_health_check_invert",
        "fence_validators",
    ] {
        assert!(a.get(name).is_some(), "{name}");
    }
}

#[test]
fn a_parameter_inside_quotes_is_refused() {
    let text = "actions:\n  x:\n    params: {v: {}}\n    command: echo \"${v}\"\n";
    assert_eq!(
        err(text),
        "a.yaml:4:20: action x: write ${v} outside quotes; drconsole quotes parameter values itself"
    );
}

#[test]
fn a_parameter_in_a_comment_or_here_document_is_refused_too() {
    // The apostrophe in the comment does not hide the second use.
    let text = "actions:\n  x:\n    params: {v: {}}\n    command: \"echo ${v} # don't\\ncat <<E\\n${v}\\nE\"\n";
    assert_eq!(
        err(text),
        "a.yaml:4:43: action x: write ${v} outside quotes; drconsole quotes parameter values itself"
    );
    let ok = "actions:\n  x:\n    params: {v: {}}\n    command: \"# it's\\necho ${v}\"\n";
    assert!(parse_actions(Path::new("a.yaml"), ok).is_ok());
}

#[test]
fn undeclared_parameters_and_unknown_fields_are_refused() {
    let text = "actions:\n  x:\n    command: echo ${w}\n";
    assert_eq!(
        err(text),
        "a.yaml:3:19: action x uses ${w} but declares no parameter w"
    );
    let text = "actions:\n  x:\n    builtin: notify\n    fields: {message: hi, colour: red}\n";
    assert_eq!(
        err(text),
        "a.yaml:4:35: builtin notify has no field colour, expected one of channels, message, severity"
    );
}

#[test]
fn literal_parameter_text_is_quoted_unless_a_plain_word() {
    let t = Template::parse("run ${a} ${b}").expect("parses");
    let params = BTreeMap::from([
        (
            "a".to_owned(),
            Template::parse("plain-word_1.2").expect("parses"),
        ),
        (
            "b".to_owned(),
            Template::parse("two words ${X}").expect("parses"),
        ),
    ]);
    assert_eq!(
        splice(&t, &params, true).to_string(),
        "run plain-word_1.2 'two words '${X}"
    );
    assert_eq!(
        splice(&t, &params, false).to_string(),
        "run plain-word_1.2 two words ${X}"
    );
}

#[test]
fn on_pass_names_only_the_actions_parameters_and_one_known_kind() {
    let head = "actions:\n  x:\n    params: {v: {}, old: {}, new: {}}\n    command: rotate ${v}\n";
    let ok = format!(
        "{head}    on_pass:\n      key_rotated: {{validator: \"${{v}}\", old_address: \"${{old}}\", new_address: \"${{new}}\"}}\n"
    );
    let a = parse_actions(Path::new("a.yaml"), &ok).expect("valid");
    assert!(matches!(
        a.get("x").and_then(|d| d.on_pass.clone()),
        Some(OnPassFile::KeyRotated { .. })
    ));
    let stray = format!(
        "{head}    on_pass:\n      key_rotated: {{validator: \"${{v}}\", old_address: \"${{old}}\", new_address: \"${{NEW_ADDRESS}}\"}}\n"
    );
    assert_eq!(
        err(&stray),
        "a.yaml:6:7: action x: on_pass uses ${NEW_ADDRESS}, not one of its parameters"
    );
    let empty = format!(
        "{head}    on_pass:\n      key_rotated: {{validator: \"${{v}}\", old_address: \" \", new_address: \"${{new}}\"}}\n"
    );
    assert_eq!(
        err(&empty),
        "a.yaml:6:7: action x: on_pass has an empty value"
    );
    let unknown = format!("{head}    on_pass: {{key_restored: {{validator: x}}}}\n");
    assert_eq!(
        err(&unknown),
        "a.yaml:5:15: unknown variant `key_restored`, expected one of key_rotated"
    );
    let missing = format!("{head}    on_pass: {{key_rotated: {{validator: x}}}}\n");
    assert!(
        err(&missing).contains("missing field `old_address`"),
        "{}",
        err(&missing)
    );
}

#[test]
fn the_shipped_rotation_tells_the_console_which_key_it_rotated() {
    let a = Actions::shipped().expect("shipped actions.yaml is valid");
    let rotate = a.get("rotate_consensus_key").expect("shipped");
    assert_eq!(
        rotate.on_pass,
        Some(OnPassFile::KeyRotated {
            validator: "${validator}".into(),
            old_address: "${old_address}".into(),
            new_address: "${new_address}".into(),
        })
    );
}

//! The renderer's spelling of references by place, and the refusals.

use std::collections::BTreeMap;

use super::*;

fn t(text: &str) -> Template {
    Template::parse(text).expect("parses")
}

fn text(s: &str) -> Result<String, ScriptError> {
    script_text(&t(s))
}

#[test]
fn references_are_quoted_in_code_and_bare_inside_double_quotes() {
    assert_eq!(
        text("kubectl --context=${C} get \"pods-${C}\"").as_deref(),
        Ok("kubectl --context=\"${DRCONSOLE_VAR_C}\" get \"pods-${DRCONSOLE_VAR_C}\"")
    );
    assert_eq!(
        text("echo \"n: $(echo ${X} | wc -c)\" `echo ${X}`").as_deref(),
        Ok("echo \"n: $(echo \"${DRCONSOLE_VAR_X}\" | wc -c)\" `echo \"${DRCONSOLE_VAR_X}\"`")
    );
}

#[test]
fn comments_and_here_documents_are_understood() {
    assert_eq!(
        text("# don't touch\necho \"${X}\" # it's ${X}\n").as_deref(),
        Ok("# don't touch\necho \"${DRCONSOLE_VAR_X}\" # it's ${DRCONSOLE_VAR_X}\n")
    );
    assert_eq!(
        text("cat <<EOF\n'${X}'\nEOF\necho ${X}").as_deref(),
        Ok("cat <<EOF\n'${DRCONSOLE_VAR_X}'\nEOF\necho \"${DRCONSOLE_VAR_X}\"")
    );
    assert_eq!(
        text("echo $# ${X}").as_deref(),
        Ok("echo $# \"${DRCONSOLE_VAR_X}\"")
    );
}

#[test]
fn placeholders_sh_would_not_expand_are_refused_with_their_use() {
    let err = |s: &str| match text(s) {
        Err(ScriptError::Misplaced {
            name,
            occurrence,
            place,
        }) => (name, occurrence, place),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        err("# don't\necho \"${X}\" 'value: ${X}'"),
        ("X".to_owned(), 1, Place::Single)
    );
    assert_eq!(
        err("echo \"$(echo '${X}')\""),
        ("X".to_owned(), 0, Place::Single)
    );
    assert_eq!(
        err("cat <<'EOF'\n${X}\nEOF"),
        ("X".to_owned(), 0, Place::QuotedHeredoc)
    );
    assert_eq!(err("echo \\${X}"), ("X".to_owned(), 0, Place::Escaped));
}

#[test]
fn values_travel_beside_the_script_and_print_escaped() {
    let vars: BTreeMap<String, String> = [("X".to_owned(), "a\n\u{1b}]0;x\u{7}\"\\".to_owned())]
        .into_iter()
        .collect();
    let s = ShellScript::render(&t("echo ${X}"), &vars).expect("renders");
    assert_eq!(s.script, "echo \"${DRCONSOLE_VAR_X}\"");
    assert_eq!(
        s.env(),
        vec![("DRCONSOLE_VAR_X".to_owned(), vars["X"].clone())]
    );
    assert_eq!(s.value_lines(), vec!["X = \"a\\n\\x1b]0;x\\x07\\\"\\\\\""]);
    assert_eq!(
        ShellScript::render(&t("echo ${Y}"), &vars),
        Err(ScriptError::Missing { name: "Y".into() })
    );
    let nul: BTreeMap<String, String> = [("X".to_owned(), "a\0b".to_owned())].into_iter().collect();
    assert_eq!(
        ShellScript::render(&t("echo ${X}"), &nul),
        Err(ScriptError::Nul { name: "X".into() })
    );
}

//! Unit tests for `config::check`, kept beside it so the production file stays short enough to read in one sitting.

use super::*;

#[test]
fn builtins_check_clean() {
    let findings = check_builtins();
    assert_eq!(
        findings.len(),
        LAYOUTS.len() + THEMES.len() + ENVIRONMENTS.len() + ACTIONS.len()
    );
    assert!(findings.iter().all(|f| !f.is_err()), "{findings:#?}");
    assert_eq!(
        findings[0].to_string(),
        "ok (builtin) layouts/default.toml (layout)"
    );
    assert_eq!(
        findings.last().unwrap().to_string(),
        "ok (builtin) runbooks/actions.yaml (actions)"
    );
}

#[test]
fn default_check_starts_with_the_builtins() {
    let builtins: Vec<String> = check_builtins().iter().map(ToString::to_string).collect();
    let all: Vec<String> = check_default().iter().map(ToString::to_string).collect();
    assert_eq!(all[..builtins.len()], builtins[..]);
}

#[test]
fn kinds_come_from_the_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    fs::create_dir_all(root.join("themes")).unwrap();
    fs::create_dir_all(root.join("layouts")).unwrap();
    fs::create_dir_all(root.join(".git/layouts")).unwrap();
    fs::write(
        root.join("layouts/a.toml"),
        "[[row]]\npanels = [{ panel = \"log\" }]\n",
    )
    .unwrap();
    fs::write(root.join("layouts/README.md"), "not ours").unwrap();
    fs::write(root.join(".git/layouts/x.toml"), "junk").unwrap();
    fs::write(root.join("themes/b.toml"), "[slots]\n").unwrap();
    fs::write(root.join("stray.toml"), "").unwrap();

    let lines: Vec<String> = check_paths(&[root.to_path_buf()])
        .iter()
        .map(ToString::to_string)
        .map(|l| l.replace(&root.display().to_string(), "R"))
        .collect();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert_eq!(lines[0], "ok R/layouts/a.toml (layout)");
    assert_eq!(
        lines[1],
        "R/stray.toml:1:1: missing field `environment` (checked as an environment)"
    );
    assert!(lines[2].starts_with("R/themes/b.toml:1:1: missing slots text, muted"));
}

#[test]
fn missing_paths_and_strange_names_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope");
    let f = check_paths(std::slice::from_ref(&missing));
    assert!(f[0].to_string().contains("nope: cannot read: "), "{}", f[0]);

    fs::create_dir_all(tmp.path().join("layouts")).unwrap();
    let odd = tmp.path().join("layouts/My Layout.toml");
    fs::write(&odd, "").unwrap();
    let f = check_paths(&[odd]);
    assert!(
        f[0].to_string()
            .ends_with("My Layout.toml:1:1: file name \"My Layout\" cannot be selected as a layout, expected lowercase letters, digits, \"-\" and \"_\""),
        "{}",
        f[0]
    );
}

#[test]
fn any_other_toml_is_an_environment_file_named_as_the_operator_likes() {
    let tmp = tempfile::tempdir().unwrap();
    let prod = tmp.path().join("Prod EU.toml");
    fs::write(&prod, crate::config::starter_template()).unwrap();
    let f = check_paths(std::slice::from_ref(&prod));
    assert_eq!(
        f[0].to_string(),
        format!("ok {} (environment)", prod.display())
    );

    let yaml = tmp.path().join("prod.json");
    fs::write(&yaml, "").unwrap();
    let f = check_paths(&[yaml]);
    assert!(
        f[0].to_string().contains("cannot tell what this file is"),
        "{}",
        f[0]
    );
}

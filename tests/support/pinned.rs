//! Pinned error messages: a directory of invalid files `NAME.EXT`, each
//! with `NAME.expected` holding the exact line its load must fail with.

use std::fs;
use std::path::Path;

use drconsole::config::{Finding, check_paths};

fn stems(dir: &Path, ext: &str) -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

/// Compares each case's message with its `.expected` line; with
/// `DRCONSOLE_BLESS=1` writes the missing `.expected` files first.
pub fn pin(dir: &str, ext: &str, min: usize, message: impl Fn(&Path) -> String) {
    let dir = Path::new(dir);
    let bless = std::env::var_os("DRCONSOLE_BLESS").is_some();
    let yamls = stems(dir, ext);
    if bless {
        for stem in &yamls {
            let exp = dir.join(format!("{stem}.expected"));
            if !exp.exists() {
                fs::write(&exp, message(&dir.join(format!("{stem}.{ext}"))) + "\n").unwrap();
            }
        }
    }
    assert_eq!(
        yamls,
        stems(dir, "expected"),
        "{}: every .{ext} needs a .expected and vice versa",
        dir.display()
    );
    let mut failures = Vec::new();
    for stem in &yamls {
        let file = dir.join(format!("{stem}.{ext}"));
        let want = fs::read_to_string(dir.join(format!("{stem}.expected"))).unwrap();
        let got = message(&file);
        if got != want.trim_end() {
            failures.push(format!(
                "{}\n  want: {}\n  got:  {got}",
                file.display(),
                want.trim_end()
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert!(
        yamls.len() >= min,
        "{}: only {} cases found",
        dir.display(),
        yamls.len()
    );
}

/// The one line `drconsole check` prints for a file that must fail to load.
pub fn check_message(file: &Path) -> String {
    let findings = check_paths(&[file.to_path_buf()]);
    assert_eq!(findings.len(), 1, "{}: {findings:#?}", file.display());
    match &findings[0] {
        Finding::Err(e) | Finding::Invalid(e, _) => e.to_string(),
        other => format!("{} did not fail to load: {other}", file.display()),
    }
}

//! `drill --upload`: the report goes to the estate's test-results bucket
//! through the real AWS SDK, against a moto server on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::path::Path;
use std::process::Command;

use drconsole::config::drill_file::load_scenario;
use drconsole::config::drill_script::load_script;
use drconsole::domain::drill::report::Report;
use drconsole::domain::estate::EstateSpec;
use drconsole::domain::time::Timestamp;
use drconsole::runtime::drill::HeadlessDrill;
use drconsole::runtime::drill_upload::{RESULTS_BUCKET, report_prefix, upload_report};
use support::moto::{Moto, clients, create_bucket, environment, options};

const SCENARIO: &str = "runbooks/drills/dns-failure.yaml";
const SCRIPT: &str = "tests/fixtures/drills/dns-failure-steady.yaml";
const FOLDER: &str = "reports/dns-failure-2026-01-05T03-00-00Z/";

fn report() -> Report {
    let spec = EstateSpec::seed();
    let path = Path::new(SCENARIO);
    let scenario = load_scenario(path, &spec).unwrap();
    let script = load_script(Path::new(SCRIPT), &scenario).unwrap();
    let dir = tempfile::tempdir().unwrap();
    HeadlessDrill {
        scenario,
        scenario_path: path,
        script,
        start: Timestamp::parse_rfc3339("2026-01-05T03:00:00Z").unwrap(),
        spec,
        journal_dir: dir.path(),
    }
    .run()
    .unwrap()
}

async fn object(moto: &Moto, key: &str) -> Vec<u8> {
    let env = environment(moto);
    let c = clients(&env, None).await;
    let s3 = &c.region("us-east-1").unwrap().s3;
    let out = s3
        .get_object()
        .bucket(RESULTS_BUCKET)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{key}: {}", aws_sdk_s3::error::DisplayErrorContext(&e)));
    out.body.collect().await.unwrap().into_bytes().to_vec()
}

async fn make_bucket(moto: &Moto) {
    let env = environment(moto);
    let c = clients(&env, None).await;
    create_bucket(c.region("us-east-1").unwrap(), RESULTS_BUCKET).await;
}

#[tokio::test]
async fn upload_puts_both_files_under_the_scenario_and_timestamp() {
    let moto = Moto::start();
    make_bucket(&moto).await;
    let report = tokio::task::spawn_blocking(report).await.unwrap();
    assert_eq!(report_prefix(&report), FOLDER);
    let url = upload_report(&environment(&moto), &options(None), &report)
        .await
        .unwrap();
    assert_eq!(url, format!("s3://{RESULTS_BUCKET}/{FOLDER}"));
    let json = object(&moto, &format!("{FOLDER}report.json")).await;
    assert_eq!(json, (report.to_json().unwrap() + "\n").into_bytes());
    let md = object(&moto, &format!("{FOLDER}report.md")).await;
    assert_eq!(md, report.to_markdown().into_bytes());
}

#[tokio::test]
async fn upload_to_a_missing_bucket_names_the_bucket_and_key() {
    let moto = Moto::start();
    let report = tokio::task::spawn_blocking(report).await.unwrap();
    let err = upload_report(&environment(&moto), &options(None), &report)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!("s3://{RESULTS_BUCKET}/{FOLDER}report.json")),
        "{err}"
    );
    assert!(err.contains("NoSuchBucket"), "{err}");
}

#[tokio::test]
async fn cli_drill_upload_with_an_environment_file() {
    let moto = Moto::start();
    make_bucket(&moto).await;
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("tests/fixtures/env/moto.toml").unwrap();
    let text = text.replace("http://127.0.0.1:5000", &moto.endpoint());
    let env_file = dir.path().join("moto.toml");
    std::fs::write(&env_file, text).unwrap();
    let out_dir = dir.path().join("report");
    let out = tokio::task::spawn_blocking({
        let (env_file, out_dir, home) = (env_file.clone(), out_dir.clone(), dir.path().to_owned());
        move || {
            Command::new(env!("CARGO_BIN_EXE_drconsole"))
                .args(["drill", SCENARIO, "--script", SCRIPT, "--upload"])
                .arg("--report")
                .arg(&out_dir)
                .arg("--env")
                .arg(&env_file)
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", &home)
                .env("AWS_CONFIG_FILE", home.join("no-config"))
                .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
                .env("AWS_ACCESS_KEY_ID", "testing")
                .env("AWS_SECRET_ACCESS_KEY", "testing")
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env("NO_COLOR", "1")
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!(
            "report uploaded to s3://{RESULTS_BUCKET}/{FOLDER}"
        )),
        "{stdout}"
    );
    let local = std::fs::read(out_dir.join("report.json")).unwrap();
    assert_eq!(object(&moto, &format!("{FOLDER}report.json")).await, local);
    let local = std::fs::read(out_dir.join("report.md")).unwrap();
    assert_eq!(object(&moto, &format!("{FOLDER}report.md")).await, local);
}

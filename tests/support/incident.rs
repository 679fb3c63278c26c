//! A shared-incident bucket on moto, and IAM users whose access keys give
//! distinct STS identities, made through the real AWS SDK.

use drconsole::domain::environment::{Environment, IncidentSettings};
use drconsole::domain::incident::Layout;
use drconsole::sources::aws::{AwsOptions, IncidentClients, StaticCredentials, incident_clients};

use super::moto::{self, Moto};

/// The incident bucket the tests use.
pub const BUCKET: &str = "virtengine-dr-incidents";

/// The bucket's region: not the primary's.
pub const REGION: &str = "eu-west-1";

/// The moto environment with an `[incident]` table (its bucket not made).
pub fn environment_without_bucket(moto: &Moto) -> Environment {
    let mut env = moto::environment(moto);
    env.incident = Some(IncidentSettings {
        bucket: BUCKET.into(),
        region: REGION.into(),
        profile: None,
        layout: Layout::new("drconsole/incidents").unwrap(),
        lease: std::time::Duration::from_secs(30),
        poll: std::time::Duration::from_secs(1),
    });
    env
}

/// The moto environment with an `[incident]` table, the bucket created.
pub async fn environment(moto: &Moto) -> Environment {
    let env = environment_without_bucket(moto);
    let c = clients(&env, &moto::options(None)).await;
    let s3 = c.store.client().clone();
    s3.create_bucket()
        .bucket(BUCKET)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(REGION))
                .build(),
        )
        .send()
        .await
        .expect("create the incident bucket");
    env
}

/// The clients a test gets.
pub type Clients = IncidentClients;

/// The incident clients of `env` with `options`' credentials.
pub async fn clients(env: &Environment, options: &AwsOptions) -> IncidentClients {
    incident_clients(env, env.incident.as_ref().expect("[incident]"), options)
        .await
        .expect("incident clients")
}

/// A new IAM user `name` on moto and options signing with its own key.
pub async fn iam_user(moto: &Moto, name: &str) -> AwsOptions {
    let config = aws_sdk_iam::Config::builder()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(aws_sdk_iam::config::Region::new("us-east-1"))
        .endpoint_url(moto.endpoint())
        .credentials_provider(aws_sdk_iam::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .build();
    let iam = aws_sdk_iam::Client::from_conf(config);
    iam.create_user()
        .user_name(name)
        .send()
        .await
        .expect("create user");
    let key = iam
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .expect("create access key");
    let key = key.access_key().expect("a key");
    AwsOptions {
        credentials: Some(StaticCredentials {
            access_key_id: key.access_key_id().to_owned(),
            secret_access_key: key.secret_access_key().to_owned(),
        }),
        ..moto::options(None)
    }
}

/// The moto fixture's environment file pointed at `moto`, with an
/// `[incident]` table, written in `dir`: what the binary is given.
pub fn env_file(dir: &std::path::Path, moto: &Moto) -> std::path::PathBuf {
    let text = std::fs::read_to_string("tests/fixtures/env/moto.toml")
        .unwrap()
        .replace("http://127.0.0.1:5000", &moto.endpoint());
    let path = dir.join("prod.toml");
    std::fs::write(
        &path,
        format!("{text}\n[incident]\nbucket = \"{BUCKET}\"\nregion = \"{REGION}\"\n"),
    )
    .unwrap();
    path
}

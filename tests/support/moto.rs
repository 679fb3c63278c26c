//! A moto server per test, on 127.0.0.1 and a free port, plus seeding
//! helpers that go through the real AWS SDK.
//!
//! The interpreter comes from `DRCONSOLE_MOTO_PYTHON`, which `tests/run.sh`
//! sets after creating `tests/.venv`. Without it the tests fail: an AWS
//! adapter that was never run against anything must not look tested.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use aws_sdk_route53::types::{HealthCheckConfig, HealthCheckType, Tag, TagResourceType};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use drconsole::config::environment::parse_environment;
use drconsole::domain::environment::Environment;
use drconsole::sources::aws::{
    AwsClients, AwsOptions, CallCounter, RegionClients, StaticCredentials,
};
use futures_util::StreamExt;

const SETUP: &str = "run tests/run.sh to set up the moto venv";

/// The tag tests/moto/server.py reads to answer health checks unhealthy.
pub const HEALTH_TAG: &str = "drconsole-test-health";

/// A running moto server; killed when dropped.
pub struct Moto {
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    /// Port on 127.0.0.1.
    pub port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Moto {
    /// A moto server that accepts any credentials.
    pub fn start() -> Moto {
        Self::spawn(false)
    }

    /// A moto server that checks credentials against its own IAM, as AWS
    /// does: unknown keys are refused.
    pub fn start_with_auth() -> Moto {
        Self::spawn(true)
    }

    fn spawn(auth: bool) -> Moto {
        let python = std::env::var_os("DRCONSOLE_MOTO_PYTHON")
            .unwrap_or_else(|| panic!("DRCONSOLE_MOTO_PYTHON is not set: {SETUP}"));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/moto/server.py");
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("moto.log");
        let mut cmd = Command::new(&python);
        cmd.arg(&script).args(["--port", "0"]);
        if auth {
            cmd.arg("--require-auth");
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(File::create(&log).expect("log file"))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}; {SETUP}", python.display()));
        let stdin = child.stdin.take();
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout).read_line(&mut line).ok();
        let Some(port) = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse::<u16>().ok())
        else {
            let _ = child.kill();
            let _ = child.wait();
            let mut err = String::new();
            File::open(&log)
                .and_then(|mut f| f.read_to_string(&mut err))
                .ok();
            panic!("moto did not start ({SETUP}):\n{line}{err}");
        };
        let moto = Moto {
            child: Some(child),
            stdin,
            port,
            log,
            _dir: dir,
        };
        moto.reset();
        moto
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Forgets every resource (POST /moto-api/reset); also proves the
    /// server answers.
    pub fn reset(&self) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("moto answers");
        s.set_read_timeout(Some(Duration::from_secs(10))).ok();
        write!(
            s,
            "POST /moto-api/reset HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .expect("send reset");
        let mut reply = String::new();
        s.read_to_string(&mut reply).ok();
        assert!(reply.starts_with("HTTP/1.1 200"), "moto reset: {reply}");
    }

    /// Kills the server now, as an outage mid-run.
    pub fn stop(&mut self) {
        self.stdin.take();
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// What the server wrote to stderr.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The moto test environment (tests/fixtures/env/moto.toml) pointed at
/// `moto`, with its health-check ids cleared until seeding creates them.
pub fn environment(moto: &Moto) -> Environment {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/env/moto.toml");
    let text = std::fs::read_to_string(&path).expect("fixture");
    let mut env = parse_environment(&path, &text).unwrap_or_else(|e| panic!("{e}"));
    env.aws.endpoint_url = Some(moto.endpoint());
    for r in &mut env.regions {
        r.health_check_id = None;
    }
    env
}

/// Options with fixed test credentials, so nothing depends on the
/// machine's AWS setup (and nothing asks instance metadata).
pub fn options(counter: Option<CallCounter>) -> AwsOptions {
    AwsOptions {
        call_timeout: Duration::from_secs(5),
        counter,
        credentials: Some(StaticCredentials {
            access_key_id: "testing".into(),
            secret_access_key: "testing".into(),
        }),
    }
}

/// Clients for `env` with test credentials.
pub async fn clients(env: &Environment, counter: Option<CallCounter>) -> AwsClients {
    AwsClients::new(env, &options(counter))
        .await
        .expect("clients")
}

/// Creates a health check, tagged with `health` (see server.py) if given.
pub async fn create_health_check(c: &RegionClients, health: Option<&str>) -> String {
    let out = c
        .route53
        .create_health_check()
        .caller_reference(format!("drconsole-{}-{}", c.region, rand_suffix()))
        .health_check_config(
            HealthCheckConfig::builder()
                .r#type(HealthCheckType::Https)
                .fully_qualified_domain_name(format!("rpc.{}.example.com", c.region))
                .port(443)
                .resource_path("/health")
                .build()
                .expect("config"),
        )
        .send()
        .await
        .expect("create health check");
    let id = out.health_check().expect("health check").id().to_owned();
    if let Some(value) = health {
        c.route53
            .change_tags_for_resource()
            .resource_type(TagResourceType::Healthcheck)
            .resource_id(&id)
            .add_tags(Tag::builder().key(HEALTH_TAG).value(value).build())
            .send()
            .await
            .expect("tag health check");
    }
    id
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// Publishes one `VirtEngine/DR ReplicationLagSeconds` datapoint, now.
pub async fn put_lag(c: &RegionClients, seconds: f64) {
    c.cloudwatch
        .put_metric_data()
        .namespace("VirtEngine/DR")
        .metric_data(
            MetricDatum::builder()
                .metric_name("ReplicationLagSeconds")
                .dimensions(Dimension::builder().name("Region").value(&c.region).build())
                .value(seconds)
                .build(),
        )
        .send()
        .await
        .expect("put metric data");
}

/// Creates `bucket` in the client's region.
pub async fn create_bucket(c: &RegionClients, bucket: &str) {
    let mut req = c.s3.create_bucket().bucket(bucket);
    if c.region != "us-east-1" {
        req = req.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(c.region.as_str()))
                .build(),
        );
    }
    req.send().await.expect("create bucket");
}

/// Puts small objects under `keys`, 16 at a time.
pub async fn put_objects(c: &RegionClients, bucket: &str, keys: Vec<String>) {
    futures_util::stream::iter(keys)
        .map(|key| {
            let s3 = c.s3.clone();
            let bucket = bucket.to_owned();
            async move {
                s3.put_object()
                    .bucket(bucket)
                    .key(&key)
                    .body(ByteStream::from_static(b"backup"))
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("put {key}: {e:?}"));
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
}

/// Creates a secret called `name` (value irrelevant: never read back).
pub async fn create_secret(c: &RegionClients, name: &str) {
    c.secrets
        .create_secret()
        .name(name)
        .secret_string("not-a-real-passphrase")
        .send()
        .await
        .expect("create secret");
}

/// A healthy estate: every region's health check untagged, lag 12 s, one
/// backup of each kind, every passphrase secret present. Sets the health
/// check ids in `env`.
pub async fn seed_healthy(env: &mut Environment, clients: &AwsClients) {
    for r in &mut env.regions {
        let c = clients.region(&r.name).expect("region clients");
        r.health_check_id = Some(create_health_check(c, None).await);
        put_lag(c, 12.0).await;
        let mut buckets: Vec<&str> = r.backups.iter().map(|b| b.bucket.as_str()).collect();
        buckets.sort_unstable();
        buckets.dedup();
        for b in buckets {
            create_bucket(c, b).await;
        }
        for b in &r.backups {
            put_objects(
                c,
                &b.bucket,
                vec![format!("{}2026-11-26T02-00-00Z.tar.zst", b.prefix)],
            )
            .await;
        }
        for s in &r.secrets {
            create_secret(c, s).await;
        }
    }
}

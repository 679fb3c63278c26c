#![allow(clippy::unwrap_used)]

use super::*;
use crate::domain::environment::{MetricPurpose, SEED_NAMESPACE};
use crate::domain::estate::BackupKind;
use names::check_url;
use validators::DEFAULT_VOTING_POWER;

fn parse(text: &str) -> Result<Environment, String> {
    parse_environment(Path::new("e.toml"), text).map_err(|e| e.to_string())
}

const MINIMAL: &str = "environment = \"staging\"\n\
    [[region]]\nname = \"us-east-1\"\nrole = \"primary\"\nrpc = [\"http://10.0.0.1:26657\"]\n";

#[test]
fn urls_are_http_host_port() {
    for ok in [
        "http://127.0.0.1:26657",
        "https://rpc.example.net",
        "https://rpc.example.net/rpc/",
        "http://[::1]:26657",
        "http://localhost",
    ] {
        assert_eq!(check_url(ok), Ok(()), "{ok}");
    }
    for bad in [
        "127.0.0.1:26657",
        "tcp://1.2.3.4:26657",
        "http://",
        "http://host:0",
        "http://host:65536",
        "http://host:x",
        "http://u:p@host",
        "http://host/?a=b",
        "http://ho st",
        "http://host..x",
        "http://[zz]:1",
    ] {
        assert!(check_url(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_minimal_file_gets_the_seed_defaults() {
    let env = parse(MINIMAL).unwrap();
    assert!(!env.allow_live_actions);
    assert!(!env.spec.simulated);
    assert_eq!(env.spec.environment, "staging");
    assert_eq!(env.spec.targets, DEFAULT_TARGETS);
    assert_eq!(env.spec.poll, DEFAULT_POLL);
    assert_eq!(env.spec.backups.len(), 3);
    assert_eq!(env.spec.regions[0].rpc_nodes, ["http://10.0.0.1:26657"]);
    let r = &env.regions[0];
    assert_eq!(
        r.backup(BackupKind::Keys).unwrap().url(),
        "s3://virtengine-dr-backups-us-east-1/keys/"
    );
    assert_eq!(r.secrets, ["virtengine/dr/us-east-1/backup-passphrase"]);
    let lag = r.metric(MetricPurpose::ReplicationLag).unwrap();
    assert_eq!(lag.name, "ReplicationLagSeconds");
    assert_eq!(
        lag.dimensions,
        [("Region".to_owned(), "us-east-1".to_owned())]
    );
    assert_eq!(env.aws, AwsSettings::default());
}

#[test]
fn the_primary_comes_first_and_addresses_are_upper_case() {
    let text = "environment = \"x\"\n\
        [[region]]\nname = \"eu-west-1\"\nrole = \"secondary\"\nrpc = [\"http://b:1\"]\n\
        [[region]]\nname = \"us-east-1\"\nrole = \"primary\"\nrpc = [\"http://a:1\"]\n\
        [[validator]]\naddress = \"abcdef0123456789abcdef0123456789abcdef01\"\n\
        name = \"v\"\nregion = \"eu-west-1\"\n";
    let env = parse(text).unwrap();
    assert_eq!(env.spec.regions[0].name, "us-east-1");
    assert_eq!(env.regions[0].name, "us-east-1");
    let v = &env.spec.validators[0];
    assert_eq!(v.address, "ABCDEF0123456789ABCDEF0123456789ABCDEF01");
    assert_eq!(v.voting_power, DEFAULT_VOTING_POWER);
}

#[test]
fn user_metrics_keep_dimensions_and_infer_purpose() {
    let text = format!(
        "{MINIMAL}[[region.metric]]\nname = \"ReplicationLagSeconds\"\n\
         dimensions = {{ Region = \"us-east-1\", Cluster = \"crdb\" }}\n\
         [[region.metric]]\nnamespace = \"AWS/S3\"\nname = \"ReplicationLatency\"\n"
    );
    let env = parse(&text).unwrap();
    let m = &env.regions[0].metrics;
    assert_eq!(m[0].purpose, MetricPurpose::ReplicationLag);
    assert_eq!(m[0].namespace, SEED_NAMESPACE);
    assert_eq!(m[0].dimensions[0].0, "Cluster");
    assert_eq!(m[1].purpose, MetricPurpose::Other);
    assert!(m[1].dimensions.is_empty());
}

#[test]
fn an_incident_table_reads_with_its_defaults_and_without_one_there_is_none() {
    assert_eq!(parse(MINIMAL).unwrap().incident, None);
    let text = format!(
        "{MINIMAL}[incident]\nbucket = \"virtengine-dr-incidents\"\nregion = \"eu-west-1\"\n"
    );
    let i = parse(&text).unwrap().incident.unwrap();
    assert_eq!(
        (i.bucket.as_str(), i.region.as_str(), i.profile),
        ("virtengine-dr-incidents", "eu-west-1", None)
    );
    assert_eq!(
        (i.lease, i.poll),
        (Duration::from_secs(30), Duration::from_secs(1))
    );
    let id = crate::domain::incident::IncidentId::parse("inc-1").unwrap();
    assert_eq!(i.layout.lease(&id), "drconsole/incidents/inc-1/lease.json");
    let text = format!(
        "{MINIMAL}[incident]\nbucket = \"b-1\"\nregion = \"eu-west-1\"\nprefix = \"\"\nlease = \"10m\"\npoll = \"250ms\"\nprofile = \"dr\"\n"
    );
    let i = parse(&text).unwrap().incident.unwrap();
    assert_eq!(i.layout.lease(&id), "inc-1/lease.json");
    assert_eq!(
        (i.lease, i.poll),
        (Duration::from_mins(10), Duration::from_millis(250))
    );
    assert_eq!(i.profile.as_deref(), Some("dr"));
}

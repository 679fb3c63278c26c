//! The environment file's shipped starter and its loaders. The resolved
//! [`Environment`] itself is a domain type ([`crate::domain::environment`]).

pub use super::environment_file::{load_environment, parse_environment};

/// The text of [`starter_template`], for tables of shipped files.
pub(super) const STARTER: &str = include_str!("env-starter.toml");

/// A commented environment file for the seed's three-region estate, with
/// placeholder health-check ids and validator addresses that still parse:
/// what `drconsole env init` prints for an operator to fill in.
#[must_use]
pub fn starter_template() -> &'static str {
    STARTER
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use super::*;
    use crate::domain::environment::{MetricPurpose, SEED_NAMESPACE};
    use crate::domain::estate::{EstateSpec, RegionRole};

    #[test]
    fn the_starter_parses_and_matches_the_seed() {
        let env = parse_environment(Path::new("env-starter.toml"), starter_template())
            .unwrap_or_else(|e| panic!("{e}"));
        let seed = EstateSpec::seed();
        assert_eq!(env.spec.environment, "prod");
        assert_eq!(env.spec.chain_id.as_deref(), Some("virtengine-1"));
        assert!(!env.spec.simulated);
        assert!(!env.allow_live_actions);
        let layout: Vec<(&str, RegionRole, usize)> = env
            .spec
            .regions
            .iter()
            .map(|r| {
                let n = env
                    .spec
                    .validators
                    .iter()
                    .filter(|v| v.region == r.name)
                    .count();
                (r.name.as_str(), r.role, n)
            })
            .collect();
        assert_eq!(
            layout,
            [
                ("us-east-1", RegionRole::Primary, 3),
                ("eu-west-1", RegionRole::Secondary, 2),
                ("ap-southeast-1", RegionRole::Tertiary, 2),
            ]
        );
        assert_eq!(env.spec.validators.len(), 7);
        assert_eq!(env.spec.targets, seed.targets);
        assert_eq!(env.spec.backups, seed.backups);
        assert_eq!(env.spec.poll.chain, Duration::from_secs(5));
        for r in &env.regions {
            assert_eq!(r.backups.len(), 3, "{}", r.name);
            assert!(
                r.backups
                    .iter()
                    .all(|b| b.bucket == format!("virtengine-dr-backups-{}", r.name))
            );
            assert_eq!(
                r.secrets,
                [format!("virtengine/dr/{}/backup-passphrase", r.name)]
            );
            for purpose in [
                MetricPurpose::ReplicationLag,
                MetricPurpose::BackupAge,
                MetricPurpose::FailoverDuration,
            ] {
                let m = r.metric(purpose).unwrap();
                assert_eq!(m.namespace, SEED_NAMESPACE);
                assert_eq!(m.dimensions, [("Region".to_owned(), r.name.clone())]);
            }
            assert_eq!(r.rpc.len(), 2);
            let traffic = r.traffic.as_ref().map(|t| t.set_identifier.as_str());
            let role = r
                .metric(MetricPurpose::DatabaseRole)
                .map(|m| m.name.as_str());
            if r.name == "us-east-1" {
                assert_eq!(traffic, Some("us-east-1"));
                assert_eq!(role, Some("DatabaseIsPrimary"));
            } else {
                assert_eq!((traffic, role), (None, None), "{}", r.name);
            }
        }
    }
}

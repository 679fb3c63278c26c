//! What the simulated sources report: the same [`Observation`]s the real
//! Route53, CloudWatch, S3 and CometBFT adapters produce.

use super::chain::WINDOW;
use super::{CHAIN_ID, SimEstate};
use crate::domain::observation::{
    ChainStatus, DatabaseRole, EndpointHead, HealthStatus, NodeStatus, Observation, RegionTopology,
    SecretInfo, ValidatorStatus,
};
use crate::domain::time::Timestamp;

/// When the simulated passphrase secrets were last rotated (2026-01-15):
/// fixed, so it does not drift with the virtual clock.
const SECRETS_ROTATED: Timestamp = Timestamp::from_secs(1_768_435_200);

/// Route53 runs this many health checkers per check.
const CHECKERS: u32 = 8;

impl SimEstate {
    /// What every source would report right now: per region its health,
    /// replication lag, newest backup of each kind and each RPC node, then
    /// one chain observation.
    #[must_use]
    pub fn observe(&self) -> Vec<Observation> {
        let components = self.components();
        let mut out = Vec::new();
        for (i, spec) in self.spec.regions.iter().enumerate() {
            let region = || spec.name.clone();
            let down = self.is_down(i);
            let healthy = !down && !self.health_failed(i);
            out.push(Observation::Health {
                region: region(),
                result: Ok(HealthStatus {
                    healthy,
                    checkers_ok: if healthy { CHECKERS } else { 0 },
                    checkers_total: CHECKERS,
                }),
            });
            out.push(Observation::ReplicationLag {
                region: region(),
                result: if down {
                    Err(format!(
                        "CloudWatch GetMetricData VirtEngine/DR/ReplicationLagSeconds in {}: request timed out",
                        spec.name
                    ))
                } else {
                    Ok(self.lag(i))
                },
            });
            for track in self.backups.iter().filter(|b| b.region == i) {
                out.push(Observation::NewestBackup {
                    region: region(),
                    kind: track.kind,
                    result: if down {
                        Err(format!(
                            "S3 ListObjectsV2 s3://virtengine-dr-backups-{}/: connection timed out",
                            spec.name
                        ))
                    } else {
                        Ok(track.newest)
                    },
                });
            }
            for name in &spec.secrets {
                out.push(Observation::Secret {
                    region: region(),
                    name: name.clone(),
                    result: if down {
                        Err(format!(
                            "Secrets Manager DescribeSecret {name}: connection timed out"
                        ))
                    } else {
                        Ok(Some(SecretInfo {
                            last_changed: Some(SECRETS_ROTATED),
                        }))
                    },
                });
            }
            out.push(Observation::Topology {
                region: region(),
                result: if down {
                    Err(format!(
                        "CloudWatch GetMetricData VirtEngine/DR/DatabaseRole in {}: request timed out",
                        spec.name
                    ))
                } else {
                    Ok(RegionTopology {
                        database: Some(if i == self.db_primary {
                            DatabaseRole::Primary
                        } else {
                            DatabaseRole::Replica
                        }),
                        traffic_weight: Some(
                            if self.regions.get(i).is_some_and(|r| r.serving) { 100 } else { 0 },
                        ),
                        health_check_inverted: Some(false),
                        unread: Vec::new(),
                    })
                },
            });
            for (n, node) in spec.rpc_nodes.iter().enumerate() {
                out.push(Observation::Node {
                    region: region(),
                    node: node.clone(),
                    result: if down {
                        Err("request timed out after 5s".to_owned())
                    } else {
                        Ok(self.node_status(i, n, &components))
                    },
                });
            }
        }
        out.push(Observation::Chain {
            result: self.chain_status(),
        });
        // Only the console's own runbooks rotate keys in the simulated estate.
        out.extend(self.rotations.iter().cloned().map(Observation::KeyRotated));
        out
    }

    fn node_status(&self, i: usize, n: usize, components: &[Option<usize>]) -> NodeStatus {
        let tip = self.chain.height();
        let Some(r) = self.regions.get(i) else {
            return NodeStatus {
                height: 0,
                catching_up: true,
                peers: 0,
                latest_block_time: self.now,
            };
        };
        let mine = components.get(i).copied().flatten();
        // Behind but able to reach the tip: the node knows it is syncing.
        // Cut off on a minority side, it does not: it just sees no blocks.
        let tip_reachable = self
            .regions
            .iter()
            .zip(components)
            .any(|(o, c)| o.height == tip && c.is_some() && *c == mine);
        let catching_up = self.now < r.ready_at || (r.height < tip && tip_reachable);
        let reachable: u32 = components
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_some() && **c == mine)
            .map(|(j, _)| self.nodes_in(j))
            .sum();
        NodeStatus {
            height: r.height,
            catching_up,
            peers: reachable.saturating_sub(1) + r.peer_extra.get(n).copied().unwrap_or(0),
            latest_block_time: self.chain.time_of(r.height),
        }
    }

    /// Nodes a peer can connect to in region `j`: its RPC nodes and its
    /// running, online validators.
    fn nodes_in(&self, j: usize) -> u32 {
        let rpc = self.spec.regions.get(j).map_or(0, |r| r.rpc_nodes.len());
        let running = self.regions.get(j).is_some_and(|r| r.validators_running);
        let validators = self
            .spec
            .validators
            .iter()
            .zip(&self.validator_region)
            .filter(|(v, r)| running && **r == Some(j) && !self.validator_offline(v))
            .count();
        u32::try_from(rpc + validators).unwrap_or(u32::MAX)
    }

    fn chain_status(&self) -> Result<ChainStatus, String> {
        let any_up = (0..self.regions.len()).any(|i| {
            !self.is_down(i)
                && self
                    .spec
                    .regions
                    .get(i)
                    .is_some_and(|r| !r.rpc_nodes.is_empty())
        });
        if !any_up {
            return Err("no RPC node answered: every region is unreachable".to_owned());
        }
        let components = self.components();
        Ok(ChainStatus {
            chain_id: CHAIN_ID.to_owned(),
            height: self.chain.height(),
            latest_block_time: self.chain.latest_time(),
            avg_block_time: self.chain.avg_block_time(),
            disagreement: None,
            heads: self
                .spec
                .regions
                .iter()
                .enumerate()
                .filter(|(i, _)| !self.is_down(*i))
                .flat_map(|(i, r)| {
                    let height = self.regions.get(i).map_or(0, |s| s.height);
                    r.rpc_nodes.iter().map(move |n| EndpointHead {
                        endpoint: n.clone(),
                        region: r.name.clone(),
                        validator: None,
                        chain_id: CHAIN_ID.to_owned(),
                        height,
                        block_hash: self.chain.block_hash(height),
                    })
                })
                .collect(),
            validators: self
                .spec
                .validators
                .iter()
                .enumerate()
                .map(|(i, v)| ValidatorStatus {
                    address: self
                        .keys
                        .get(i)
                        .map_or_else(|| v.address.clone(), |k| k.address.clone()),
                    voting_power: v.voting_power,
                    signed_latest: self.chain.signed_latest(i),
                    missed_recent: self.chain.missed(i),
                    window: WINDOW,
                    last_signed_height: self.chain.last_signed(i),
                    signs_in: self
                        .key_region(i, &components)
                        .map(|r| self.region_name(r).to_owned()),
                })
                .collect(),
        })
    }
}

//! Cross-checking the endpoints of a region, so a split view (heights far
//! apart, different validator sets or blocks at one height) is shown rather
//! than silently picking a side.

use std::collections::BTreeMap;

use super::{Answer, Endpoint};

/// Height spread tolerated between in-sync endpoints: one or two blocks is
/// propagation, more means a node is stuck or on another fork.
const HEIGHT_TOLERANCE: u64 = 2;

/// Why the answering endpoints disagree, naming them; `None` if they agree.
/// Nodes still catching up are expected to lag, so only in-sync nodes are
/// compared by height, while every node is compared at a shared height.
pub(super) fn disagreement(answered: &[(&Endpoint, &Answer)]) -> Option<String> {
    let mut problems = Vec::new();

    let in_sync: Vec<_> = answered
        .iter()
        .filter(|(_, a)| !a.status.catching_up)
        .collect();
    let heights = in_sync.iter().map(|(_, a)| a.status.height);
    if let (Some(lo), Some(hi)) = (heights.clone().min(), heights.max())
        && hi - lo > HEIGHT_TOLERANCE
    {
        let list = in_sync
            .iter()
            .map(|(e, a)| format!("{} at {}", e.url, a.status.height))
            .collect::<Vec<_>>()
            .join(", ");
        problems.push(format!("heights differ by {} blocks: {list}", hi - lo));
    }

    let mut by_height: BTreeMap<u64, Vec<(&Endpoint, &Answer)>> = BTreeMap::new();
    for (e, a) in answered {
        by_height.entry(a.status.height).or_default().push((e, a));
    }
    for (height, group) in &by_height {
        problems.extend(differing(*height, "validator sets", group, |a| {
            &a.validators_hash
        }));
        problems.extend(differing(*height, "blocks", group, |a| &a.block_hash));
    }

    (!problems.is_empty()).then(|| problems.join("; "))
}

/// "different WHAT at height H: URL has HASH, ..." when the endpoints in
/// `group` (all at `height`) report different `hash`es.
fn differing(
    height: u64,
    what: &str,
    group: &[(&Endpoint, &Answer)],
    hash: fn(&Answer) -> &String,
) -> Option<String> {
    let first = hash(group.first()?.1);
    if group.iter().all(|(_, a)| hash(a) == first) {
        return None;
    }
    let list = group
        .iter()
        .map(|(e, a)| {
            let h = hash(a);
            format!("{} has {}", e.url, &h[..h.len().min(12)])
        })
        .collect::<Vec<_>>()
        .join(", ");
    Some(format!("different {what} at height {height}: {list}"))
}

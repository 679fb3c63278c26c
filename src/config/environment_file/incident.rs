//! The `[incident]` table: where shared incidents live.

use std::time::Duration;

use super::names::{validate_bucket, validate_profile, validate_region_name};
use super::shape::IncidentFile;
use super::{Broken, duration};
use crate::domain::duration::bounds::{INCIDENT_LEASE, INCIDENT_POLL};
use crate::domain::environment::IncidentSettings;
use crate::domain::incident::Layout;

/// The prefix incidents go under unless the file says otherwise.
pub const DEFAULT_PREFIX: &str = "drconsole/incidents";

/// A driver's lease unless the file says otherwise: a dead driver holds
/// the run for at most half a minute.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

/// A follower's poll unless the file says otherwise: a second, well within
/// the two seconds a follower may lag the driver.
pub const DEFAULT_POLL: Duration = Duration::from_secs(1);

/// The table checked.
pub(super) fn incident_settings(t: &IncidentFile) -> Result<IncidentSettings, Broken> {
    validate_bucket(&t.bucket)?;
    validate_region_name(&t.region)?;
    validate_profile(t.profile.as_ref())?;
    let layout = match &t.prefix {
        Some(p) => Layout::new(p.get_ref()).map_err(|e| (p.span(), e.to_string()))?,
        None => Layout::new(DEFAULT_PREFIX).map_err(|e| (0..0, e.to_string()))?,
    };
    Ok(IncidentSettings {
        bucket: t.bucket.get_ref().clone(),
        region: t.region.get_ref().clone(),
        profile: t.profile.as_ref().map(|p| p.get_ref().clone()),
        layout,
        lease: duration(
            "incident.lease",
            t.lease.as_ref(),
            DEFAULT_LEASE,
            INCIDENT_LEASE,
        )?,
        poll: duration(
            "incident.poll",
            t.poll.as_ref(),
            DEFAULT_POLL,
            INCIDENT_POLL,
        )?,
    })
}

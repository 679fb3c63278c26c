//! Who the console runs as: the STS caller identity of its credentials,
//! and the login and host name of its terminal.

use aws_sdk_sts::Client;

use super::error::describe;
use crate::domain::journal::Author;

/// The author of this console's entries: `GetCallerIdentity`'s ARN (the
/// one thing the credentials prove), the login (`$USER`, else `$LOGNAME`,
/// else the uid) and the host name.
///
/// # Errors
/// STS did not answer: without an identity a console does not write to a
/// shared incident.
pub async fn caller(sts: &Client, region: &str) -> Result<Author, String> {
    let who = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| describe("GetCallerIdentity", region, &e))?;
    let arn = who
        .arn()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| format!("GetCallerIdentity {region}: the answer names no ARN"))?;
    Ok(Author {
        arn: arn.to_owned(),
        user: login(),
        host: host(),
    })
}

/// The operating-system login.
#[must_use]
pub fn login() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| format!("uid-{}", rustix::process::getuid().as_raw()))
}

/// The host name (`uname`'s node name).
#[must_use]
pub fn host() -> String {
    let name = rustix::system::uname();
    let node = name.nodename().to_string_lossy();
    if node.is_empty() {
        "unknown-host".to_owned()
    } else {
        node.into_owned()
    }
}

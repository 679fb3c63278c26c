//! Reads one secret's value for a notification channel (Slack's webhook
//! URL, PagerDuty's routing key). Unlike [`super::SecretsSource`], which
//! only describes the backup passphrase secrets, this calls
//! `GetSecretValue`: the value has to be sent. It is held in a
//! [`Zeroizing`] string for the length of one request and never printed:
//! every message names the secret and the region, not what it holds.

use zeroize::Zeroizing;

use super::AwsClients;
use super::error::describe;

/// The string of secret `id`, tried in `regions` in order until one
/// answers, so a secret replicated to every region still reads while one
/// region is down.
///
/// # Errors
/// Every region's failure, each named, or a secret with no string (binary).
pub async fn read_secret_string(
    clients: &AwsClients,
    id: &str,
    regions: &[&str],
) -> Result<Zeroizing<String>, String> {
    let mut failures = Vec::new();
    for region in regions {
        let Some(c) = clients.region(region) else {
            failures.push(format!("{region}: no clients for this region"));
            continue;
        };
        match c.secrets.get_secret_value().secret_id(id).send().await {
            Ok(out) => match out.secret_string {
                Some(s) => {
                    let s = Zeroizing::new(s);
                    return Ok(Zeroizing::new(s.trim().to_owned()));
                }
                None => failures.push(format!(
                    "GetSecretValue {region}: secret {id} holds binary data, expected a string"
                )),
            },
            Err(e) => failures.push(describe("GetSecretValue", region, &e)),
        }
    }
    if failures.is_empty() {
        failures.push("no region to read it in".to_owned());
    }
    Err(failures.join("; "))
}

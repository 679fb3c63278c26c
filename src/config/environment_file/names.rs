//! Names and addresses an environment file gives, each checked by the
//! rules of the system it names (AWS, S3, Route53, Secrets Manager, HTTP),
//! so a typo fails at load rather than as a puzzling error mid-incident.

use toml::Spanned;

use super::Broken;

/// The environment's name: shown in the header and every gate.
pub(super) fn validate_environment_name(name: &Spanned<String>) -> Result<(), Broken> {
    let n = name.get_ref();
    let ok = !n.is_empty()
        && n.len() <= 64
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        return Ok(());
    }
    Err((
        name.span(),
        format!(
            "bad environment name \"{n}\", expected letters, digits, \"-\" and \"_\" \
             (e.g. prod or staging)"
        ),
    ))
}

/// The longest chain id CometBFT accepts in a genesis file.
const MAX_CHAIN_ID_BYTES: usize = 50;

/// The chain id every endpoint must serve: what CometBFT itself accepts
/// (at most 50 bytes), and printable ASCII so it reads the same on every
/// screen and cannot carry terminal controls into the header.
pub(super) fn validate_chain_id(id: &Spanned<String>) -> Result<(), Broken> {
    let n = id.get_ref();
    let why = if n.is_empty() {
        Some("it is empty".to_owned())
    } else if n.len() > MAX_CHAIN_ID_BYTES {
        Some(format!("{} bytes, at most {MAX_CHAIN_ID_BYTES}", n.len()))
    } else if !n.bytes().all(|b| b.is_ascii_graphic()) {
        Some("not printable ASCII without spaces".to_owned())
    } else {
        None
    };
    match why {
        None => Ok(()),
        Some(why) => Err((
            id.span(),
            format!(
                "bad chain_id \"{}\" ({why}), expected the chain id of the genesis file \
                 (e.g. virtengine-1)",
                crate::text::printable_within(n, 64)
            ),
        )),
    }
}

/// AWS region names are lowercase words and digits joined by `-`; the name
/// also ends up in bucket names and metric dimensions.
pub(super) fn validate_region_name(name: &Spanned<String>) -> Result<(), Broken> {
    let n = name.get_ref();
    let ok = !n.is_empty()
        && n.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if ok {
        return Ok(());
    }
    Err((
        name.span(),
        format!("bad region name \"{n}\", expected an AWS region name such as us-east-1"),
    ))
}

/// Checks `http(s)://host[:port][/path]`: no credentials, query or fragment,
/// since the file is shared and the console adds its own paths.
pub(super) fn validate_url(what: &str, url: &Spanned<String>) -> Result<(), Broken> {
    check_url(url.get_ref()).map_err(|why| {
        (
            url.span(),
            format!(
                "bad {what} \"{}\" ({why}), expected http://host[:port] or https://host[:port]",
                url.get_ref()
            ),
        )
    })
}

/// Why `url` is not `http(s)://host[:port][/path]`, if it is not.
pub(super) fn check_url(url: &str) -> Result<(), &'static str> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or("scheme is not http or https")?;
    let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
    if authority.contains('@') {
        return Err("credentials do not belong in the file");
    }
    if path.contains(['?', '#']) {
        return Err("no query or fragment allowed");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("contains spaces");
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (addr, after) = v6.split_once(']').ok_or("unclosed [")?;
        if addr.is_empty() || !addr.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return Err("bad IPv6 address");
        }
        match after {
            "" => (addr, None),
            p => (addr, Some(p.strip_prefix(':').ok_or("junk after ]")?)),
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let host_ok = authority.starts_with('[')
        || (!host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            }));
    if !host_ok {
        return Err("bad host");
    }
    if let Some(p) = port {
        let n: Option<u16> = p
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| p.parse().ok())
            .flatten();
        if n.is_none_or(|n| n == 0) {
            return Err("port is not 1 to 65535");
        }
    }
    Ok(())
}

/// S3's own rules, so a typo fails here rather than as AccessDenied at 3 a.m.
/// A region's or the incident bucket's `profile`: a name, or no key at all
/// for the default credential chain (an empty one is a typo).
pub(super) fn validate_profile(profile: Option<&Spanned<String>>) -> Result<(), Broken> {
    match profile {
        Some(p) if p.get_ref().trim().is_empty() => Err((
            p.span(),
            "empty profile, expected an AWS profile name or no profile key \
             for the default credential chain"
                .to_owned(),
        )),
        _ => Ok(()),
    }
}

pub(super) fn validate_bucket(bucket: &Spanned<String>) -> Result<(), Broken> {
    let b = bucket.get_ref();
    let edge_ok = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let ok = (3..=63).contains(&b.len())
        && b.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.')
        && edge_ok(b.bytes().next())
        && edge_ok(b.bytes().last());
    if ok {
        return Ok(());
    }
    Err((
        bucket.span(),
        format!(
            "bad S3 bucket name \"{b}\", expected 3 to 63 lowercase letters, digits, \
             \"-\" and \".\" (e.g. virtengine-dr-backups-us-east-1)"
        ),
    ))
}

/// Route53 health check ids are UUIDs; anything else (a name, an ARN) is
/// a paste from the wrong column of the console.
pub(super) fn validate_health_check_id(id: &Spanned<String>) -> Result<(), Broken> {
    let s = id.get_ref();
    let groups: Vec<&str> = s.split('-').collect();
    let ok = groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()));
    if ok {
        return Ok(());
    }
    Err((
        id.span(),
        format!(
            "bad health_check_id \"{s}\", expected a Route53 health check id such as \
             \"0b5e3c2a-1f4d-4c8e-9a7b-2d6f8e1c3a5b\""
        ),
    ))
}

/// Secrets Manager's own character set for names.
pub(super) fn validate_secret_name(secret: &Spanned<String>) -> Result<(), Broken> {
    let s = secret.get_ref();
    let ok = !s.is_empty()
        && s.len() <= 512
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_+=.@-".contains(&b));
    if ok {
        return Ok(());
    }
    Err((
        secret.span(),
        format!(
            "bad secret name \"{s}\", expected a Secrets Manager name of letters, digits \
             and /_+=.@- (e.g. virtengine/dr/us-east-1/backup-passphrase)"
        ),
    ))
}

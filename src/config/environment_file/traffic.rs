//! A region's `[region.traffic]`: the weighted Route53 record behind its
//! traffic, each part checked by Route53's own rules so a typo fails at
//! load, not as "no such record" in the middle of a failover.

use toml::Spanned;

use super::Broken;
use super::shape::TrafficFile;
use crate::domain::environment::TrafficRecord;
use crate::text::printable_within;

/// Record types a weighted routing record for an RPC or API endpoint has.
const RECORD_TYPES: [&str; 3] = ["A", "AAAA", "CNAME"];

/// The checked record of region `region`.
pub(super) fn traffic_record(region: &str, t: &TrafficFile) -> Result<TrafficRecord, Broken> {
    let zone = t.hosted_zone_id.get_ref();
    let zone_ok = !zone.is_empty()
        && zone.len() <= 32
        && zone
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !zone_ok {
        return Err(bad(
            &t.hosted_zone_id,
            "hosted_zone_id",
            "upper-case letters and digits such as Z0123456789ABCDEFGHIJ",
        ));
    }
    let name = dns_name(&t.record_name)?;
    let record_type = match &t.record_type {
        None => "A".to_owned(),
        Some(ty) if RECORD_TYPES.contains(&ty.get_ref().as_str()) => ty.get_ref().clone(),
        Some(ty) => return Err(bad(ty, "record_type", "A, AAAA or CNAME")),
    };
    let set_identifier = match &t.set_identifier {
        None => region.to_owned(),
        Some(id) => {
            let v = id.get_ref();
            let ok =
                !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| (b' '..=b'~').contains(&b));
            if !ok {
                return Err(bad(
                    id,
                    "set_identifier",
                    "1 to 128 printable characters, as the weighted record names it",
                ));
            }
            v.clone()
        }
    };
    Ok(TrafficRecord {
        hosted_zone_id: zone.clone(),
        record_name: name,
        record_type,
        set_identifier,
    })
}

/// A DNS name as Route53 lists it: lower case, without the final dot;
/// labels of 1 to 63 letters, digits, `-` or `_`, 253 bytes in all.
fn dns_name(value: &Spanned<String>) -> Result<String, Broken> {
    let v = value.get_ref();
    let name = v.strip_suffix('.').unwrap_or(v).to_ascii_lowercase();
    let ok = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if ok {
        Ok(name)
    } else {
        Err(bad(
            value,
            "record_name",
            "a DNS name such as rpc.virtengine.example.com",
        ))
    }
}

fn bad(value: &Spanned<String>, key: &str, expected: &str) -> Broken {
    (
        value.span(),
        format!(
            "bad {key} \"{}\", expected {expected}",
            printable_within(value.get_ref(), 64)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(zone: &str, name: &str, ty: Option<&str>, id: Option<&str>) -> TrafficFile {
        let s = |v: &str| Spanned::new(0..1, v.to_owned());
        TrafficFile {
            hosted_zone_id: s(zone),
            record_name: s(name),
            record_type: ty.map(s),
            set_identifier: id.map(s),
        }
    }

    #[test]
    fn defaults_and_normal_form() {
        let r = traffic_record("eu-west-1", &file("Z12AB", "RPC.Example.COM.", None, None))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (
                r.record_name.as_str(),
                r.record_type.as_str(),
                r.set_identifier.as_str()
            ),
            ("rpc.example.com", "A", "eu-west-1")
        );
    }

    #[test]
    fn each_bad_part_is_named() {
        let msg = |f: TrafficFile| {
            traffic_record("r", &f)
                .err()
                .map(|e| e.1)
                .unwrap_or_default()
        };
        assert!(msg(file("z12", "a.b", None, None)).starts_with("bad hosted_zone_id \"z12\""));
        assert!(msg(file("Z1", "a..b", None, None)).starts_with("bad record_name \"a..b\""));
        assert!(msg(file("Z1", &"a".repeat(64), None, None)).starts_with("bad record_name"));
        assert!(msg(file("Z1", "a.b", Some("MX"), None)).starts_with("bad record_type \"MX\""));
        assert!(msg(file("Z1", "a.b", None, Some("a\u{1b}b"))).contains("a\\x1bb"));
        assert!(msg(file("Z1", "a.b", None, Some(""))).starts_with("bad set_identifier"));
    }
}

//! The `[[validator]]` list: which region each consensus key signs from.

use std::collections::HashMap;

use super::shape::{RegionFile, ValidatorFile};
use super::{Broken, line_of};
use crate::domain::estate::ValidatorSpec;

/// Voting power of a validator whose file entry gives none.
pub(super) const DEFAULT_VOTING_POWER: u64 = 10;

/// Validators: each in a declared region, address and name unique.
pub(super) fn validators(
    text: &str,
    list: &[ValidatorFile],
    regions: &[RegionFile],
) -> Result<Vec<ValidatorSpec>, Broken> {
    let mut by_address: HashMap<String, usize> = HashMap::new();
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::new();
    for v in list {
        let address = v.address.get_ref();
        if address.len() != 40 || !address.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err((
                v.address.span(),
                format!(
                    "bad validator address \"{address}\", expected 40 hex digits \
                     as CometBFT prints it"
                ),
            ));
        }
        let upper = address.to_ascii_uppercase();
        if let Some(&first) = by_address.get(&upper) {
            return Err((
                v.address.span(),
                format!(
                    "validator address {address} is already mapped on line {} \
                     (addresses ignore case), expected each address once",
                    line_of(text, first)
                ),
            ));
        }
        by_address.insert(upper.clone(), v.address.span().start);

        let name = v.name.get_ref();
        if name.trim().is_empty() {
            return Err((
                v.name.span(),
                "empty validator name, expected the operator's name for it".to_owned(),
            ));
        }
        if let Some(&first) = by_name.get(name.as_str()) {
            return Err((
                v.name.span(),
                format!(
                    "validator name \"{name}\" is already used on line {}, \
                     expected each name once",
                    line_of(text, first)
                ),
            ));
        }
        by_name.insert(name, v.name.span().start);

        let region = v.region.get_ref();
        if !regions.iter().any(|r| r.name.get_ref() == region) {
            let declared: Vec<&str> = regions.iter().map(|r| r.name.get_ref().as_str()).collect();
            return Err((
                v.region.span(),
                format!(
                    "validator \"{name}\" is in undeclared region \"{region}\", \
                     expected one of: {}",
                    declared.join(", ")
                ),
            ));
        }
        let voting_power = match &v.voting_power {
            None => DEFAULT_VOTING_POWER,
            Some(p) if *p.get_ref() == 0 => {
                return Err((
                    p.span(),
                    format!(
                        "validator \"{name}\" has voting_power 0, \
                         expected more than zero (or leave it out for {DEFAULT_VOTING_POWER})"
                    ),
                ));
            }
            Some(p) => *p.get_ref(),
        };
        out.push(ValidatorSpec {
            address: upper,
            name: name.clone(),
            region: region.clone(),
            voting_power,
        });
    }
    Ok(out)
}

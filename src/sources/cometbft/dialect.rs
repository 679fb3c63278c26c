//! Which RPC dialect a node speaks, read from its `/status` version.
//!
//! `tendermint-rpc` only knows 0.34, 0.37 and 0.38 and rejects CometBFT 1.x,
//! whose RPC is 0.38's; so the console decides the dialect itself.

use std::fmt;

use tendermint_rpc::client::CompatMode;

/// An RPC wire dialect that `tendermint-rpc` can decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Tendermint / CometBFT 0.34.
    V0_34,
    /// CometBFT 0.37.
    V0_37,
    /// CometBFT 0.38, and 1.x, which kept 0.38's RPC.
    V0_38,
}

impl Dialect {
    /// The client mode that decodes this dialect.
    #[must_use]
    pub const fn compat_mode(self) -> CompatMode {
        match self {
            Dialect::V0_34 => CompatMode::V0_34,
            Dialect::V0_37 => CompatMode::V0_37,
            Dialect::V0_38 => CompatMode::V0_38,
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dialect::V0_34 => "0.34",
            Dialect::V0_37 => "0.37",
            Dialect::V0_38 => "0.38",
        })
    }
}

/// The dialect of a node reporting `version` in `/status` `node_info.version`
/// (`0.34.21`, `v0.37.0-alpha.3`, `0.38.12`, `1.0.1`).
///
/// # Errors
/// When the version is not `MAJOR.MINOR...` or names a release whose RPC the
/// console cannot decode; the message quotes the version.
pub fn dialect_of(version: &str) -> Result<Dialect, String> {
    let unsupported =
        || format!("unsupported CometBFT version {version:?} (expected 0.34, 0.37, 0.38 or 1.x)");
    let trimmed = version.trim();
    let bare = trimmed.strip_prefix('v').unwrap_or(trimmed);
    let mut parts = bare.split(['.', '-', '+']);
    let major = parts.next().and_then(|p| p.parse::<u64>().ok());
    let minor = parts.next().and_then(|p| p.parse::<u64>().ok());
    match (major, minor) {
        (Some(0), Some(34)) => Ok(Dialect::V0_34),
        (Some(0), Some(37)) => Ok(Dialect::V0_37),
        (Some(0), Some(38)) | (Some(1), Some(_)) => Ok(Dialect::V0_38),
        _ => Err(unsupported()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_releases_map_to_their_dialect() {
        assert_eq!(dialect_of("0.34.21"), Ok(Dialect::V0_34));
        assert_eq!(dialect_of("v0.34.29"), Ok(Dialect::V0_34));
        assert_eq!(dialect_of("0.37.0-alpha.3"), Ok(Dialect::V0_37));
        assert_eq!(dialect_of("0.38.0-alpha.1"), Ok(Dialect::V0_38));
        assert_eq!(dialect_of("0.38.17"), Ok(Dialect::V0_38));
    }

    #[test]
    fn one_x_speaks_0_38() {
        assert_eq!(dialect_of("1.0.0"), Ok(Dialect::V0_38));
        assert_eq!(dialect_of("v1.0.1"), Ok(Dialect::V0_38));
        assert_eq!(dialect_of("1.2.0-rc1"), Ok(Dialect::V0_38));
    }

    #[test]
    fn other_versions_are_refused_with_the_version_quoted() {
        for bad in ["0.33.9", "0.39.0", "2.0.0", "", "poobah", "1", "0.x.1"] {
            let err = dialect_of(bad).expect_err(bad);
            assert!(err.contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn dialect_maps_to_client_mode() {
        assert_eq!(Dialect::V0_34.compat_mode(), CompatMode::V0_34);
        assert_eq!(Dialect::V0_37.compat_mode(), CompatMode::V0_37);
        assert_eq!(Dialect::V0_38.compat_mode(), CompatMode::V0_38);
        assert_eq!(Dialect::V0_38.to_string(), "0.38");
    }
}

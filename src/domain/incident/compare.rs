//! Two copies of one journal, side by side: the driver's file and the
//! shared copy in S3. Whoever can rewrite one copy (and its head file)
//! can forge a consistent chain there, but not in the other copy too.

use crate::domain::journal::Entry;

/// How one sequence number differs between the copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DifferenceKind {
    /// The local journal has it, the shared one does not.
    OnlyLocal,
    /// The shared journal has it, the local one does not.
    OnlyShared,
    /// Both have it, with different contents.
    Differs {
        /// The local entry's hash.
        local: String,
        /// The shared entry's hash.
        shared: String,
    },
}

/// One difference, by sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The entry's sequence number.
    pub seq: u64,
    /// How it differs.
    pub kind: DifferenceKind,
}

impl Difference {
    /// The operator's sentence for it.
    #[must_use]
    pub fn describe(&self) -> String {
        match &self.kind {
            DifferenceKind::OnlyLocal => {
                format!("entry {}: in the local journal only", self.seq)
            }
            DifferenceKind::OnlyShared => {
                format!("entry {}: in the shared journal only", self.seq)
            }
            DifferenceKind::Differs { local, shared } => format!(
                "entry {}: differs (local {}…, shared {}…)",
                self.seq,
                local.get(..12).unwrap_or(local),
                shared.get(..12).unwrap_or(shared)
            ),
        }
    }
}

/// Every sequence number at which the copies disagree, in order. Entries
/// are compared by their whole canonical line, so an author, a time or a
/// byte of data that differs is named, not only a broken hash.
#[must_use]
pub fn compare(local: &[Entry], shared: &[Entry]) -> Vec<Difference> {
    use std::cmp::Ordering;
    let mut out = Vec::new();
    let (mut a, mut b) = (local.iter().peekable(), shared.iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(l), Some(s)) => l.seq.cmp(&s.seq),
        };
        let (seq, kind) = match (next, a.next_if(|_| next != Ordering::Greater)) {
            (Ordering::Less, Some(l)) => (l.seq, Some(DifferenceKind::OnlyLocal)),
            (Ordering::Equal, Some(l)) => match b.next() {
                Some(s) if l.line() != s.line() => (
                    l.seq,
                    Some(DifferenceKind::Differs {
                        local: l.hash.clone(),
                        shared: s.hash.clone(),
                    }),
                ),
                _ => (l.seq, None),
            },
            _ => match b.next() {
                Some(s) => (s.seq, Some(DifferenceKind::OnlyShared)),
                None => break,
            },
        };
        if let Some(kind) = kind {
            out.push(Difference { seq, kind });
        }
    }
    out
}

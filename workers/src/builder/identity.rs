//! Who a build is. On the host each running build has a uid and gid of its own, taken from a
//! range that no account uses (`BUILD_UIDS`): the uid owns the build's files and nothing
//! else on the host, so the build reads only what any stranger may read, and two builds at
//! once cannot touch each other's processes or files. Inside the sandbox the build is always
//! `builder` (uid and gid 1000), from a `passwd` and `group` of its own.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// The host uids (and gids) builds run as: far above any account's and any container's
/// usual sub-uid range, below 2^31 for tools that keep ids signed.
pub const BUILD_UIDS: std::ops::Range<u32> = 2_100_000_000..2_100_065_536;

/// The build's uid and gid inside the sandbox.
pub const INSIDE_ID: u32 = 1000;
/// The build's home folder inside the sandbox.
pub const HOME: &str = "/home/builder";
/// Where the source lies inside the sandbox (and the commands run).
pub const SOURCE: &str = "/build";

/// The host ids in use by this process's builds.
#[derive(Debug, Default)]
pub struct Identities {
    taken: Mutex<BTreeSet<u32>>,
}

/// One build's host identity, given back when dropped.
#[derive(Debug)]
pub struct BuildUser {
    pub uid: u32,
    pub gid: u32,
    pool: Arc<Identities>,
}

impl Identities {
    /// A free id from `BUILD_UIDS`, starting at a random place so that servers sharing a host
    /// rarely pick the same one. None when the range is exhausted.
    pub fn take(self: &Arc<Self>) -> Option<BuildUser> {
        let mut taken = self.taken.lock().ok()?;
        let span = BUILD_UIDS.end - BUILD_UIDS.start;
        let start = rand::random::<u32>() % span;
        let id = (0..span).map(|i| BUILD_UIDS.start + (start + i) % span).find(|id| !taken.contains(id))?;
        taken.insert(id);
        Some(BuildUser { uid: id, gid: id, pool: self.clone() })
    }
}

impl Drop for BuildUser {
    fn drop(&mut self) {
        if let Ok(mut taken) = self.pool.taken.lock() {
            taken.remove(&self.uid);
        }
    }
}

/// `/etc/passwd` inside the sandbox: root and nobody (the owners of what the build sees of
/// the host) and the build's own user.
pub fn passwd() -> String {
    format!(
        "root:x:0:0:root:/root:/usr/sbin/nologin\n\
         builder:x:{INSIDE_ID}:{INSIDE_ID}:CloudDeck build:{HOME}:/bin/sh\n\
         nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
    )
}

/// `/etc/group` inside the sandbox.
pub fn group() -> String {
    format!("root:x:0:\nbuilder:x:{INSIDE_ID}:\nnogroup:x:65534:\n")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn builds_at_once_get_distinct_unprivileged_ids_that_come_back() {
        let pool = Arc::new(Identities::default());
        let users: Vec<BuildUser> = (0..100).map(|_| pool.take().unwrap()).collect();
        let ids: BTreeSet<u32> = users.iter().map(|u| u.uid).collect();
        assert_eq!(ids.len(), 100);
        assert!(ids.iter().all(|id| BUILD_UIDS.contains(id) && *id > 65_535));
        drop(users);
        assert!(pool.taken.lock().unwrap().is_empty());
    }
}

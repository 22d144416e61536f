//! The builder: turns a source upload into a built site, confined (see sandbox.rs for what a
//! build sees and what it may use).

mod cgroup;
pub mod detect;
#[cfg(feature = "docker")]
pub mod docker;
pub mod identity;
pub mod limits;
pub mod mask;
pub mod network;
pub mod node_version;
pub mod run;
pub mod sandbox;
pub mod toolchain;
pub mod workspace;

pub use cgroup::CgroupRoot;

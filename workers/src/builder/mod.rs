//! The builder: turns a source upload into a built site, in a sandbox.

pub mod detect;
#[cfg(feature = "docker")]
pub mod docker;
pub mod run;
pub mod sandbox;

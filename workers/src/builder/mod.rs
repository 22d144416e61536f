//! The builder: turns a source upload into a built site, in a sandbox.

pub mod detect;
pub mod run;
pub mod sandbox;

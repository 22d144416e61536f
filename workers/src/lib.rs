//! Workers: the components that act on events and report back through commands: the
//! artifact store, the sandboxed builder, the deployer and the git fetcher.

pub mod builder;
pub mod collector;
pub mod deployer;
pub mod watermark;

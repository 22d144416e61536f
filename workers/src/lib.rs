//! Workers: the components that act on events and report back through commands. So far the
//! artifact store and the deployer of prebuilt uploads; the sandboxed builder is next.

pub mod artifacts;
pub mod builder;
pub mod deployer;
pub mod git;
pub mod sealer;

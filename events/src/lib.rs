//! CloudDeck's events: a Rust type per event grouped by aggregate, the envelope that
//! travels with each, and the Avro codec. Pure data and encoding; no I/O.

pub mod codec;
pub mod envelope;
pub mod payloads;
pub mod registry;
pub mod sensitive;
pub mod vocabulary;

pub use codec::{CodecError, decode, decode_self_describing, encode};
pub use envelope::{Actor, EventMeta, Provenance, stream_id};
pub use payloads::{
    billing::*, deployment::*, domain::*, name::*, organization::*, project::*, source::*, usage::*, user::*,
    webhook::*,
};
pub use registry::{EVENT_TYPES, Event, EventTypeInfo, aggregate_of, type_info};
pub use sensitive::{masked, sensitive_fields};
pub use vocabulary::{DeploymentStatus, FailureCause, Target};

//! Avro single-object encoding of event payloads: `C3 01`, the writer schema's 8-byte
//! CRC-64-AVRO fingerprint, then the Avro datum. The same bytes are stored in the event
//! table and published to Kafka, so a consumer holding only `schema/avro/` can decode them.

use crate::registry::{EVENT_TYPES, Event, HISTORY};
use apache_avro::{Schema, rabin::Rabin};
use std::collections::HashMap;
use std::sync::LazyLock;

const MAGIC: [u8; 2] = [0xC3, 0x01];
const HEADER_LEN: usize = 10;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CodecError {
    #[error("unknown event type `{0}`")]
    UnknownEventType(String),
    #[error("payload is not Avro single-object encoded (bad magic bytes)")]
    NotSingleObject,
    #[error("payload was written with an unknown schema (fingerprint {0})")]
    UnknownSchema(String),
    #[error("payload was written for `{written}` but is recorded as `{recorded}`")]
    TypeMismatch { recorded: String, written: String },
    #[error("payload does not match the `{event_type}` schema: {reason}")]
    Invalid { event_type: String, reason: String },
    #[error("schema file for `{event_type}` is broken: {reason}")]
    BrokenSchema { event_type: String, reason: String },
}

/// A parsed schema, its fingerprint and the event type and version it belongs to.
#[derive(Clone)]
pub struct KnownSchema {
    pub event_type: &'static str,
    pub schema_version: i32,
    pub schema: Schema,
    pub fingerprint: [u8; 8],
}

struct Registry {
    current: HashMap<&'static str, KnownSchema>,
    /// Writer schemas by fingerprint: every current and historical schema.
    writers: HashMap<[u8; 8], KnownSchema>,
    broken: Vec<CodecError>,
}

fn known(event_type: &'static str, schema_version: i32, json: &str) -> Result<KnownSchema, CodecError> {
    let schema = Schema::parse_str(json)
        .map_err(|e| CodecError::BrokenSchema { event_type: event_type.to_string(), reason: e.to_string() })?;
    let bytes = schema.fingerprint::<Rabin>().bytes;
    let mut fingerprint = [0u8; 8];
    fingerprint.copy_from_slice(&bytes[..8]);
    Ok(KnownSchema { event_type, schema_version, schema, fingerprint })
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let mut registry = Registry { current: HashMap::new(), writers: HashMap::new(), broken: Vec::new() };
    let current = EVENT_TYPES.iter().map(|t| (t.name, t.schema_version, t.schema_json, true));
    let history = HISTORY.iter().map(|(name, version, json)| (*name, *version, *json, false));
    for (name, version, json, is_current) in current.chain(history) {
        match known(name, version, json) {
            Ok(schema) => {
                if is_current {
                    registry.current.insert(name, schema.clone());
                }
                registry.writers.insert(schema.fingerprint, schema);
            }
            Err(e) => registry.broken.push(e),
        }
    }
    registry
});

/// Problems found while loading the schema files; empty when all parsed.
pub fn schema_problems() -> Vec<String> {
    REGISTRY.broken.iter().map(ToString::to_string).collect()
}

/// The current schema of an event type.
pub fn current_schema(event_type: &str) -> Option<&'static KnownSchema> {
    REGISTRY.current.get(event_type)
}

/// Which schema, and so which event type, wrote these bytes.
pub fn writer_schema(bytes: &[u8]) -> Result<&'static KnownSchema, CodecError> {
    if bytes.len() < HEADER_LEN || bytes[..2] != MAGIC {
        return Err(CodecError::NotSingleObject);
    }
    let mut fingerprint = [0u8; 8];
    fingerprint.copy_from_slice(&bytes[2..HEADER_LEN]);
    REGISTRY.writers.get(&fingerprint).ok_or_else(|| CodecError::UnknownSchema(hex(&fingerprint)))
}

pub fn encode(event: &Event) -> Result<Vec<u8>, CodecError> {
    let event_type = event.event_type();
    let known = current_schema(event_type).ok_or_else(|| CodecError::UnknownEventType(event_type.to_string()))?;
    let invalid =
        |e: apache_avro::Error| CodecError::Invalid { event_type: event_type.to_string(), reason: e.to_string() };
    let value = event.to_avro_value().map_err(invalid)?.resolve(&known.schema).map_err(invalid)?;
    let datum = apache_avro::to_avro_datum(&known.schema, value).map_err(invalid)?;
    let mut bytes = Vec::with_capacity(HEADER_LEN + datum.len());
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&known.fingerprint);
    bytes.extend_from_slice(&datum);
    Ok(bytes)
}

/// Decodes bytes recorded as `event_type`, resolving an older writer schema to the
/// current one (fields added since are filled from their defaults).
pub fn decode(event_type: &str, bytes: &[u8]) -> Result<Event, CodecError> {
    let reader = current_schema(event_type).ok_or_else(|| CodecError::UnknownEventType(event_type.to_string()))?;
    let writer = writer_schema(bytes)?;
    if writer.event_type != event_type {
        return Err(CodecError::TypeMismatch {
            recorded: event_type.to_string(),
            written: writer.event_type.to_string(),
        });
    }
    let invalid = |reason: String| CodecError::Invalid { event_type: event_type.to_string(), reason };
    let mut datum = &bytes[HEADER_LEN..];
    let value = apache_avro::from_avro_datum(&writer.schema, &mut datum, Some(&reader.schema))
        .map_err(|e| invalid(e.to_string()))?;
    if !datum.is_empty() {
        return Err(invalid(format!("{} trailing bytes after the datum", datum.len())));
    }
    Event::from_avro_value(event_type, &value)
        .ok_or_else(|| CodecError::UnknownEventType(event_type.to_string()))?
        .map_err(|e| invalid(e.to_string()))
}

/// Decodes bytes knowing nothing but the schema files: the fingerprint names the type.
pub fn decode_self_describing(bytes: &[u8]) -> Result<Event, CodecError> {
    let writer = writer_schema(bytes)?;
    decode(writer.event_type, bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

//! The envelope travels in Kafka headers, the payload as the value (Avro single-object
//! encoding) and the stream id as the key, so a consumer needs nothing but the schemas.

use crate::feed::FeedError;
use crate::store::RecordedEvent;
use clouddeck_events::EventMeta;
use rdkafka::Message;
use rdkafka::message::{Header, Headers, OwnedHeaders};
use uuid::Uuid;

pub fn headers_of(meta: &EventMeta) -> OwnedHeaders {
    let causation = meta.causation_id.map(|c| c.to_string()).unwrap_or_default();
    let fields: [(&str, String); 9] = [
        ("event_id", meta.event_id.to_string()),
        ("event_type", meta.event_type.clone()),
        ("schema_version", meta.schema_version.to_string()),
        ("position", meta.position.to_string()),
        ("stream_version", meta.stream_version.to_string()),
        ("recorded_at", meta.recorded_at.to_string()),
        ("actor", meta.actor.to_string()),
        ("causation_id", causation),
        ("correlation_id", meta.correlation_id.to_string()),
    ];
    fields.iter().fold(OwnedHeaders::new_with_capacity(fields.len()), |headers, (key, value)| {
        headers.insert(Header { key, value: Some(value.as_bytes()) })
    })
}

/// Rebuilds a recorded event from a Kafka message the relay published.
pub fn event_from_message<M: Message>(message: &M) -> Result<RecordedEvent, FeedError> {
    let malformed = |reason: String| FeedError::Malformed {
        topic: message.topic().to_string(),
        partition: message.partition(),
        offset: message.offset(),
        reason,
    };
    let header = |name: &str| -> Result<String, FeedError> {
        let headers = message.headers().ok_or_else(|| malformed("no headers".into()))?;
        headers
            .iter()
            .find(|h| h.key == name)
            .and_then(|h| h.value)
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .ok_or_else(|| malformed(format!("missing header {name}")))
    };
    let number = |name: &str| -> Result<i64, FeedError> {
        header(name)?.parse().map_err(|_| malformed(format!("header {name} is not a number")))
    };
    let uuid = |name: &str| -> Result<Uuid, FeedError> {
        Uuid::parse_str(&header(name)?).map_err(|_| malformed(format!("header {name} is not a UUID")))
    };
    let stream_id =
        message.key().map(|k| String::from_utf8_lossy(k).into_owned()).ok_or_else(|| malformed("no key".into()))?;
    let causation = header("causation_id")?;
    let meta = EventMeta {
        event_id: uuid("event_id")?,
        stream_id,
        stream_version: number("stream_version")?,
        position: number("position")?,
        event_type: header("event_type")?,
        schema_version: number("schema_version")? as i32,
        recorded_at: number("recorded_at")?,
        actor: header("actor")?.parse().map_err(|e| malformed(format!("{e}")))?,
        causation_id: if causation.is_empty() {
            None
        } else {
            Some(Uuid::parse_str(&causation).map_err(|_| malformed("bad causation_id".into()))?)
        },
        correlation_id: uuid("correlation_id")?,
    };
    let payload = message.payload().ok_or_else(|| malformed("no payload".into()))?.to_vec();
    Ok(RecordedEvent { meta, payload })
}

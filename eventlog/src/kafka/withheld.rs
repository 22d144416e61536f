//! What the relay leaves out of Kafka. The distribution log is read by more people than the
//! database (integrators, auditors, every consumer), so a secret no consumer needs stays in
//! the event table only. Today that is a password's argon2id hash in `user.registered`:
//! sign-in reads it from the user's stream in the event table, no read model holds it, and
//! published it would let anyone who can read the topic guess weak passwords offline.
//! Sealed values (AES-256-GCM) and SHA-256 digests of random bearer secrets are published:
//! neither opens anything without the key or the secret.

use clouddeck_events::{Event, codec};
use std::borrow::Cow;

/// The header that names the fields the relay withheld from a message (comma-separated).
pub const WITHHELD_HEADER: &str = "withheld";

/// The payload to publish for `event_type` and its stored `payload`, and the fields withheld
/// from it (none: the stored bytes as they are). A payload that cannot be read is published
/// as stored: the consumers report it as they would have.
pub fn for_publishing<'a>(event_type: &str, payload: &'a [u8]) -> (Cow<'a, [u8]>, &'static str) {
    if event_type != "user.registered" {
        return (Cow::Borrowed(payload), "");
    }
    match codec::decode(event_type, payload) {
        Ok(Event::UserRegistered(mut registered)) if registered.password_hash.is_some() => {
            registered.password_hash = None;
            match codec::encode(&Event::UserRegistered(registered)) {
                Ok(bytes) => (Cow::Owned(bytes), "password_hash"),
                // Not publishing the hash matters more than publishing the event.
                Err(_) => (Cow::Owned(Vec::new()), "password_hash"),
            }
        }
        _ => (Cow::Borrowed(payload), ""),
    }
}

#[cfg(test)]
mod tests {
    use super::for_publishing;
    use clouddeck_events::{Event, UserRegistered, codec};

    #[test]
    fn a_password_hash_never_reaches_kafka_and_the_rest_of_the_event_does() {
        let event = Event::UserRegistered(UserRegistered {
            user_id: "u1".into(),
            email: "a@example.com".into(),
            name: "A".into(),
            password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        });
        let stored = codec::encode(&event).unwrap();
        let (published, withheld) = for_publishing("user.registered", &stored);
        assert_eq!(withheld, "password_hash");
        assert!(!String::from_utf8_lossy(&published).contains("argon2"));
        let Event::UserRegistered(read) = codec::decode("user.registered", &published).unwrap() else { panic!() };
        assert_eq!((read.user_id.as_str(), read.email.as_str(), read.password_hash), ("u1", "a@example.com", None));
        // other events, and accounts without a password, go as stored
        let (same, none) = for_publishing("user.session_started", &stored);
        assert_eq!((same.as_ref(), none), (stored.as_slice(), ""));
    }
}

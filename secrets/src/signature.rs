//! Webhook signatures: HMAC-SHA256 of the body under a shared secret, as GitHub sends it in
//! `X-Hub-Signature-256: sha256=<hex>` (GitHub docs, "Validating webhook deliveries").

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Whether `signature` (`sha256=<hex>`) is the HMAC-SHA256 of `body` under `secret`,
/// compared in constant time.
pub fn signature_valid(secret: &str, body: &[u8], signature: Option<&str>) -> bool {
    let Some(hex) = signature.and_then(|s| s.strip_prefix("sha256=")) else { return false };
    let Some(expected) = (0..hex.len())
        .step_by(2)
        .map(|i| hex.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return false };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// The `sha256=<hex>` signature of `body` under `secret`, as [`signature_valid`] checks it.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_with_the_secret_and_body() {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"s3cret").unwrap();
        mac.update(b"{\"ref\":1}");
        let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        let good = format!("sha256={hex}");
        assert!(signature_valid("s3cret", b"{\"ref\":1}", Some(&good)));
        assert!(!signature_valid("other", b"{\"ref\":1}", Some(&good)));
        assert!(!signature_valid("s3cret", b"{\"ref\":2}", Some(&good)));
        assert!(!signature_valid("s3cret", b"{\"ref\":1}", None));
        assert!(!signature_valid("s3cret", b"{\"ref\":1}", Some("sha256=zz")));
        assert!(!signature_valid("s3cret", b"{\"ref\":1}", Some(&hex)));
    }
}

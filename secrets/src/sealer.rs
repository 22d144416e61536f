//! Env var values and webhook secrets sealed with AES-256-GCM: `v1:<nonce>:<ciphertext>`,
//! base64. The API seals; the builder opens what a build needs.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the secret key must be 32 bytes, base64-encoded")]
    BadKey,
    #[error("cannot read or create the key file: {0}")]
    KeyFile(std::io::Error),
    #[error("a sealed value could not be sealed or opened")]
    Crypto,
}

/// Seals values with one AES-256-GCM key: `v1:<nonce>:<ciphertext>`, base64.
#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
    /// A key for digests, derived from the sealing key (never the same bytes: RFC 5869's
    /// advice to separate keys by use, done here with HMAC as its extract step).
    digest_key: [u8; 32],
}

impl Sealer {
    pub fn from_base64(key: &str) -> Result<Self, SealError> {
        let bytes = STANDARD.decode(key.trim()).map_err(|_| SealError::BadKey)?;
        let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|_| SealError::BadKey)?;
        let digest_key = hmac_sha256(b"clouddeck keyed digests v1", &bytes);
        Ok(Sealer { cipher, digest_key })
    }

    /// The key from `CLOUDDECK_SECRET_KEY` if set, else from the key file, created with
    /// a random key (mode 0600) on first use.
    pub fn from_env_or_file(env_key: Option<&str>, file: &Path) -> Result<Self, SealError> {
        if let Some(key) = env_key {
            return Self::from_base64(key);
        }
        if !file.exists() {
            let mut key = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut key);
            write_private(file, STANDARD.encode(key).as_bytes()).map_err(SealError::KeyFile)?;
        }
        Self::from_base64(&std::fs::read_to_string(file).map_err(SealError::KeyFile)?)
    }

    /// HMAC-SHA256 (hex) of `data` for `purpose`, under a key only this installation holds:
    /// equal inputs compare equal, and a low-entropy secret inside `data` (a password, an env
    /// var value) cannot be guessed from it, as it could from a bare hash.
    pub fn keyed_digest(&self, purpose: &str, data: &[u8]) -> String {
        let key = hmac_sha256(&self.digest_key, purpose.as_bytes());
        hmac_sha256(&key, data).iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn seal(&self, value: &str) -> Result<String, SealError> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self.cipher.encrypt(Nonce::from_slice(&nonce), value.as_bytes()).map_err(|_| SealError::Crypto)?;
        Ok(format!("v1:{}:{}", STANDARD.encode(nonce), STANDARD.encode(sealed)))
    }

    pub fn open(&self, sealed: &str) -> Result<String, SealError> {
        let mut parts = sealed.splitn(3, ':');
        let (Some("v1"), Some(nonce), Some(data)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(SealError::Crypto);
        };
        let nonce = STANDARD.decode(nonce).map_err(|_| SealError::Crypto)?;
        let data = STANDARD.decode(data).map_err(|_| SealError::Crypto)?;
        if nonce.len() != 12 {
            return Err(SealError::Crypto);
        }
        let clear = self.cipher.decrypt(Nonce::from_slice(&nonce), data.as_ref()).map_err(|_| SealError::Crypto)?;
        String::from_utf8(clear).map_err(|_| SealError::Crypto)
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(bytes)
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    // (HMAC takes a key of any length)
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(data);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key() {
        let sealer = Sealer::from_base64(&STANDARD.encode([7u8; 32])).unwrap();
        let sealed = sealer.seal("postgres://user:hunter2@db").unwrap();
        assert!(!sealed.contains("hunter2"));
        assert_eq!(sealer.open(&sealed).unwrap(), "postgres://user:hunter2@db");
        let other = Sealer::from_base64(&STANDARD.encode([8u8; 32])).unwrap();
        assert!(other.open(&sealed).is_err());
        assert!(sealer.open("v1:bad:data").is_err());
        assert!(Sealer::from_base64("short").is_err());
    }

    #[test]
    fn keyed_digests_compare_under_one_key_only() {
        let one = Sealer::from_base64("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=").unwrap();
        let other = Sealer::from_base64("ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=").unwrap();
        let body = br#"{"query":"mutation { login(password: \"hunter2\") }"}"#;
        assert_eq!(one.keyed_digest("p", body), one.keyed_digest("p", body));
        assert_ne!(one.keyed_digest("p", body), other.keyed_digest("p", body));
        assert_ne!(one.keyed_digest("p", body), one.keyed_digest("q", body));
        assert_eq!(one.keyed_digest("p", body).len(), 64);
    }
}

//! The edge's certificates, chosen by SNI during the handshake from memory (no database, no
//! disk): custom domains' certificates as the log issues them (their keys unsealed once,
//! when the event arrives), and the operator's certificate for the base domain and the names
//! under it (a wildcard, from PEM files). A name with neither gets no handshake: no default
//! certificate gives away which sites live here.

use rustls::crypto::ring::sign::any_supported_type;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;
use tokio::sync::watch;

/// A certificate chain and key (both PEM) as rustls serves them.
///
/// Errors: the PEM holds no certificate, no key, or a key type rustls cannot sign with.
pub fn certified_key(chain_pem: &str, key_pem: &str) -> Result<CertifiedKey, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(chain_pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("the certificate chain: {e}"))?;
    if chain.is_empty() {
        return Err("the certificate chain holds no certificate".into());
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| format!("the private key: {e}"))?;
    let signing = any_supported_type(&key).map_err(|e| format!("the private key: {e}"))?;
    Ok(CertifiedKey::new(chain, signing))
}

/// The certificates the edge serves, by SNI name.
#[derive(Debug, Default)]
pub struct Certificates {
    /// Custom domains' certificates, by hostname (lowercase), with the id of the domain they
    /// were issued to.
    domains: RwLock<HashMap<String, (String, Arc<CertifiedKey>)>>,
    /// The base domain's certificate, with the base domain.
    base: RwLock<Option<(String, Arc<CertifiedKey>)>>,
}

impl Certificates {
    /// Serves `key`, issued to domain `domain_id`, for `hostname` from the next handshake on
    /// (replacing an older one).
    pub fn insert(&self, hostname: &str, domain_id: &str, key: CertifiedKey) {
        let mut domains = self.domains.write().unwrap_or_else(PoisonError::into_inner);
        domains.insert(hostname.to_string(), (domain_id.to_string(), Arc::new(key)));
    }

    /// Stops serving `hostname`, if its certificate was issued to domain `domain_id` (another
    /// organization's removal of a pending domain of the same name changes nothing).
    pub fn remove(&self, hostname: &str, domain_id: &str) {
        let mut domains = self.domains.write().unwrap_or_else(PoisonError::into_inner);
        if domains.get(hostname).is_some_and(|(holder, _)| holder == domain_id) {
            domains.remove(hostname);
        }
    }

    /// Serves `key` for `base_domain` and every name under it.
    pub fn set_base(&self, base_domain: &str, key: CertifiedKey) {
        *self.base.write().unwrap_or_else(PoisonError::into_inner) = Some((base_domain.to_string(), Arc::new(key)));
    }

    /// Whether `hostname` is served over HTTPS (so plain HTTP to it is redirected).
    pub fn has(&self, hostname: &str) -> bool {
        self.find(hostname).is_some()
    }

    fn find(&self, name: &str) -> Option<Arc<CertifiedKey>> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if let Some((_, key)) = self.domains.read().unwrap_or_else(PoisonError::into_inner).get(&name) {
            return Some(key.clone());
        }
        let base = self.base.read().unwrap_or_else(PoisonError::into_inner);
        let (domain, key) = base.as_ref()?;
        crate::host::under(&name, domain).then(|| key.clone())
    }
}

impl ResolvesServerCert for Certificates {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.find(hello.server_name()?)
    }
}

/// The operator's certificate for the base domain and the names under it, from PEM files,
/// loaded again when either file changes.
#[derive(Debug, Clone)]
pub struct BaseCertificate {
    pub base_domain: String,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl BaseCertificate {
    /// Loads the files into `certificates`.
    ///
    /// Errors: a file cannot be read, or they hold no certificate and key rustls can use.
    pub fn load(&self, certificates: &Certificates) -> Result<(), String> {
        let read = |path: &Path| std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()));
        let key = certified_key(&read(&self.cert)?, &read(&self.key)?)?;
        certificates.set_base(&self.base_domain, key);
        Ok(())
    }

    /// Every `every`, loads the files again if either changed, until `stopped`; a new pair
    /// that cannot be used is logged and the old one serves on.
    pub async fn reload_on_change(
        self,
        certificates: Arc<Certificates>,
        every: Duration,
        mut stopped: watch::Receiver<bool>,
    ) {
        let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
        let mut seen = (modified(&self.cert), modified(&self.key));
        loop {
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = async { let _ = stopped.wait_for(|stop| *stop).await; } => return,
            }
            let now = (modified(&self.cert), modified(&self.key));
            if now != seen {
                seen = now;
                match self.load(&certificates) {
                    Ok(()) => tracing::info!("the base domain's certificate was loaded again"),
                    Err(reason) => {
                        tracing::error!(%reason, "the base domain's new certificate cannot be used; the old one serves")
                    }
                }
            }
        }
    }
}

/// The TLS settings of the HTTPS listener: TLS 1.2 and 1.3, ALPN `h2` then `http/1.1`,
/// certificates from `certificates`.
pub fn server_config(certificates: Arc<Certificates>) -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .expect("ring supports TLS 1.2 and 1.3")
        .with_no_client_auth()
        .with_cert_resolver(certificates);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Arc::new(config)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn write_pair(dir: &Path) -> Vec<u8> {
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        std::fs::write(dir.join("cert.pem"), made.cert.pem()).unwrap();
        std::fs::write(dir.join("key.pem"), made.signing_key.serialize_pem()).unwrap();
        made.cert.der().to_vec()
    }

    fn served(certificates: &Certificates, name: &str) -> Option<Vec<u8>> {
        certificates.find(name).map(|key| key.cert[0].to_vec())
    }

    #[tokio::test]
    async fn the_base_certificate_serves_its_names_and_is_replaced_when_its_files_change() {
        let dir = tempfile::tempdir().unwrap();
        let first = write_pair(dir.path());
        let base = BaseCertificate {
            base_domain: "localhost".into(),
            cert: dir.path().join("cert.pem"),
            key: dir.path().join("key.pem"),
        };
        let certificates = Arc::new(Certificates::default());
        base.load(&certificates).unwrap();
        assert_eq!(served(&certificates, "blog.localhost"), Some(first.clone()));
        assert_eq!(served(&certificates, "LOCALHOST."), Some(first.clone()));
        assert_eq!(served(&certificates, "evil-localhost"), None, "only names under the base domain");
        let (stop, stopped) = watch::channel(false);
        let reloading =
            tokio::spawn(base.clone().reload_on_change(certificates.clone(), Duration::from_millis(20), stopped));
        // A pair that cannot be used leaves the old one serving.
        tokio::time::sleep(Duration::from_millis(30)).await;
        std::fs::write(dir.path().join("key.pem"), "not a key").unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(served(&certificates, "blog.localhost"), Some(first.clone()));
        let second = write_pair(dir.path());
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while served(&certificates, "blog.localhost") != Some(second.clone()) {
            assert!(tokio::time::Instant::now() < deadline, "the new certificate was not loaded");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        stop.send(true).unwrap();
        reloading.await.unwrap();
    }
}

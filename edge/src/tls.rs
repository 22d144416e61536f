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
use std::sync::{Arc, PoisonError, RwLock};

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
        (name == *domain || name.strip_suffix(domain.as_str()).is_some_and(|rest| rest.ends_with('.')))
            .then(|| key.clone())
    }
}

impl ResolvesServerCert for Certificates {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.find(hello.server_name()?)
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

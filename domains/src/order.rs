//! One ACME order (RFC 8555 §7.4) for one hostname with an HTTP-01 challenge, and the
//! account it is made with. I/O only: what to do with the outcome is the manager's.

use crate::certificates::AcmeSettings;
use clouddeck_command_handlers::CommandHandler;
use clouddeck_command_handlers::acme::{AcmeAccount, RecordAcmeAccount, account_id};
use clouddeck_eventlog::now_ms;
use clouddeck_events::{AcmeAccountCreated, Actor, Provenance};
use clouddeck_secrets::Sealer;
use instant_acme::{
    Account, AccountCredentials, AuthorizationStatus, ChallengeType, Identifier, NewAccount, NewOrder, OrderStatus,
    RetryPolicy,
};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

/// A failed order: its cause class, what happened, and when the CA asked to be tried again
/// (unix ms), if it did.
#[derive(Debug, Clone)]
pub struct OrderError {
    /// `dns`, `challenge`, `rate_limited` or `ca_error`.
    pub cause: &'static str,
    pub reason: String,
    pub retry_at_ms: Option<i64>,
}

impl OrderError {
    pub fn ca(reason: String) -> Self {
        OrderError { cause: "ca_error", reason, retry_at_ms: None }
    }

    /// Classifies an ACME error by its problem type (RFC 8555 §6.7).
    fn from_acme(error: instant_acme::Error) -> Self {
        match &error {
            instant_acme::Error::Api(problem) => OrderError::problem(problem.r#type.as_deref(), error.to_string()),
            instant_acme::Error::Timeout(Some(when)) => {
                let wait = when.saturating_duration_since(std::time::Instant::now());
                OrderError {
                    cause: "ca_error",
                    reason: "the CA is still processing the order".into(),
                    retry_at_ms: Some(now_ms() + wait.as_millis() as i64),
                }
            }
            _ => OrderError::ca(error.to_string()),
        }
    }

    fn problem(kind: Option<&str>, reason: String) -> Self {
        let kind = kind.unwrap_or_default();
        let cause = match kind.rsplit(':').next().unwrap_or_default() {
            "rateLimited" => "rate_limited",
            "dns" => "dns",
            "connection" | "unauthorized" | "incorrectResponse" | "caa" | "tls" => "challenge",
            _ => "ca_error",
        };
        OrderError { cause, reason, retry_at_ms: None }
    }
}

/// A certificate as issued: its chain (leaf first, PEM), its key (PKCS#8 PEM, in clear:
/// the caller seals it), and the leaf's facts.
pub struct Issued {
    pub chain_pem: String,
    pub private_key_pem: String,
    pub sha256_fingerprint: String,
    pub issuer: String,
    /// Unix ms.
    pub not_before: i64,
    pub not_after: i64,
}

/// The account at the settings' directory: opened from its sealed credentials in the log,
/// or created there and recorded (sealed).
pub async fn account(
    handler: &CommandHandler,
    sealer: &Sealer,
    settings: &AcmeSettings,
) -> Result<Account, OrderError> {
    let builder = || match &settings.ca_certs {
        Some(pem) => Account::builder_with_root(pem).map_err(OrderError::from_acme),
        None => Account::builder().map_err(OrderError::from_acme),
    };
    let id = account_id(&settings.directory_url);
    let known = handler.state::<AcmeAccount>(&id).await.map_err(|e| OrderError::ca(e.to_string()))?;
    if let Some(sealed) = known.sealed_credentials {
        let opened = sealer.open(&sealed).map_err(|_| OrderError::ca("the ACME account cannot be unsealed".into()))?;
        let credentials: AccountCredentials = serde_json::from_str(&opened)
            .map_err(|e| OrderError::ca(format!("the ACME account's credentials: {e}")))?;
        return builder()?.from_credentials(credentials).await.map_err(OrderError::from_acme);
    }
    let contact = format!("mailto:{}", settings.email);
    let new = NewAccount { contact: &[&contact], terms_of_service_agreed: true, only_return_existing: false };
    let (account, credentials) =
        builder()?.create(&new, settings.directory_url.clone(), None).await.map_err(OrderError::from_acme)?;
    let json = serde_json::to_string(&credentials).map_err(|e| OrderError::ca(e.to_string()))?;
    let sealed = sealer.seal(&json).map_err(|_| OrderError::ca("the ACME account cannot be sealed".into()))?;
    let created = AcmeAccountCreated {
        directory_url: settings.directory_url.clone(),
        account_url: account.id().to_string(),
        sealed_credentials: sealed,
    };
    let provenance = Provenance::new(Actor::System("acme".into()));
    match handler.execute(&RecordAcmeAccount(created), &provenance, now_ms()).await {
        Ok(_) => Ok(account),
        // Another worker recorded one first: use that one, so every process agrees.
        Err(clouddeck_command_handlers::DomainError::AlreadyExists(_)) => {
            Box::pin(self::account(handler, sealer, settings)).await
        }
        Err(e) => Err(OrderError::ca(e.to_string())),
    }
}

/// Orders a certificate for `hostname`: `publish(token, key_authorization)` must make the
/// edge answer the HTTP-01 challenge before it returns.
pub async fn order<F, Fut>(account: &Account, hostname: &str, publish: F) -> Result<Issued, OrderError>
where
    F: Fn(String, String) -> Fut,
    Fut: Future<Output = Result<(), OrderError>>,
{
    let identifiers = [Identifier::Dns(hostname.to_string())];
    let mut order = account.new_order(&NewOrder::new(&identifiers)).await.map_err(OrderError::from_acme)?;
    let mut authorizations = order.authorizations();
    while let Some(authorization) = authorizations.next().await {
        let mut authorization = authorization.map_err(OrderError::from_acme)?;
        if authorization.status != AuthorizationStatus::Pending {
            continue;
        }
        let mut challenge = authorization
            .challenge(ChallengeType::Http01)
            .ok_or_else(|| OrderError::ca("the CA offers no HTTP-01 challenge".into()))?;
        let token = challenge.token.clone();
        let key_authorization = challenge.key_authorization().as_str().to_string();
        publish(token, key_authorization).await?;
        challenge.set_ready().await.map_err(OrderError::from_acme)?;
    }
    let retries = RetryPolicy::new().timeout(Duration::from_secs(90));
    let status = order.poll_ready(&retries).await.map_err(OrderError::from_acme)?;
    if status != OrderStatus::Ready {
        return Err(challenge_failure(&mut order).await);
    }
    let private_key_pem = order.finalize().await.map_err(OrderError::from_acme)?;
    let chain_pem = order.poll_certificate(&retries).await.map_err(OrderError::from_acme)?;
    facts(chain_pem, private_key_pem)
}

/// Why an order became invalid: its challenge's problem (RFC 8555 §8).
async fn challenge_failure(order: &mut instant_acme::Order) -> OrderError {
    let mut authorizations = order.authorizations();
    while let Some(Ok(mut authorization)) = authorizations.next().await {
        let Ok(state) = authorization.refresh().await else { continue };
        for challenge in &state.challenges {
            if let Some(problem) = &challenge.error {
                let detail = problem.detail.clone().unwrap_or_else(|| "the challenge failed".into());
                return OrderError::problem(problem.r#type.as_deref(), detail);
            }
        }
    }
    OrderError { cause: "challenge", reason: "the CA found the order invalid".into(), retry_at_ms: None }
}

/// Reads the leaf's issuer, validity and fingerprint.
fn facts(chain_pem: String, private_key_pem: String) -> Result<Issued, OrderError> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(chain_pem.as_bytes())
        .map_err(|e| OrderError::ca(format!("the CA's certificate is not PEM: {e}")))?;
    let leaf = pem.parse_x509().map_err(|e| OrderError::ca(format!("the CA's certificate does not parse: {e}")))?;
    let issuer = leaf
        .issuer()
        .iter_common_name()
        .next()
        .and_then(|name| name.as_str().ok())
        .map_or_else(|| leaf.issuer().to_string(), str::to_string);
    let fingerprint = Sha256::digest(&pem.contents).iter().map(|b| format!("{b:02x}")).collect();
    Ok(Issued {
        sha256_fingerprint: fingerprint,
        issuer,
        not_before: leaf.validity().not_before.timestamp() * 1_000,
        not_after: leaf.validity().not_after.timestamp() * 1_000,
        chain_pem,
        private_key_pem,
    })
}

/// Waits (up to 20 s) until the edge at `edge` answers `token` for `hostname` with
/// `key_authorization`: the log has reached it.
pub async fn wait_until_served(
    edge: SocketAddr,
    hostname: &str,
    token: &str,
    key_authorization: &str,
) -> Result<(), OrderError> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| OrderError::ca(e.to_string()))?;
    let url = format!("http://{edge}/.well-known/acme-challenge/{token}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let answer = client.get(&url).header("host", hostname).send().await;
        if let Ok(answer) = answer
            && answer.status().is_success()
            && answer.text().await.is_ok_and(|body| body == key_authorization)
        {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(OrderError {
                cause: "challenge",
                reason: "the edge did not serve the challenge answer within 20 s".into(),
                retry_at_ms: None,
            });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

//! Mail the API sends: email verification and invitations, over SMTP
//! (`CLOUDDECK_SMTP_URL`, in lettre's URL form: `smtp://host:25` in the clear,
//! `smtp://host:587?tls=required` with STARTTLS, `smtps://user:pass@host:465` with TLS).
//!
//! With a mail server, addresses are proven: registration answers the same whether or not the
//! address is taken and signs in only after the emailed link is followed, and an invitation
//! can be accepted by the verified owner of its address. Without one, CloudDeck runs open:
//! registration signs in at once (and says when an address is taken), and an invitation is
//! accepted only through its link, which the inviter passes on.
//!
//! Mail goes out in the background: how long an answer takes never depends on it, and a
//! failure is logged without the message's secrets.

use lettre::message::header::ContentTransferEncoding;
use lettre::message::{Body, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// Where people reach CloudDeck (`https://deploy.example.com`), for links.
    pub public_url: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for the SMTP server at `url`, sending as `from` (`CloudDeck <noreply@…>`).
    /// Errors say which part is wrong, never the URL's password.
    pub fn new(url: &str, from: &str, public_url: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("CLOUDDECK_SMTP_URL is not an smtp:// or smtps:// URL: {e}"))?
            .build();
        let from = from.parse::<Mailbox>().map_err(|e| format!("CLOUDDECK_MAIL_FROM `{from}`: {e}"))?;
        Ok(Mailer { transport, from, public_url: public_url.trim_end_matches('/').to_string() })
    }

    /// Sends a plain-text message to `to` in the background.
    pub fn send(self: &Arc<Self>, to: &str, subject: &str, body: String) {
        let mailer = self.clone();
        let (to, subject) = (to.to_string(), subject.to_string());
        tokio::spawn(async move {
            // Plain 7-bit where it can be, so links arrive unwrapped and unescaped.
            let body = Body::new_with_encoding(body.clone(), ContentTransferEncoding::SevenBit)
                .unwrap_or_else(|_| Body::new(body));
            let message = match to.parse::<Mailbox>() {
                Ok(recipient) => Message::builder().from(mailer.from.clone()).to(recipient).subject(subject).body(body),
                Err(e) => {
                    tracing::warn!(error = %e, "an address mail cannot be sent to");
                    return;
                }
            };
            let sent = match message {
                Ok(message) => mailer.transport.send(message).await.map(drop).map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            if let Err(e) = sent {
                tracing::warn!(error = %e, "mail not sent");
            }
        });
    }
}

//! The ACME account CloudDeck orders certificates with (RFC 8555 §7.3), one per directory:
//! stream `acme-<id>`, where the id follows from the directory's URL ([`account_id`]). Its
//! credentials (the account's private key among them) are recorded once, sealed; two workers
//! creating one at once both try, one append wins, the other reads it.

use crate::access::Context;
use crate::aggregate::Aggregate;
use crate::decision::{Decision, History, Request, Write, stream_of};
use crate::error::DomainError;
use clouddeck_events::{AcmeAccountCreated, Event};

/// The account's id for `directory_url`: a UUID v5 of it.
pub fn account_id(directory_url: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, directory_url.as_bytes()).to_string()
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AcmeAccount {
    pub account_url: Option<String>,
    pub sealed_credentials: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AcmeCommand {
    Record(AcmeAccountCreated),
}

impl Aggregate for AcmeAccount {
    type Command = AcmeCommand;
    const KIND: &'static str = "acme";

    fn evolve(mut self, event: &Event) -> Self {
        if let Event::AcmeAccountCreated(e) = event {
            self.account_url = Some(e.account_url.clone());
            self.sealed_credentials = Some(e.sealed_credentials.clone());
        }
        self
    }

    /// Only CloudDeck's workers record an account, once per directory.
    fn decide(&self, command: AcmeCommand, ctx: &Context) -> Result<Vec<Event>, DomainError> {
        ctx.require_system("recording an ACME account")?;
        let AcmeCommand::Record(created) = command;
        if self.account_url.is_some() {
            return Err(DomainError::AlreadyExists(format!("an ACME account at {} exists", created.directory_url)));
        }
        Ok(vec![created.into()])
    }
}

/// Records the account for the command's directory.
#[derive(Debug, Clone)]
pub struct RecordAcmeAccount(pub AcmeAccountCreated);

impl Decision for RecordAcmeAccount {
    fn key(&self) -> String {
        account_id(&self.0.directory_url)
    }

    fn streams(&self, _read: &History, _request: &Request) -> Vec<String> {
        vec![stream_of::<AcmeAccount>(&self.key())]
    }

    fn decide(&self, read: &History, request: &Request) -> Result<Vec<Write>, DomainError> {
        let id = self.key();
        let events = read.state::<AcmeAccount>(&id).decide(AcmeCommand::Record(self.0.clone()), &request.context())?;
        Ok(vec![Write::checked(stream_of::<AcmeAccount>(&id), events)])
    }
}

//! A project's source: what its git host pushed, stream `source-<project>`. It makes webhook
//! deliveries safe to replay: each delivery (GitHub's `X-GitHub-Delivery`, which a
//! redelivery keeps) is processed once, and a push that the git host received before the
//! branch's last recorded push is refused, so a captured, correctly signed old push can
//! neither roll production back nor count a build.

use crate::access::Context;
use crate::aggregate::Aggregate;
use crate::decision::{Decision, History, Request, Write, stream_of};
use crate::deployment::RequestDeploymentDecision;
use crate::error::DomainError;
use crate::organization::Organization;
use crate::project::{Project, ProjectCommand};
use clouddeck_events::{Event, PushReceived};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Source {
    /// Every delivery id recorded.
    pub deliveries: BTreeSet<String>,
    /// Per branch, the git host's time of the newest push recorded (unix seconds).
    pub last_push: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SourceCommand {
    RecordPush(PushReceived),
}

impl Aggregate for Source {
    type Command = SourceCommand;
    const KIND: &'static str = "source";

    fn evolve(mut self, event: &Event) -> Self {
        if let Event::PushReceived(push) = event {
            if !push.delivery_id.is_empty() {
                self.deliveries.insert(push.delivery_id.clone());
            }
            let last = self.last_push.entry(push.branch.clone()).or_insert(push.pushed_at);
            *last = (*last).max(push.pushed_at);
        }
        self
    }

    /// Only CloudDeck's webhook receiver records pushes (the project decides that); here a
    /// delivery seen before is `AlreadyExists` and a push older than (or as old as) the
    /// branch's last one is an illegal transition.
    fn decide(&self, command: SourceCommand, ctx: &Context) -> Result<Vec<Event>, DomainError> {
        let SourceCommand::RecordPush(push) = command;
        ctx.require_system("recording pushes")?;
        if push.delivery_id.is_empty() || push.delivery_id.len() > 100 {
            return Err(DomainError::invalid("deliveryId", "must be 1 to 100 characters"));
        }
        if self.deliveries.contains(&push.delivery_id) {
            return Err(DomainError::AlreadyExists(format!("delivery {} was already processed", push.delivery_id)));
        }
        if self.last_push.get(&push.branch).is_some_and(|last| push.pushed_at <= *last) {
            return Err(DomainError::IllegalTransition {
                what: "push",
                action: "deploy",
                state: format!("older than the last push recorded for `{}`", push.branch),
            });
        }
        Ok(vec![push.into()])
    }
}

/// Records a push on `source-<project>`: the project decides it may be recorded (it must be
/// live; only CloudDeck's webhook receiver records pushes), the source refuses a delivery seen
/// before or a push older than the branch's last.
#[derive(Debug, Clone)]
pub struct RecordPush {
    pub project_id: String,
    pub push: PushReceived,
}

impl Decision for RecordPush {
    fn key(&self) -> String {
        self.project_id.clone()
    }

    fn streams(&self, read: &History, _request: &Request) -> Vec<String> {
        let Some(project) = read.loaded::<Project>(&self.project_id) else {
            return vec![stream_of::<Project>(&self.project_id)];
        };
        let organization_id = project.organization_id;
        vec![stream_of::<Organization>(&organization_id), stream_of::<Source>(&self.project_id)]
    }

    fn decide(&self, read: &History, request: &Request) -> Result<Vec<Write>, DomainError> {
        let project = read.state::<Project>(&self.project_id);
        let ctx = request.context_in(&read.state::<Organization>(&project.organization_id));
        let recorded = project.decide(ProjectCommand::RecordPush(self.push.clone()), &ctx)?;
        let source = read.state::<Source>(&self.project_id);
        let mut events = Vec::new();
        for event in recorded {
            let Event::PushReceived(push) = event else { continue };
            events.extend(source.decide(SourceCommand::RecordPush(push), &ctx)?);
        }
        Ok(vec![Write::checked(stream_of::<Source>(&self.project_id), events)])
    }
}

/// Records a push and requests its deployment in one append: a delivery replayed or raced
/// deploys (and counts a build) at most once.
#[derive(Debug, Clone)]
pub struct DeployPush {
    pub push: RecordPush,
    pub deployment: RequestDeploymentDecision,
}

impl Decision for DeployPush {
    fn key(&self) -> String {
        self.push.key()
    }

    fn streams(&self, read: &History, request: &Request) -> Vec<String> {
        let mut streams = self.push.streams(read, request);
        streams.extend(self.deployment.streams(read, request));
        streams
    }

    fn decide(&self, read: &History, request: &Request) -> Result<Vec<Write>, DomainError> {
        let mut writes = self.push.decide(read, request)?;
        writes.extend(self.deployment.decide(read, request)?);
        Ok(writes)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::access::Context;
    use clouddeck_events::Actor;

    fn push(delivery: &str, branch: &str, pushed_at: i64) -> PushReceived {
        PushReceived {
            project_id: "p".into(),
            repository: "https://example.com/r.git".into(),
            branch: branch.into(),
            commit_sha: "a".repeat(40),
            pusher: "octocat".into(),
            signature_valid: true,
            delivery_id: delivery.into(),
            pushed_at,
        }
    }

    fn system() -> Context {
        Context { actor: Actor::System("github".into()), role: None, now_ms: 0 }
    }

    #[test]
    fn a_delivery_is_processed_once_and_an_older_push_is_refused() {
        // given one push to main at t=100
        let source = Source::replay(&[Event::from(push("d-1", "main", 100))]);
        // when the same delivery comes again (a replay or a redelivery), then it is refused
        let again = source.decide(SourceCommand::RecordPush(push("d-1", "main", 100)), &system());
        assert!(matches!(again, Err(DomainError::AlreadyExists(_))));
        // when a new delivery carries an older push to the same branch, then it is refused
        let older = source.decide(SourceCommand::RecordPush(push("d-2", "main", 50)), &system());
        assert!(matches!(older, Err(DomainError::IllegalTransition { .. })));
        // while a newer one, or an older one on another branch, is recorded
        assert_eq!(source.decide(SourceCommand::RecordPush(push("d-3", "main", 101)), &system()).unwrap().len(), 1);
        assert_eq!(source.decide(SourceCommand::RecordPush(push("d-4", "dev", 10)), &system()).unwrap().len(), 1);
        // and only the webhook receiver records pushes
        let user = Context { actor: Actor::User("u".into()), role: None, now_ms: 0 };
        assert!(source.decide(SourceCommand::RecordPush(push("d-5", "main", 200)), &user).is_err());
        assert!(source.decide(SourceCommand::RecordPush(push("", "main", 200)), &system()).is_err());
    }
}

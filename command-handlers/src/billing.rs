//! An organization's subscription (`billing-<organization>`) and its monthly build counter
//! (`builds-<organization>-<YYYY-MM>`). Plans and limits are the billing crate's rules; here
//! they meet roles and the log.

use crate::access::{Context, Role};
use crate::aggregate::Aggregate;
use crate::decision::{Decision, History, Request, Write, stream_of};
use crate::error::DomainError;
use crate::organization::Organization;
use clouddeck_billing::{Plan, Terms};
use clouddeck_events::{BuildCounted, BuildRefunded, Event, PlanChanged};
use std::collections::BTreeSet;

/// The organization's plan; Free until changed.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationPlan {
    pub plan: Plan,
}

impl Default for OrganizationPlan {
    fn default() -> Self {
        OrganizationPlan { plan: Plan::free() }
    }
}

#[derive(Debug, Clone)]
pub struct ChangePlan {
    pub organization_id: String,
    pub plan: String,
    pub terms: Option<Terms>,
}

/// The plan a `billing.plan_changed` event sets.
pub fn plan_of(event: &PlanChanged) -> Plan {
    let terms = match (event.price_cents, event.bandwidth_gb, event.overage_cents_per_gb) {
        (Some(price_cents), Some(bandwidth_gb), Some(overage_cents_per_gb)) => {
            Some(Terms { price_cents, builds_per_month: event.builds_per_month, bandwidth_gb, overage_cents_per_gb })
        }
        _ => None,
    };
    // Events were validated when decided; an unreadable plan falls back to Free's limits.
    Plan::new(&event.to_plan, terms).unwrap_or_else(|_| Plan::free())
}

impl Aggregate for OrganizationPlan {
    type Command = ChangePlan;
    const KIND: &'static str = "billing";

    fn evolve(self, event: &Event) -> Self {
        match event {
            Event::PlanChanged(e) => OrganizationPlan { plan: plan_of(e) },
            _ => self,
        }
    }

    fn decide(&self, command: ChangePlan, ctx: &Context) -> Result<Vec<Event>, DomainError> {
        ctx.require(Role::Owner, "changing the plan")?;
        let plan = Plan::new(&command.plan, command.terms).map_err(|e| DomainError::invalid("plan", e))?;
        if plan == self.plan {
            return Ok(vec![]);
        }
        let terms = command.terms;
        Ok(vec![
            PlanChanged {
                organization_id: command.organization_id,
                from_plan: self.plan.name.clone(),
                to_plan: plan.name,
                price_cents: terms.map(|t| t.price_cents),
                builds_per_month: terms.and_then(|t| t.builds_per_month),
                bandwidth_gb: terms.map(|t| t.bandwidth_gb),
                overage_cents_per_gb: terms.map(|t| t.overage_cents_per_gb),
            }
            .into(),
        ])
    }
}

/// Builds counted in one organization's month, less those given back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BuildCount {
    pub count: i64,
    /// Deployments counted this month, and those given back (a refund comes once).
    pub counted: BTreeSet<String>,
    pub refunded: BTreeSet<String>,
}

#[derive(Debug, Clone)]
pub struct CountBuild {
    pub organization_id: String,
    pub project_id: String,
    pub deployment_id: String,
    pub period: String,
    pub plan: Plan,
}

impl Aggregate for BuildCount {
    type Command = CountBuild;
    const KIND: &'static str = "builds";

    fn evolve(self, event: &Event) -> Self {
        match event {
            Event::BuildCounted(e) => {
                let mut next = self;
                next.count += 1;
                next.counted.insert(e.deployment_id.clone());
                next
            }
            Event::BuildRefunded(e) => {
                let mut next = self;
                next.count -= 1;
                next.refunded.insert(e.deployment_id.clone());
                next
            }
            _ => self,
        }
    }

    fn decide(&self, command: CountBuild, _: &Context) -> Result<Vec<Event>, DomainError> {
        if !command.plan.allows_build(self.count) {
            return Err(DomainError::QuotaExceeded(format!(
                "the {} plan allows {} builds a month and {} have been used in {}; upgrade the plan to build more",
                command.plan.name,
                command.plan.builds_per_month.unwrap_or_default(),
                self.count,
                command.period
            )));
        }
        Ok(vec![
            BuildCounted {
                organization_id: command.organization_id,
                project_id: command.project_id,
                deployment_id: command.deployment_id,
                period: command.period,
            }
            .into(),
        ])
    }
}

/// Gives back the build a deployment counted when the platform failed it (the deployer's
/// command, not a user's): nothing when that month's counter never counted it or already
/// gave it back, so a retry writes nothing twice.
#[derive(Debug, Clone)]
pub struct RefundBuild {
    pub organization_id: String,
    pub project_id: String,
    pub deployment_id: String,
    /// When the deployment was requested (ms): its month's counter counted it.
    pub requested_at_ms: i64,
    pub reason: String,
}

impl RefundBuild {
    fn counter(&self) -> String {
        stream_of::<BuildCount>(&build_counter_id(&self.organization_id, &self.period()))
    }

    fn period(&self) -> String {
        clouddeck_billing::period_of(self.requested_at_ms)
    }
}

impl Decision for RefundBuild {
    fn key(&self) -> String {
        self.counter()
    }

    fn streams(&self, _read: &History, _request: &Request) -> Vec<String> {
        vec![self.counter()]
    }

    fn decide(&self, read: &History, _request: &Request) -> Result<Vec<Write>, DomainError> {
        let count = read.state::<BuildCount>(&build_counter_id(&self.organization_id, &self.period()));
        if !count.counted.contains(&self.deployment_id) || count.refunded.contains(&self.deployment_id) {
            return Ok(Vec::new());
        }
        let refunded = BuildRefunded {
            organization_id: self.organization_id.clone(),
            project_id: self.project_id.clone(),
            deployment_id: self.deployment_id.clone(),
            period: self.period(),
            reason: self.reason.clone(),
        };
        Ok(vec![Write::checked(self.counter(), vec![refunded.into()])])
    }
}

/// The counter's id for an organization's month.
pub fn build_counter_id(organization_id: &str, period: &str) -> String {
    format!("{organization_id}-{period}")
}

/// Changes an organization's plan (its owner only).
#[derive(Debug, Clone)]
pub struct ChangePlanDecision(pub ChangePlan);

impl Decision for ChangePlanDecision {
    fn key(&self) -> String {
        self.0.organization_id.clone()
    }

    fn streams(&self, _read: &History, _request: &Request) -> Vec<String> {
        let id = &self.0.organization_id;
        vec![stream_of::<Organization>(id), stream_of::<OrganizationPlan>(id)]
    }

    fn decide(&self, read: &History, request: &Request) -> Result<Vec<Write>, DomainError> {
        let id = &self.0.organization_id;
        if read.version(&stream_of::<Organization>(id)) == 0 {
            return Err(DomainError::not_found("organization", id));
        }
        let ctx = request.context_in(&read.state::<Organization>(id));
        let events = read.state::<OrganizationPlan>(id).decide(self.0.clone(), &ctx)?;
        Ok(vec![Write::checked(stream_of::<OrganizationPlan>(id), events)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clouddeck_events::Actor;

    fn as_role(role: Option<Role>) -> Context {
        Context { actor: Actor::User("u-1".into()), role, now_ms: 0 }
    }

    fn change(plan: &str, terms: Option<Terms>) -> ChangePlan {
        ChangePlan { organization_id: "o-1".into(), plan: plan.into(), terms }
    }

    #[test]
    fn only_the_owner_changes_the_plan() {
        let free = OrganizationPlan::default();
        for role in [Some(Role::Admin), Some(Role::Developer), Some(Role::Viewer), None] {
            assert!(matches!(free.decide(change("pro", None), &as_role(role)), Err(DomainError::Forbidden(_))));
        }
        let events = free.decide(change("pro", None), &as_role(Some(Role::Owner))).unwrap();
        let pro = OrganizationPlan::replay(&events);
        assert_eq!(pro.plan.name, "pro");
        assert!(pro.decide(change("pro", None), &as_role(Some(Role::Owner))).unwrap().is_empty(), "no change");
        assert!(matches!(
            pro.decide(change("gold", None), &as_role(Some(Role::Owner))),
            Err(DomainError::Invalid { .. })
        ));
    }

    #[test]
    fn enterprise_terms_survive_the_log() {
        let terms =
            Terms { price_cents: 99_900, builds_per_month: Some(5_000), bandwidth_gb: 20_000, overage_cents_per_gb: 4 };
        let events =
            OrganizationPlan::default().decide(change("enterprise", Some(terms)), &as_role(Some(Role::Owner))).unwrap();
        assert_eq!(OrganizationPlan::replay(&events).plan, Plan::new("enterprise", Some(terms)).unwrap());
    }

    #[test]
    fn the_limit_refuses_the_build_after_the_last() {
        let count = |n| BuildCount { count: n, ..BuildCount::default() };
        let command = |plan: Plan| CountBuild {
            organization_id: "o-1".into(),
            project_id: "p-1".into(),
            deployment_id: "d-1".into(),
            period: "2026-11".into(),
            plan,
        };
        let ctx = as_role(Some(Role::Developer));
        assert_eq!(count(99).decide(command(Plan::free()), &ctx).unwrap().len(), 1);
        let refused = count(100).decide(command(Plan::free()), &ctx).unwrap_err();
        assert!(matches!(&refused, DomainError::QuotaExceeded(m) if m.contains("100 builds a month")), "{refused}");
        let business = Plan::new("business", None).unwrap();
        assert!(count(1_000_000).decide(command(business), &ctx).is_ok());
    }

    #[test]
    fn a_refund_gives_one_build_back_once() {
        let counted = BuildCounted {
            organization_id: "o-1".into(),
            project_id: "p-1".into(),
            deployment_id: "d-1".into(),
            period: "2026-11".into(),
        };
        let refunded = BuildRefunded {
            organization_id: "o-1".into(),
            project_id: "p-1".into(),
            deployment_id: "d-1".into(),
            period: "2026-11".into(),
            reason: "the edge never routed the deployment".into(),
        };
        let once = BuildCount::replay(&[counted.clone().into(), refunded.into()]);
        assert_eq!(once.count, 0);
        assert!(once.refunded.contains("d-1"));
        // a build at the limit again, once a failed one is given back
        let full = BuildCount::replay(&vec![Event::from(counted); 100]);
        let command = CountBuild {
            organization_id: "o-1".into(),
            project_id: "p-1".into(),
            deployment_id: "d-2".into(),
            period: "2026-11".into(),
            plan: Plan::free(),
        };
        assert!(full.decide(command.clone(), &as_role(Some(Role::Developer))).is_err());
        assert!(once.decide(command, &as_role(Some(Role::Developer))).is_ok());
    }
}

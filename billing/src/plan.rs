//! The plans: what each includes and what it costs. Builds over the limit are refused (by
//! the command handlers); bandwidth over it is blocked on Free (the edge stops serving the
//! organization's sites until the month ends or the plan changes) and billed per GB on the
//! paid plans.

use serde::{Deserialize, Serialize};

/// Bandwidth is sold in decimal gigabytes, as every host bills it.
pub const GB: i64 = 1_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Overage {
    /// Past the included bandwidth, the organization's sites stop being served.
    Blocked,
    /// Past the included bandwidth, each started GB costs this much.
    Billed { cents_per_gb: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// free, pro, business or enterprise.
    pub name: String,
    pub price_cents: i64,
    /// `None`: unlimited.
    pub builds_per_month: Option<i64>,
    pub bandwidth_bytes: i64,
    pub overage: Overage,
    /// Bytes an organization may keep uploaded (distinct blobs, counted once however many
    /// deployments use them); `None`: unlimited.
    pub storage_bytes: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    Unknown(String),
    /// Enterprise needs its terms; the others take none.
    Terms(&'static str),
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::Unknown(name) => {
                write!(f, "`{name}` is not a plan (free, pro, business or enterprise)")
            }
            PlanError::Terms(reason) => f.write_str(reason),
        }
    }
}

/// Enterprise's negotiated terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    pub price_cents: i64,
    pub builds_per_month: Option<i64>,
    pub bandwidth_gb: i64,
    pub overage_cents_per_gb: i64,
}

impl Plan {
    pub fn free() -> Plan {
        Plan {
            name: "free".into(),
            price_cents: 0,
            builds_per_month: Some(100),
            bandwidth_bytes: 100 * GB,
            overage: Overage::Blocked,
            storage_bytes: Some(5 * GB),
        }
    }

    /// A plan by name; Enterprise with its terms.
    pub fn new(name: &str, terms: Option<Terms>) -> Result<Plan, PlanError> {
        let plan = match (name, terms) {
            ("free", None) => Plan::free(),
            ("pro", None) => Plan {
                name: "pro".into(),
                price_cents: 2_000,
                builds_per_month: Some(1_000),
                bandwidth_bytes: 1_000 * GB,
                overage: Overage::Billed { cents_per_gb: 15 },
                storage_bytes: Some(100 * GB),
            },
            ("business", None) => Plan {
                name: "business".into(),
                price_cents: 10_000,
                builds_per_month: None,
                bandwidth_bytes: 10_000 * GB,
                overage: Overage::Billed { cents_per_gb: 10 },
                storage_bytes: Some(1_000 * GB),
            },
            ("enterprise", Some(terms)) => {
                let negative = terms.price_cents < 0
                    || terms.bandwidth_gb < 0
                    || terms.overage_cents_per_gb < 0
                    || terms.builds_per_month.is_some_and(|b| b < 0);
                if negative {
                    return Err(PlanError::Terms("enterprise terms must not be negative"));
                }
                Plan {
                    name: "enterprise".into(),
                    price_cents: terms.price_cents,
                    builds_per_month: terms.builds_per_month,
                    bandwidth_bytes: terms.bandwidth_gb.saturating_mul(GB),
                    overage: Overage::Billed { cents_per_gb: terms.overage_cents_per_gb },
                    storage_bytes: None,
                }
            }
            ("enterprise", None) => return Err(PlanError::Terms("enterprise needs its terms (price, limits)")),
            ("free" | "pro" | "business", Some(_)) => {
                return Err(PlanError::Terms("only enterprise takes custom terms"));
            }
            (other, _) => return Err(PlanError::Unknown(other.chars().take(40).collect())),
        };
        Ok(plan)
    }

    /// Whether one more build fits after `already` this month.
    pub fn allows_build(&self, already: i64) -> bool {
        self.builds_per_month.is_none_or(|limit| already < limit)
    }

    /// Whether `adding` more bytes fit beside the `stored` ones.
    pub fn allows_storage(&self, stored: i64, adding: i64) -> bool {
        self.storage_bytes.is_none_or(|limit| stored.saturating_add(adding) <= limit)
    }

    /// Whether serving stops after `bandwidth_bytes` this month.
    pub fn blocks_at(&self, bandwidth_bytes: i64) -> bool {
        self.overage == Overage::Blocked && bandwidth_bytes >= self.bandwidth_bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tiers_and_their_limits() {
        let free = Plan::new("free", None).unwrap();
        assert!(free.allows_build(99) && !free.allows_build(100));
        assert!(free.allows_storage(5 * GB - 10, 10) && !free.allows_storage(5 * GB - 10, 11));
        assert!(!free.blocks_at(100 * GB - 1) && free.blocks_at(100 * GB));
        let pro = Plan::new("pro", None).unwrap();
        assert_eq!((pro.price_cents, pro.builds_per_month), (2_000, Some(1_000)));
        assert!(!pro.blocks_at(i64::MAX), "paid plans bill overage instead");
        let business = Plan::new("business", None).unwrap();
        assert!(business.allows_build(1_000_000), "unlimited builds");
        let terms =
            Terms { price_cents: 500_000, builds_per_month: None, bandwidth_gb: 50_000, overage_cents_per_gb: 5 };
        let enterprise = Plan::new("enterprise", Some(terms)).unwrap();
        assert_eq!(enterprise.bandwidth_bytes, 50_000 * GB);
    }

    #[test]
    fn bad_plans_are_named() {
        assert_eq!(Plan::new("gold", None), Err(PlanError::Unknown("gold".into())));
        assert!(matches!(Plan::new("enterprise", None), Err(PlanError::Terms(_))));
        let terms = Terms { price_cents: -1, builds_per_month: None, bandwidth_gb: 1, overage_cents_per_gb: 1 };
        assert!(matches!(Plan::new("enterprise", Some(terms)), Err(PlanError::Terms(_))));
        assert!(matches!(Plan::new("pro", Some(terms)), Err(PlanError::Terms(_))));
    }
}

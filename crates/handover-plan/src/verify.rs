//! Is the lock-out complete? Compares a plan with the current inventory.

use handover_core::{AccountStatus, Inventory, Plan};
use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Remaining {
    /// Active accounts of the person: `(account key, last used)`.
    pub active_accounts: Vec<(String, Option<jiff::civil::Date>)>,
    /// Credentials they hold that were not rotated since the plan was made.
    pub unrotated_secrets: Vec<String>,
    /// Records that still name them as owner, holder, lead …: `KIND:KEY (field)`.
    pub still_named: Vec<String>,
}

impl Remaining {
    pub fn is_empty(&self) -> bool {
        self.active_accounts.is_empty() && self.unrotated_secrets.is_empty()
    }
}

/// What of the person's access is still there, by the latest data in the inventory.
pub fn verify(inv: &Inventory, plan: &Plan) -> Remaining {
    let person = plan.person.as_str();
    let active_accounts = inv
        .accounts()
        .filter(|a| a.person.as_deref() == Some(person) && a.status == AccountStatus::Active)
        .map(|a| (handover_core::Account::key_of(&a.system, &a.name), a.last_used))
        .collect();
    let unrotated_secrets = inv
        .credentials()
        .filter(|c| {
            c.holders.iter().any(|h| h == person) || plan.tasks.iter().any(|t| t.targets.contains(&format!("credential:{}", c.key)))
        })
        .filter(|c| c.last_rotated.is_none_or(|d| d < plan.created))
        .map(|c| c.key.clone())
        .collect();
    let still_named = inv
        .referrers(handover_core::Kind::Person, person)
        .into_iter()
        .filter(|(k, key, field)| {
            // Records of what happened (plans, acceptances, closed reviews) keep naming people.
            let closed_review = *k == handover_core::Kind::Review
                && matches!(inv.get(*k, key), Some(handover_core::Record::Review(r)) if r.status == handover_core::ReviewStatus::Closed);
            !matches!(k, handover_core::Kind::Account | handover_core::Kind::Plan | handover_core::Kind::Acceptance)
                && field != "manager"
                && !closed_review
        })
        .map(|(k, key, field)| format!("{k}:{key} ({field})"))
        .collect();
    Remaining { active_accounts, unrotated_secrets, still_named }
}

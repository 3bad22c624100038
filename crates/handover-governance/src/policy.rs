//! Reviews of policies and plans (seed 000 §4): a review names a reviewer who is still here
//! and says what was checked, changed or decided; it moves `last_reviewed` to the day, so the
//! next review falls due by the policy's interval.

use handover_core::{ErrorCode, Inventory, PersonStatus, Policy, PolicyReview};
use jiff::civil::Date;

/// Records a review of `policy` by person `reviewer` on `today`.
pub fn review(inv: &Inventory, policy: &mut Policy, reviewer: &str, notes: &str, today: Date) -> Result<(), (ErrorCode, String)> {
    let person = inv
        .person(reviewer)
        .ok_or_else(|| (ErrorCode::RecordNotFound, format!("there is no person {reviewer:?}; `handover person list` shows the keys")))?;
    if person.status == PersonStatus::Left {
        return Err((ErrorCode::InvalidField, format!("{reviewer} has left; a review needs a reviewer who is here")));
    }
    if notes.trim().is_empty() {
        return Err((ErrorCode::MissingField, "a review needs notes: what was checked, changed or decided".into()));
    }
    policy.reviews.push(PolicyReview { on: today, reviewer: reviewer.to_string(), notes: notes.trim().to_string() });
    policy.last_reviewed = Some(today);
    Ok(())
}

//! System intake — shadow IT (seeds 001, 002): a system bought or built around IT is
//! `pending` until someone is answerable for each thing that keeps it running. What is
//! required, in order:
//!
//! 1. a business owner (`owner`);
//! 2. a technical owner (`technical_owners`);
//! 3. a vendor (`vendor`) with a named contact (a contact of that vendor);
//! 4. a maintenance agreement (`maintenance_contract`), or a recorded decision to go
//!    without — who accepted that risk and why;
//! 5. a patching owner and a real cadence (`patching`: not `none` or `ad_hoc`);
//! 6. documentation (`docs`).

use handover_core::{ErrorCode, Intake, IntakeStatus, Inventory, System, Waiver};
use jiff::civil::Date;
use serde::Serialize;

/// One system that came through intake, with what it still lacks (`intake list`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub system: String,
    pub name: String,
    pub tier: u8,
    pub status: IntakeStatus,
    pub requested_by: String,
    pub requested_on: Date,
    pub missing: Vec<&'static str>,
}

/// Systems under intake — pending ones, or with `all` accepted ones too.
pub fn list(inv: &Inventory, all: bool) -> Vec<Row> {
    inv.systems()
        .filter_map(|s| s.intake.as_ref().map(|i| (s, i)))
        .filter(|(_, i)| all || i.status == IntakeStatus::Pending)
        .map(|(s, i)| Row {
            system: s.key.clone(),
            name: s.name.clone(),
            tier: s.tier,
            status: i.status,
            requested_by: i.requested_by.clone(),
            requested_on: i.requested_on,
            missing: missing(inv, s),
        })
        .collect()
}

/// What the system still lacks, in the order above; empty when it can be accepted.
pub fn missing(inv: &Inventory, system: &System) -> Vec<&'static str> {
    system.intake_gaps(inv)
}

/// A new intake record, pending.
pub fn request(requested_by: &str, today: Date) -> Intake {
    Intake {
        requested_by: requested_by.to_string(),
        requested_on: today,
        status: IntakeStatus::Pending,
        accepted_by: None,
        accepted_on: None,
        no_maintenance: None,
    }
}

fn pending(system: &System) -> Result<&Intake, (ErrorCode, String)> {
    match &system.intake {
        None => Err((ErrorCode::InvalidField, format!("{} did not come through intake", system.key))),
        Some(i) if i.status == IntakeStatus::Accepted => Err((ErrorCode::Conflict, format!("{} was already accepted", system.key))),
        Some(i) => Ok(i),
    }
}

/// Records the decision to run without a maintenance agreement.
pub fn waive_maintenance(system: &mut System, by: &str, reason: &str, today: Date) -> Result<(), (ErrorCode, String)> {
    pending(system)?;
    if reason.trim().is_empty() {
        return Err((ErrorCode::MissingField, "give the reason the system can run without a maintenance agreement".into()));
    }
    if let Some(i) = system.intake.as_mut() {
        i.no_maintenance = Some(Waiver { accepted_by: by.to_string(), reason: reason.trim().to_string(), on: today });
    }
    Ok(())
}

/// Accepts the system into IT's care; refused, with the list, while anything is missing.
pub fn accept(inv: &Inventory, system: &mut System, by: &str, today: Date) -> Result<(), (ErrorCode, String)> {
    pending(system)?;
    let gaps = missing(inv, system);
    if !gaps.is_empty() {
        return Err((ErrorCode::MissingField, format!("{} cannot be accepted yet; it lacks {}", system.key, gaps.join("; "))));
    }
    if let Some(i) = system.intake.as_mut() {
        i.status = IntakeStatus::Accepted;
        i.accepted_by = Some(by.to_string());
        i.accepted_on = Some(today);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use handover_core::{Kind, PatchCadence, Record};
    use jiff::civil::date;
    use serde_json::json;

    fn inv() -> Inventory {
        let mut inv = Inventory::new();
        for (kind, v) in [
            (Kind::Person, json!({"key": "ops", "name": "Olive Ops"})),
            (Kind::Person, json!({"key": "fin", "name": "Fin Ance"})),
            (Kind::Vendor, json!({"key": "acme", "name": "Acme Integrations"})),
            (Kind::System, json!({"key": "erp-link", "name": "ERP integration", "tier": 2})),
        ] {
            inv.insert(Record::from_json(kind, v).unwrap());
        }
        inv
    }

    fn system(inv: &Inventory) -> System {
        let mut s = inv.system("erp-link").unwrap().clone();
        s.intake = Some(request("fin", date(2026, 11, 1)));
        s
    }

    #[test]
    fn an_intake_is_accepted_only_once_nothing_is_missing() {
        let mut inv = inv();
        let mut s = system(&inv);
        assert_eq!(missing(&inv, &s).len(), 6);
        assert_eq!(accept(&inv, &mut s, "ops", date(2026, 11, 26)).unwrap_err().0, ErrorCode::MissingField);
        s.owner = Some("fin".into());
        s.technical_owners = vec!["ops".into()];
        s.vendor = Some("acme".into());
        assert_eq!(
            missing(&inv, &s),
            vec![
                "a named contact at the vendor",
                "a maintenance agreement, or a recorded decision to go without",
                "a patching owner and cadence",
                "documentation"
            ]
        );
        inv.insert(Record::from_json(Kind::Contact, json!({"key": "acme-dev", "name": "Dev Eloper", "vendor": "acme"})).unwrap());
        assert_eq!(waive_maintenance(&mut s, "fin", " ", date(2026, 11, 20)).unwrap_err().0, ErrorCode::MissingField);
        waive_maintenance(&mut s, "fin", "in-house fixes by Acme on a time-and-materials basis", date(2026, 11, 20)).unwrap();
        s.patching = Some(handover_core::Patching { owner: Some("ops".into()), cadence: PatchCadence::AdHoc });
        assert_eq!(missing(&inv, &s), vec!["a patching owner and cadence", "documentation"]);
        s.patching = Some(handover_core::Patching { owner: Some("ops".into()), cadence: PatchCadence::Monthly });
        s.docs = vec![handover_core::DocLink {
            title: "Runbook".into(),
            url: "https://wiki.example.com/erp-link".into(),
            last_reviewed: None,
            author: None,
        }];
        assert!(missing(&inv, &s).is_empty());
        accept(&inv, &mut s, "ops", date(2026, 11, 26)).unwrap();
        assert_eq!(s.intake.as_ref().unwrap().status, IntakeStatus::Accepted);
        assert_eq!(accept(&inv, &mut s, "ops", date(2026, 11, 26)).unwrap_err().0, ErrorCode::Conflict);
        let mut with = inv.clone();
        with.insert(Record::from(s));
        assert!(with.validate().is_empty(), "{:?}", with.validate());
    }
}

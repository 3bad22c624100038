//! Incident timelines (seed 004): opened with a first entry, written to as it happens —
//! notes, decisions and actions with who and when — and closed with a summary. Nothing is
//! added after closing; entries before the start are refused by validation.

use handover_core::{EntryKind, ErrorCode, Incident, IncidentStatus, Inventory, TimelineEntry};
use jiff::civil::DateTime;

/// What to open an incident with.
pub struct Opening {
    pub key: String,
    pub title: String,
    /// Who opens it (the first timeline entry).
    pub by: String,
    pub commander: Option<String>,
    pub scenario: Option<String>,
    pub systems: Vec<String>,
    pub at: DateTime,
}

/// A new open incident whose timeline starts with "Incident opened".
pub fn open(o: Opening) -> Incident {
    Incident {
        key: o.key,
        title: o.title,
        scenario: o.scenario.filter(|s| !s.trim().is_empty()),
        started: o.at,
        commander: o.commander.filter(|c| !c.trim().is_empty()),
        status: IncidentStatus::Open,
        closed: None,
        systems: o.systems,
        timeline: vec![TimelineEntry { at: o.at, by: o.by, kind: EntryKind::Note, text: "Incident opened".into() }],
    }
}

/// Adds an entry by person `by` at `at`, keeping the timeline in time order.
pub fn log(inv: &Inventory, i: &mut Incident, by: &str, kind: EntryKind, text: &str, at: DateTime) -> Result<(), (ErrorCode, String)> {
    if i.status == IncidentStatus::Closed {
        return Err((ErrorCode::Conflict, format!("incident {} is closed", i.key)));
    }
    if inv.person(by).is_none() {
        return Err((ErrorCode::RecordNotFound, format!("there is no person {by:?}; `handover person list` shows the keys")));
    }
    if text.trim().is_empty() {
        return Err((ErrorCode::MissingField, "say what happened".into()));
    }
    i.timeline.push(TimelineEntry { at, by: by.to_string(), kind, text: text.trim().to_string() });
    i.timeline.sort_by_key(|e| e.at);
    Ok(())
}

/// Closes the incident with its summary as the last entry.
pub fn close(inv: &Inventory, i: &mut Incident, by: &str, summary: &str, at: DateTime) -> Result<(), (ErrorCode, String)> {
    if summary.trim().is_empty() {
        return Err((ErrorCode::MissingField, "say how it ended: the closing summary".into()));
    }
    log(inv, i, by, EntryKind::Note, &format!("Closed: {}", summary.trim()), at)?;
    i.status = IncidentStatus::Closed;
    i.closed = Some(at);
    Ok(())
}

/// Open incidents first, then the newest.
pub fn sorted(inv: &Inventory) -> Vec<&Incident> {
    let mut all: Vec<&Incident> = inv.incidents().collect();
    all.sort_by_key(|i| (i.status == IncidentStatus::Closed, std::cmp::Reverse(i.started)));
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use handover_core::{Kind, Record};
    use jiff::civil::date;

    #[test]
    fn a_timeline_is_kept_in_order_and_closed_once() {
        let mut inv = Inventory::new();
        inv.insert(Record::from_json(Kind::Person, serde_json::json!({"key": "tom", "name": "Tom"})).unwrap());
        let t0 = date(2026, 11, 26).at(8, 5, 0, 0);
        let mut i = open(Opening {
            key: "ransom".into(),
            title: "Ransomware".into(),
            by: "tom".into(),
            commander: Some(String::new()),
            scenario: None,
            systems: vec![],
            at: t0,
        });
        assert_eq!(i.commander, None);
        log(&inv, &mut i, "tom", EntryKind::Decision, " isolate ", date(2026, 11, 26).at(8, 30, 0, 0)).unwrap();
        log(&inv, &mut i, "tom", EntryKind::Action, "call insurer", date(2026, 11, 26).at(8, 20, 0, 0)).unwrap();
        assert_eq!(i.timeline.iter().map(|e| e.text.as_str()).collect::<Vec<_>>(), ["Incident opened", "call insurer", "isolate"]);
        assert_eq!(log(&inv, &mut i, "nobody", EntryKind::Note, "x", t0).unwrap_err().0, ErrorCode::RecordNotFound);
        assert_eq!(log(&inv, &mut i, "tom", EntryKind::Note, " ", t0).unwrap_err().0, ErrorCode::MissingField);
        assert_eq!(close(&inv, &mut i, "tom", "", t0).unwrap_err().0, ErrorCode::MissingField);
        close(&inv, &mut i, "tom", "restored", date(2026, 11, 26).at(12, 0, 0, 0)).unwrap();
        assert_eq!(i.status, IncidentStatus::Closed);
        assert_eq!(close(&inv, &mut i, "tom", "again", date(2026, 11, 26).at(13, 0, 0, 0)).unwrap_err().0, ErrorCode::Conflict);
    }
}

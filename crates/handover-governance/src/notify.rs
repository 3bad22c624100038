//! Reminders by e-mail (`handover notify`): what is due, grouped into one message per
//! person who should act, without telling anyone the same thing twice.
//!
//! Pure: the caller passes what `due` found and the reminders already sent (read back from
//! the event log, where each sent message is a `notification` event whose body is a
//! [`Sent`]); sending and recording are the caller's.
//!
//! A reminder is identified by (person, subject, what, due date, overdue). So a person is
//! told once about a deadline while it is coming, and once more if it passes undone — not
//! every day. A moved deadline (a policy reviewed, a contract renewed) or a new owner is a
//! new reminder.

use handover_analysis::due::Due;
use handover_core::{Inventory, PersonStatus};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// The event kind a sent message is recorded as.
pub const EVENT_KIND: &str = "notification";

/// One item of a reminder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// `KIND:KEY` of what is due.
    pub subject: String,
    /// The kind of deadline (`policy review`, `contract end`, …).
    pub what: String,
    pub due: Date,
    pub overdue: bool,
    #[serde(default)]
    pub title: String,
}

impl Item {
    fn from_due(d: &Due) -> Item {
        Item { subject: d.subject.clone(), what: d.what.to_string(), due: d.due, overdue: d.overdue, title: d.title.clone() }
    }
}

/// What identifies a reminder already sent: person, subject, what, due date, overdue.
pub type SentKey = (String, String, String, Date, bool);

/// The body of a `notification` event: one message sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    /// The person's key.
    pub person: String,
    /// The address it went to.
    pub to: String,
    pub items: Vec<Item>,
}

impl Sent {
    pub fn keys(&self) -> impl Iterator<Item = SentKey> + '_ {
        self.items.iter().map(|i| (self.person.clone(), i.subject.clone(), i.what.clone(), i.due, i.overdue))
    }
}

/// One e-mail to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub person: String,
    pub name: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub items: Vec<Item>,
}

impl Message {
    /// What to record once it has been sent.
    pub fn sent(&self) -> Sent {
        Sent { person: self.person.clone(), to: self.to.clone(), items: self.items.clone() }
    }
}

/// An item nobody can be told about, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unrouted {
    pub item: Item,
    pub owner: Option<String>,
    pub reason: String,
}

/// Everything one run would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outbox {
    pub messages: Vec<Message>,
    /// Reminders left out because they were sent before.
    pub already_sent: usize,
    /// Items with no owner, an owner who is not a person, who has left, or has no e-mail.
    pub nobody: Vec<Unrouted>,
}

/// Groups what is due into one message per owner, leaving out what was already sent.
pub fn compose(inv: &Inventory, due: &[Due], sent: &BTreeSet<SentKey>, today: Date) -> Outbox {
    let mut per_person: BTreeMap<&str, Vec<Item>> = BTreeMap::new();
    let mut nobody = Vec::new();
    let mut already_sent = 0;
    for d in due {
        let item = Item::from_due(d);
        let Some(owner) = d.owner.as_deref() else {
            nobody.push(Unrouted { item, owner: None, reason: "no owner".into() });
            continue;
        };
        let reason = match inv.person(owner) {
            None => Some(format!("{owner} is not a person in the inventory")),
            Some(p) if p.status == PersonStatus::Left => Some(format!("{} has left", p.name)),
            Some(p) if p.email.as_deref().is_none_or(|e| e.trim().is_empty()) => Some(format!("{} has no e-mail address", p.name)),
            Some(_) => None,
        };
        if let Some(reason) = reason {
            nobody.push(Unrouted { item, owner: Some(owner.to_string()), reason });
            continue;
        }
        if sent.contains(&(owner.to_string(), item.subject.clone(), item.what.clone(), item.due, item.overdue)) {
            already_sent += 1;
            continue;
        }
        per_person.entry(owner).or_default().push(item);
    }
    let messages = per_person
        .into_iter()
        .filter_map(|(key, items)| {
            let p = inv.person(key)?;
            let to = p.email.clone()?;
            Some(Message {
                person: key.to_string(),
                name: p.name.clone(),
                to,
                subject: subject(&items),
                body: body(&p.name, &items, today),
                items,
            })
        })
        .collect();
    Outbox { messages, already_sent, nobody }
}

/// The reminders recorded in `notification` event bodies; bodies that do not parse (none
/// should) are skipped rather than stopping every future reminder.
pub fn sent_keys<'a>(bodies: impl IntoIterator<Item = &'a str>) -> BTreeSet<SentKey> {
    bodies.into_iter().filter_map(|b| serde_json::from_str::<Sent>(b).ok()).flat_map(|s| s.keys().collect::<Vec<_>>()).collect()
}

fn subject(items: &[Item]) -> String {
    let overdue = items.iter().filter(|i| i.overdue).count();
    let n = items.len();
    let things = if n == 1 { "1 item".to_string() } else { format!("{n} items") };
    match overdue {
        0 => format!("handover: {things} due soon"),
        o if o == n => format!("handover: {things} overdue"),
        o => format!("handover: {things} due, {o} overdue"),
    }
}

fn body(name: &str, items: &[Item], today: Date) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "Hello {name},\n\nhandover lists these for you to act on, as of {today}:\n");
    for i in items {
        let days = today.until((jiff::Unit::Day, i.due)).map(|s| s.get_days()).unwrap_or(0);
        let when = match days {
            d if d < 0 => format!("OVERDUE since {} ({} days)", i.due, -d),
            0 => format!("due today ({})", i.due),
            1 => format!("due tomorrow ({})", i.due),
            d => format!("due {} (in {d} days)", i.due),
        };
        let _ = writeln!(o, "- {when}: {} — {} ({})", i.what, i.title, i.subject);
    }
    let _ = writeln!(
        o,
        "\n`handover due` lists everything due. You are reminded once before an item falls due and once more if it becomes overdue."
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use handover_core::{Person, Record};

    fn person(key: &str, email: Option<&str>, status: PersonStatus) -> Record {
        Record::from(Person {
            key: key.into(),
            name: key.to_uppercase(),
            email: email.map(str::to_string),
            kind: Default::default(),
            status,
            leaving_on: None,
            left_on: (status == PersonStatus::Left).then(|| jiff::civil::date(2026, 1, 1)),
            title: None,
            department: None,
            manager: None,
            aliases: vec![],
            escrow_key: None,
        })
    }

    fn due(subject: &str, owner: Option<&str>, d: Date, today: Date) -> Due {
        Due {
            due: d,
            what: "policy review",
            subject: subject.into(),
            title: subject.into(),
            owner: owner.map(str::to_string),
            overdue: d < today,
        }
    }

    #[test]
    fn one_message_per_owner_and_nobody_to_tell_is_reported() {
        let today = jiff::civil::date(2026, 11, 26);
        let mut inv = Inventory::default();
        for r in [
            person("ann", Some("ann@x.example"), PersonStatus::Active),
            person("bob", None, PersonStatus::Active),
            person("cy", Some("cy@x.example"), PersonStatus::Left),
        ] {
            inv.insert(r);
        }
        let items = vec![
            due("policy:a", Some("ann"), jiff::civil::date(2026, 11, 1), today),
            due("policy:b", Some("ann"), jiff::civil::date(2026, 12, 1), today),
            due("policy:c", Some("bob"), jiff::civil::date(2026, 12, 1), today),
            due("policy:d", None, jiff::civil::date(2026, 12, 1), today),
            due("policy:e", Some("cy"), jiff::civil::date(2026, 12, 1), today),
            due("policy:f", Some("zed"), jiff::civil::date(2026, 12, 1), today),
        ];
        let out = compose(&inv, &items, &BTreeSet::new(), today);
        assert_eq!(out.messages.len(), 1);
        let m = &out.messages[0];
        assert_eq!((m.to.as_str(), m.items.len()), ("ann@x.example", 2));
        assert_eq!(m.subject, "handover: 2 items due, 1 overdue");
        assert!(m.body.contains("OVERDUE since 2026-11-01 (25 days)") && m.body.contains("in 5 days"), "{}", m.body);
        let reasons: Vec<&str> = out.nobody.iter().map(|n| n.reason.as_str()).collect();
        assert_eq!(reasons, ["BOB has no e-mail address", "no owner", "CY has left", "zed is not a person in the inventory"]);

        // Recorded, then composed again: nothing new; overdue later is a new reminder.
        let bodies: Vec<String> = out.messages.iter().map(|m| serde_json::to_string(&m.sent()).unwrap()).collect();
        let sent = sent_keys(bodies.iter().map(String::as_str));
        let again = compose(&inv, &items, &sent, today);
        assert!(again.messages.is_empty());
        assert_eq!(again.already_sent, 2);
        let later = jiff::civil::date(2026, 12, 2);
        let items_later: Vec<Due> = items.iter().map(|d| due(&d.subject, d.owner.as_deref(), d.due, later)).collect();
        let after = compose(&inv, &items_later, &sent, later);
        assert_eq!(after.messages.len(), 1);
        assert_eq!(after.messages[0].items.iter().map(|i| i.subject.as_str()).collect::<Vec<_>>(), ["policy:b"]);
        assert!(after.messages[0].items[0].overdue);
    }
}

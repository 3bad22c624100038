//! The fields of each record kind as the command line sees them: how a `field=value`
//! argument is typed, and the help text that lists them.

use handover_core::*;

#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    Text,
    Int,
    Bool,
    Date,
    Duration,
    Ref(Kind),
    Refs(Kind),
    Texts,
    Choice(Vec<&'static str>),
    /// Nested data (docs, milestones, risks): given as JSON on the command line.
    Json,
}

pub struct Field {
    pub name: &'static str,
    pub ty: FieldType,
    pub required: bool,
    pub doc: &'static str,
}

fn f(name: &'static str, ty: FieldType, doc: &'static str) -> Field {
    Field { name, ty, required: false, doc }
}

fn req(name: &'static str, ty: FieldType, doc: &'static str) -> Field {
    Field { name, ty, required: true, doc }
}

macro_rules! choice {
    ($e:ty) => {
        FieldType::Choice(<$e>::ALL.iter().map(|v| v.as_str()).collect())
    };
}

pub fn fields(kind: Kind) -> Vec<Field> {
    use FieldType::*;
    match kind {
        Kind::Person => vec![
            req("name", Text, "full name"),
            f("email", Text, "work email, unique"),
            f("kind", choice!(PersonKind), "employee, contractor or vendor staff"),
            f("status", choice!(PersonStatus), "active, leaving (needs leaving_on) or left"),
            f("leaving_on", Date, "last working day, when leaving"),
            f("left_on", Date, "the day they left"),
            f("title", Text, "job title"),
            f("department", Text, "department"),
            f("manager", Ref(Kind::Person), "their manager"),
            f("aliases", Texts, "other usernames and emails"),
            f("escrow_key", Text, "public key escrow shares are encrypted to: age1… or ssh-ed25519 …"),
        ],
        Kind::Role => vec![
            req("name", Text, "e.g. DNS administrator"),
            f("description", Text, "what the role does"),
            f("critical", Bool, "whether the business stops without it"),
            f("holders", Refs(Kind::Person), "who holds it"),
            f("deputies", Refs(Kind::Person), "who stands in"),
            f("systems", Refs(Kind::System), "systems it covers"),
        ],
        Kind::Vendor => vec![
            req("name", Text, "company name"),
            f("kind", choice!(VendorKind), "vendor, msp, partner or reseller"),
            f("website", Text, "URL"),
            f("relationship_owner", Ref(Kind::Person), "who manages the relationship"),
        ],
        Kind::Contact => vec![
            req("name", Text, "name"),
            f("vendor", Ref(Kind::Vendor), "their company"),
            f("email", Text, "email"),
            f("phone", Text, "phone"),
            f("title", Text, "job title"),
            f("systems", Refs(Kind::System), "systems they support"),
            f("projects", Refs(Kind::Project), "projects they work on"),
        ],
        Kind::Contract => vec![
            req("name", Text, "contract name"),
            req("vendor", Ref(Kind::Vendor), "the other party"),
            f("kind", choice!(ContractKind), "maintenance, support, license, subscription, msp, other"),
            f("starts", Date, "start date"),
            f("ends", Date, "end date"),
            f("auto_renew", Bool, "renews unless cancelled"),
            f("notice_days", Int, "notice period in days"),
            f("owner", Ref(Kind::Person), "who manages it"),
            f("systems", Refs(Kind::System), "systems it covers"),
        ],
        Kind::System => vec![
            req("name", Text, "display name"),
            req("tier", Int, "criticality: 1 critical … 4 low"),
            f("kind", choice!(SystemKind), "saas, application, infrastructure, custom or integration"),
            f("description", Text, "what it is for"),
            f("tags", Texts, "e.g. identity-provider, email, remote-access, cloud, dns, backup"),
            f("owner", Ref(Kind::Person), "business owner"),
            f("technical_owners", Refs(Kind::Person), "who runs it"),
            f("vendor", Ref(Kind::Vendor), "who sells or supports it"),
            f("docs", Json, r#"[{"title":…,"url":…,"last_reviewed":"YYYY-MM-DD","author":PERSON}]"#),
            f("rto", Duration, "recovery time objective, e.g. 4h"),
            f("rpo", Duration, "recovery point objective, e.g. 24h"),
            f("maintenance_contract", Ref(Kind::Contract), "the contract that maintains it"),
            f("patching.owner", Ref(Kind::Person), "who applies updates"),
            f("patching.cadence", choice!(PatchCadence), "how often"),
            f("depends_on", Refs(Kind::System), "systems it needs"),
        ],
        Kind::Account => vec![
            req("system", Ref(Kind::System), "the system the account is in"),
            req("name", Text, "the login as the system knows it"),
            f("person", Ref(Kind::Person), "owner; empty = unlinked"),
            f("kind", choice!(AccountKind), "personal, shared, service, group or role"),
            f("status", choice!(AccountStatus), "active or disabled"),
            f("mfa", Bool, "MFA enforced; empty = unknown"),
            f("last_used", Date, "last sign-in"),
            f("created", Date, "creation date"),
            f("member_of", Refs(Kind::Account), "groups/roles it inherits grants from (SYSTEM/NAME,…)"),
        ],
        Kind::Grant => vec![
            req("account", Ref(Kind::Account), "account key, SYSTEM/NAME"),
            req("privilege", Text, "group, role, policy or permission"),
            req("level", choice!(Level), "admin, write or read"),
            f("via", Text, "group or role it is inherited through; empty = direct"),
        ],
        Kind::Credential => vec![
            req("name", Text, "what it is"),
            f("kind", choice!(CredentialKind), "password, api_key, ssh_key, certificate, token, break_glass, other"),
            f("system", Ref(Kind::System), "what it opens"),
            f("location", Text, "where it is kept (never the secret itself)"),
            f("holders", Refs(Kind::Person), "who knows or holds it"),
            f("last_rotated", Date, "last rotation"),
            f("rotation_interval", Duration, "e.g. 90d"),
            f("expires", Date, "expiry"),
        ],
        Kind::Project => vec![
            req("name", Text, "project name"),
            f("status", choice!(ProjectStatus), "planned, active, on_hold, done, cancelled"),
            f("lead", Ref(Kind::Person), "lead"),
            f("backup_lead", Ref(Kind::Person), "who takes over"),
            f("systems", Refs(Kind::System), "systems it touches"),
            f("deadline", Date, "deadline"),
            f("milestones", Json, r#"[{"name":…,"due":"YYYY-MM-DD","done":false}]"#),
            f("risks", Json, r#"[{"description":…,"severity":"high","owner":PERSON}]"#),
        ],
        Kind::Policy => vec![
            req("name", Text, "e.g. Disaster recovery plan"),
            f("kind", choice!(PolicyKind), "security_policy, dr_plan, backup_plan, crisis_plan, …"),
            f("owner", Ref(Kind::Person), "who keeps it current"),
            f("review_interval", Duration, "e.g. 365d"),
            f("last_reviewed", Date, "last review"),
            f("location", Text, "where it is written"),
            f("systems", Refs(Kind::System), "systems it covers"),
            f("reviews", Json, "written by `handover policy review`"),
        ],
        Kind::Acceptance => vec![
            req("rule", Text, "audit rule id, e.g. HO-KEY-001"),
            req("subject", Text, "the finding's subject, KIND:KEY (e.g. system:erp)"),
            req("reason", Text, "why the risk is accepted"),
            req("accepted_by", Ref(Kind::Person), "who accepted it"),
            req("expires", Date, "when it must be looked at again"),
        ],
        Kind::Plan => vec![
            req("person", Ref(Kind::Person), "the person leaving"),
            f("owner", Ref(Kind::Person), "who runs the plan"),
            req("leaving_at", Text, "YYYY-MM-DDTHH:MM"),
            f("tasks", Json, "generated by `handover plan create`"),
        ],
        Kind::Incident => vec![
            req("title", Text, "what is happening"),
            f("scenario", Text, "ransomware, breach, outage, key-person, disaster …"),
            f("commander", Ref(Kind::Person), "who leads the response"),
            f("timeline", Json, "written by `handover incident log`"),
        ],
        Kind::Review => vec![
            req("name", Text, "what the campaign is"),
            req("scope", Text, "system:KEY, person:KEY or all-admin"),
            req("due", Date, "when every item must be decided"),
            f("items", Json, "written by `handover review start` and `review decide`"),
        ],
        Kind::Repository => vec![
            req("url", Text, "clone URL"),
            f("system", Ref(Kind::System), "the system it builds"),
            f("description", Text, "what is in it"),
            f("scan", Json, "written by `handover git scan`"),
        ],
        Kind::Escrow => vec![
            req("name", Text, "e.g. Domain admin break-glass password"),
            f("description", Text, "what it opens and when to use it"),
            f("system", Ref(Kind::System), "the system it opens"),
            f("threshold", Text, "written by `handover escrow add`"),
            f("shares", Json, "written by `handover escrow add` and `rekey`"),
        ],
    }
}

pub fn find(kind: Kind, name: &str) -> Option<Field> {
    fields(kind).into_iter().find(|f| f.name == name)
}

fn type_hint(ty: &FieldType) -> String {
    match ty {
        FieldType::Text => "text".into(),
        FieldType::Int => "number".into(),
        FieldType::Bool => "true|false".into(),
        FieldType::Date => "YYYY-MM-DD".into(),
        FieldType::Duration => "15m|4h|2d|12w".into(),
        FieldType::Ref(k) => k.as_str().to_uppercase(),
        FieldType::Refs(k) => format!("{},…", k.as_str().to_uppercase()),
        FieldType::Texts => "a,b,…".into(),
        FieldType::Choice(c) => c.join("|"),
        FieldType::Json => "JSON".into(),
    }
}

/// The field list shown by `handover KIND --help`.
pub fn help(kind: Kind) -> String {
    let mut out = format!("Fields of a {kind} (set with FIELD=VALUE; an empty VALUE clears the field):\n");
    for field in fields(kind) {
        let name = if field.required { format!("{}*", field.name) } else { field.name.to_string() };
        out.push_str(&format!("  {name:<22} {:<28} {}\n", type_hint(&field.ty), field.doc));
    }
    out.push_str("  (* required)\n");
    out
}

//! The audit rule catalogue: stable ids, titles, default severities, the controls each rule
//! maps to and what to do about it. Ids never change meaning; `docs/rules.md` is generated
//! from this table (`handover audit --rules`).

use handover_core::Severity;
use serde::Serialize;

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rule {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub controls: &'static [&'static str],
    pub remediation: &'static str,
}

pub const SINGLE_ADMIN: Rule = Rule {
    id: "HO-KEY-001",
    title: "Only one person can administer a critical system",
    severity: Severity::High,
    controls: &["NIST SP 800-53 CP-2", "ISO/IEC 27001:2022 A.8.2", "ISO/IEC 27001:2022 A.5.2"],
    remediation: "Name and train a second administrator with a personal admin account; keep a break-glass account in escrow.",
};
pub const SINGLE_KNOWER: Rule = Rule {
    id: "HO-KEY-002",
    title: "Only one person (or no one) knows a critical system",
    severity: Severity::High,
    controls: &["NIST SP 800-53 CP-2", "ISO/IEC 27001:2022 A.5.37", "ISO/IEC 27001:2022 A.5.2"],
    remediation: "Have the knower write the runbook and hold a hand-over session with a named deputy, who then performs a supervised task.",
};
pub const UNDOCUMENTED: Rule = Rule {
    id: "HO-DOC-001",
    title: "Critical system without current documentation",
    severity: Severity::Medium,
    controls: &["ISO/IEC 27001:2022 A.5.37", "NIST SP 800-53 CP-2"],
    remediation: "Write or review the runbook (architecture, access, backup and restore, vendor contacts) and record the review date.",
};
pub const LEAVER_ACCESS: Rule = Rule {
    id: "HO-ACCESS-001",
    title: "Active access of a person who has left",
    severity: Severity::High,
    controls: &[
        "CIS Controls v8 6.2",
        "CIS Controls v8 5.3",
        "ISO/IEC 27001:2022 A.5.18",
        "ISO/IEC 27001:2022 A.6.5",
        "NIST SP 800-53 AC-2",
        "NIST SP 800-53 PS-4",
    ],
    remediation: "Disable the accounts now, rotate any shared secrets the person knew, and find out why the leaver process missed them.",
};
pub const LEAVING_ADMIN: Rule = Rule {
    id: "HO-ACCESS-002",
    title: "Admin access held by a person who is leaving",
    severity: Severity::Medium,
    controls: &["CIS Controls v8 6.2", "ISO/IEC 27001:2022 A.6.5", "NIST SP 800-53 PS-4", "NIST SP 800-53 AC-2"],
    remediation: "Plan the transfer: a successor admin before the last day, revocation on the last day (`handover plan`).",
};
pub const DORMANT: Rule = Rule {
    id: "HO-ACCESS-003",
    title: "Dormant account",
    severity: Severity::Low,
    controls: &["CIS Controls v8 5.3", "ISO/IEC 27001:2022 A.5.18", "NIST SP 800-53 AC-2"],
    remediation: "Disable accounts unused for longer than the threshold; re-enable on request.",
};
pub const ADMIN_NO_MFA: Rule = Rule {
    id: "HO-ACCESS-004",
    title: "Admin access without MFA",
    severity: Severity::High,
    controls: &["CIS Controls v8 6.5", "ISO/IEC 27001:2022 A.8.5", "NIST SP 800-53 IA-2"],
    remediation: "Enforce MFA on every administrative account, or remove its admin rights.",
};
pub const SHARED_ADMIN: Rule = Rule {
    id: "HO-ACCESS-005",
    title: "Shared account with admin rights",
    severity: Severity::Medium,
    controls: &["CIS Controls v8 5.4", "ISO/IEC 27001:2022 A.5.16", "NIST SP 800-53 AC-2", "NIST SP 800-53 IA-2"],
    remediation: "Give each administrator a personal admin account; keep the shared one as break-glass only, its secret in escrow.",
};
pub const UNLINKED: Rule = Rule {
    id: "HO-ACCESS-006",
    title: "Personal account not linked to any person",
    severity: Severity::Low,
    controls: &["CIS Controls v8 5.1", "ISO/IEC 27001:2022 A.5.16", "NIST SP 800-53 AC-2"],
    remediation: "Find the owner and link the account, or disable it.",
};
pub const STALE_SECRET: Rule = Rule {
    id: "HO-SECRET-001",
    title: "Credential not rotated in time",
    severity: Severity::Medium,
    controls: &["ISO/IEC 27001:2022 A.5.17", "NIST SP 800-53 IA-5", "CIS Controls v8 5.2"],
    remediation: "Rotate the credential and record the date; set a rotation interval.",
};
pub const SOLE_SECRET: Rule = Rule {
    id: "HO-SECRET-002",
    title: "Secret known to only one person",
    severity: Severity::High,
    controls: &["NIST SP 800-53 CP-2", "ISO/IEC 27001:2022 A.5.17"],
    remediation: "Put the secret in the break-glass escrow or a shared vault with a second named holder.",
};
pub const EXPIRING_SECRET: Rule = Rule {
    id: "HO-SECRET-003",
    title: "Credential or certificate expiring",
    severity: Severity::Medium,
    controls: &["ISO/IEC 27001:2022 A.5.17", "NIST SP 800-53 IA-5"],
    remediation: "Renew before it expires and record the new expiry.",
};
pub const EXCESSIVE_ADMIN: Rule = Rule {
    id: "HO-PRIV-001",
    title: "Too many people with admin on a system",
    severity: Severity::Medium,
    controls: &["CIS Controls v8 5.4", "ISO/IEC 27001:2022 A.8.2", "NIST SP 800-53 AC-6"],
    remediation: "Review who needs admin (`handover review`), remove it from the rest.",
};
pub const TOXIC_ACCUMULATION: Rule = Rule {
    id: "HO-PRIV-002",
    title: "One person holds admin on many systems",
    severity: Severity::Medium,
    controls: &["ISO/IEC 27001:2022 A.8.2", "NIST SP 800-53 AC-6", "NIST SP 800-53 AC-5"],
    remediation: "Split administration across people; remove admin rights not used for the current job.",
};
pub const CONTRACT_LAPSING: Rule = Rule {
    id: "HO-VENDOR-001",
    title: "Contract ending or ended",
    severity: Severity::Medium,
    controls: &["ISO/IEC 27001:2022 A.5.20", "ISO/IEC 27001:2022 A.5.22"],
    remediation: "Renew, replace or consciously end the contract before its notice period passes.",
};
pub const VENDOR_NO_CONTACT: Rule = Rule {
    id: "HO-VENDOR-002",
    title: "Vendor with no named contact",
    severity: Severity::Low,
    controls: &["ISO/IEC 27001:2022 A.5.19", "ISO/IEC 27001:2022 A.5.22"],
    remediation: "Name an internal relationship owner still with the organisation and record a contact at the vendor.",
};
pub const UNMAINTAINED: Rule = Rule {
    id: "HO-SHADOW-001",
    title: "System without maintenance agreement or patching owner",
    severity: Severity::Medium,
    controls: &["ISO/IEC 27001:2022 A.8.8", "NIST SP 800-53 SI-2", "CIS Controls v8 7.1"],
    remediation: "Agree maintenance with a vendor (or record the decision to go without) and name who applies updates, how often.",
};
pub const POLICY_OVERDUE: Rule = Rule {
    id: "HO-GOV-001",
    title: "Policy or plan overdue for review, or without an owner",
    severity: Severity::Medium,
    controls: &["ISO/IEC 27001:2022 A.5.1", "NIST SP 800-53 CP-2"],
    remediation: "Give it an owner still with the organisation; review it and record the date.",
};
pub const NO_BACKUP_LEAD: Rule = Rule {
    id: "HO-GOV-002",
    title: "Project without a backup lead",
    severity: Severity::Low,
    controls: &["ISO/IEC 27001:2022 A.5.2", "NIST SP 800-53 CP-2"],
    remediation: "Name a backup lead and have the lead write a status report with milestones, deadlines and risks.",
};
pub const SOLO_ROLE: Rule = Rule {
    id: "HO-ROLE-001",
    title: "Critical role with one holder and no deputy",
    severity: Severity::High,
    controls: &["ISO/IEC 27001:2022 A.5.2", "NIST SP 800-53 CP-2"],
    remediation: "Name and train a deputy; record the succession in the succession plan.",
};
pub const CODE_ORPHANED: Rule = Rule {
    id: "HO-CODE-001",
    title: "Code that only people who are leaving or gone know",
    severity: Severity::High,
    controls: &["ISO/IEC 27001:2022 A.5.37", "ISO/IEC 27001:2022 A.6.5", "NIST SP 800-53 CP-2", "NIST SP 800-53 PS-4"],
    remediation: "Before the last day: walk a successor through the code, have them make supervised changes, and document build, deploy and the tricky parts.",
};
pub const CODE_SINGLE_AUTHOR: Rule = Rule {
    id: "HO-CODE-002",
    title: "Repository with a truck factor of one",
    severity: Severity::Medium,
    controls: &["ISO/IEC 27001:2022 A.5.37", "NIST SP 800-53 CP-2"],
    remediation: "Pair a second developer on the main modules (reviews, then changes of their own) until they author files too.",
};
pub const ESCROW_CUSTODIAN_GONE: Rule = Rule {
    id: "HO-ESCROW-001",
    title: "Break-glass escrow with custodians who left or are leaving",
    severity: Severity::High,
    controls: &["ISO/IEC 27001:2022 A.5.17", "ISO/IEC 27001:2022 A.6.5", "NIST SP 800-53 CP-2", "NIST SP 800-53 PS-4"],
    remediation:
        "Rekey it now (`handover escrow rekey`) among custodians who are staying, while enough of the current ones can still open it.",
};
pub const REVIEW_REVOKE_PENDING: Rule = Rule {
    id: "HO-REVIEW-001",
    title: "Access a reviewer decided to revoke is still active",
    severity: Severity::High,
    controls: &["CIS Controls v8 6.2", "ISO/IEC 27001:2022 A.5.18", "NIST SP 800-53 AC-2"],
    remediation: "Remove the access at the source, then re-import the system so handover sees it gone.",
};
pub const REVIEW_OVERDUE: Rule = Rule {
    id: "HO-REVIEW-002",
    title: "Access review past its due date with items undecided",
    severity: Severity::Medium,
    controls: &["CIS Controls v8 5.1", "CIS Controls v8 6.1", "ISO/IEC 27001:2022 A.5.18"],
    remediation:
        "Ask the reviewers named in the campaign to decide their items (`handover review show KEY --mine PERSON`), or reassign them.",
};
pub const INTAKE_PENDING: Rule = Rule {
    id: "HO-INTAKE-001",
    title: "System bought or built outside IT still pending intake",
    severity: Severity::Medium,
    controls: &["CIS Controls v8 1.1", "CIS Controls v8 2.1", "ISO/IEC 27001:2022 A.5.9", "ISO/IEC 27001:2022 A.5.23"],
    remediation: "Name what it lacks (`handover intake list`) — owners, vendor contact, maintenance or a recorded waiver, patching, docs — then `handover intake accept`.",
};

pub const ALL: &[Rule] = &[
    SINGLE_ADMIN,
    SINGLE_KNOWER,
    SOLO_ROLE,
    SOLE_SECRET,
    UNDOCUMENTED,
    LEAVER_ACCESS,
    LEAVING_ADMIN,
    DORMANT,
    ADMIN_NO_MFA,
    SHARED_ADMIN,
    UNLINKED,
    STALE_SECRET,
    EXPIRING_SECRET,
    EXCESSIVE_ADMIN,
    TOXIC_ACCUMULATION,
    CONTRACT_LAPSING,
    VENDOR_NO_CONTACT,
    UNMAINTAINED,
    POLICY_OVERDUE,
    NO_BACKUP_LEAD,
    CODE_ORPHANED,
    CODE_SINGLE_AUTHOR,
    ESCROW_CUSTODIAN_GONE,
    REVIEW_REVOKE_PENDING,
    REVIEW_OVERDUE,
    INTAKE_PENDING,
];

pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter().find(|r| r.id == id)
}

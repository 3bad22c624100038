//! Word lists. Every name here is invented or generic; domains are under `.example`.

pub(crate) const DOMAIN: &str = "synth.example";

pub(crate) const FIRST: &[&str] = &[
    "Aaliyah",
    "Aaron",
    "Abdul",
    "Ada",
    "Adebayo",
    "Aditi",
    "Agnieszka",
    "Ahmed",
    "Aiden",
    "Aisha",
    "Akira",
    "Alba",
    "Alejandro",
    "Alex",
    "Alice",
    "Amara",
    "Amelia",
    "Amir",
    "Ana",
    "Andrei",
    "Angela",
    "Anika",
    "Arjun",
    "Astrid",
    "Ayesha",
    "Beatrix",
    "Ben",
    "Bilal",
    "Bongani",
    "Bruno",
    "Camille",
    "Carlos",
    "Carmen",
    "Chen",
    "Chiara",
    "Chloe",
    "Chidi",
    "Clara",
    "Daniel",
    "Darius",
    "Deepa",
    "Diego",
    "Dmitri",
    "Elena",
    "Elif",
    "Eliza",
    "Emeka",
    "Emil",
    "Emma",
    "Erik",
    "Esther",
    "Farah",
    "Fatima",
    "Felix",
    "Fiona",
    "Freya",
    "Gabriel",
    "Grace",
    "Hana",
    "Hannah",
    "Hassan",
    "Hugo",
    "Ibrahim",
    "Ingrid",
    "Isaac",
    "Isla",
    "Ivan",
    "Jack",
    "Jamal",
    "Jana",
    "Javier",
    "Jia",
    "Joao",
    "Jonas",
    "Julia",
    "Kai",
    "Kamala",
    "Karim",
    "Kate",
    "Kenji",
    "Kofi",
    "Lars",
    "Layla",
    "Leah",
    "Leon",
    "Liam",
    "Lina",
    "Luca",
    "Lucy",
    "Maya",
    "Mei",
    "Mohammed",
    "Nadia",
    "Naomi",
    "Nia",
    "Nikhil",
    "Nina",
    "Noah",
    "Olga",
    "Oliver",
    "Omar",
    "Oscar",
    "Pablo",
    "Priya",
    "Rafael",
    "Rania",
    "Ravi",
    "Rosa",
    "Ruth",
    "Sakura",
    "Samir",
    "Sara",
    "Sean",
    "Sofia",
    "Sven",
    "Tariq",
    "Thandiwe",
    "Theo",
    "Tomas",
    "Uma",
    "Valentina",
    "Victor",
    "Wei",
    "Yara",
    "Yusuf",
    "Zainab",
    "Zara",
    "Zoe",
];

pub(crate) const LAST: &[&str] = &[
    "Abbott",
    "Adeyemi",
    "Alvarez",
    "Andersen",
    "Bailey",
    "Baker",
    "Banerjee",
    "Barker",
    "Becker",
    "Bennett",
    "Bianchi",
    "Bishop",
    "Blake",
    "Bose",
    "Brennan",
    "Brooks",
    "Campbell",
    "Carter",
    "Castillo",
    "Chandra",
    "Clarke",
    "Cohen",
    "Collins",
    "Costa",
    "Cruz",
    "Dahl",
    "Das",
    "Davies",
    "Delgado",
    "Dixon",
    "Dubois",
    "Duncan",
    "Edwards",
    "Ellis",
    "Eriksen",
    "Evans",
    "Farouk",
    "Fischer",
    "Fleming",
    "Flores",
    "Foster",
    "Fraser",
    "Garcia",
    "Gibson",
    "Gomez",
    "Grant",
    "Gupta",
    "Haddad",
    "Hall",
    "Hansen",
    "Harper",
    "Hayes",
    "Hoffmann",
    "Holm",
    "Hughes",
    "Ito",
    "Jackson",
    "Jensen",
    "Johansson",
    "Jones",
    "Kamau",
    "Kapoor",
    "Kaur",
    "Kelly",
    "Khan",
    "Kim",
    "Kowalski",
    "Kruger",
    "Kumar",
    "Larsen",
    "Lee",
    "Lewis",
    "Lindqvist",
    "Lopez",
    "Lynch",
    "Mahmoud",
    "Marsh",
    "Martin",
    "Mbeki",
    "Mendes",
    "Meyer",
    "Mills",
    "Mitchell",
    "Moreau",
    "Morris",
    "Murphy",
    "Nakamura",
    "Nguyen",
    "Novak",
    "Nowak",
    "Obi",
    "Okafor",
    "Olsen",
    "Ortiz",
    "Osei",
    "Park",
    "Patel",
    "Pereira",
    "Petrov",
    "Phillips",
    "Popescu",
    "Quinn",
    "Rahman",
    "Ramos",
    "Reid",
    "Reyes",
    "Richter",
    "Rossi",
    "Russo",
    "Saito",
    "Santos",
    "Schmidt",
    "Scott",
    "Shah",
    "Silva",
    "Singh",
    "Sokolov",
    "Suzuki",
    "Tanaka",
    "Taylor",
    "Thompson",
    "Torres",
    "Turner",
    "Varga",
    "Vasquez",
    "Walker",
    "Wang",
    "Watson",
    "Weber",
    "Wilson",
    "Wong",
    "Yamamoto",
    "Yilmaz",
    "Young",
    "Zhang",
    "Zielinski",
];

/// A department: who leads it, what its people are called, which systems it runs and what
/// those systems manage.
pub(crate) struct DeptDef {
    pub name: &'static str,
    pub slug: &'static str,
    pub weight: u32,
    pub head: &'static str,
    pub lead: &'static str,
    pub titles: &'static [&'static str],
    pub systems: &'static [&'static str],
    pub modules: &'static [&'static str],
}

pub(crate) const LEADERSHIP: DeptDef = DeptDef {
    name: "Leadership",
    slug: "leadership",
    weight: 0,
    head: "Chief Executive Officer",
    lead: "Chief of Staff",
    titles: &["Executive Assistant"],
    systems: &["Board Portal"],
    modules: &["Board Packs", "Minutes"],
};

pub(crate) const IT: DeptDef = DeptDef {
    name: "IT",
    slug: "it",
    weight: 0,
    head: "Head of IT",
    lead: "IT Manager",
    titles: &["Systems Administrator"],
    systems: &[
        "Monitoring",
        "Log Management",
        "Hypervisor Cluster",
        "Storage Array",
        "Patch Management",
        "Password Vault",
        "Certificate Manager",
        "Network Switches",
        "Wireless Controller",
        "Directory Sync",
        "Mobile Device Management",
        "SIEM",
        "Print Server",
        "Configuration Database",
        "Container Platform",
        "Secrets Manager",
        "Load Balancer",
        "Mail Gateway",
        "Web Proxy",
        "Database Cluster",
    ],
    modules: &["Hosts", "Networks", "Alerts", "Policies", "Certificates", "Volumes", "Logs", "Jobs", "Credentials"],
};

pub(crate) const IT_ADMIN_TITLES: &[&str] =
    &["Systems Administrator", "Network Engineer", "Security Engineer", "Cloud Engineer", "Database Administrator"];
pub(crate) const IT_SUPPORT_TITLES: &[&str] = &["IT Support Technician", "Service Desk Analyst"];

/// In the order they appear as the organisation grows.
pub(crate) const OTHER_DEPTS: &[DeptDef] = &[
    DeptDef {
        name: "Operations",
        slug: "operations",
        weight: 18,
        head: "Operations Director",
        lead: "Operations Manager",
        titles: &["Operations Analyst", "Operations Coordinator", "Shift Supervisor", "Planner", "Quality Inspector"],
        systems: &[
            "Warehouse Management",
            "Shift Scheduler",
            "Quality Control Log",
            "Maintenance Planner",
            "Production Dashboard",
            "Inventory Scanner",
            "Health and Safety Register",
        ],
        modules: &["Orders", "Stock", "Locations", "Shipments", "Work Orders", "Assets", "Schedules"],
    },
    DeptDef {
        name: "Sales",
        slug: "sales",
        weight: 14,
        head: "Sales Director",
        lead: "Sales Manager",
        titles: &["Account Executive", "Sales Representative", "Business Development Manager", "Sales Coordinator", "Key Account Manager"],
        systems: &["Quote Builder", "Price List Manager", "Sales Forecasting", "Partner Portal", "Commission Tracker"],
        modules: &["Accounts", "Contacts", "Opportunities", "Quotes", "Leads", "Forecasts", "Price Lists"],
    },
    DeptDef {
        name: "Finance",
        slug: "finance",
        weight: 6,
        head: "Finance Director",
        lead: "Finance Manager",
        titles: &["Accountant", "Accounts Payable Clerk", "Credit Controller", "Financial Analyst", "Payroll Officer"],
        systems: &[
            "Expense Manager",
            "Invoice Capture",
            "Budget Planner",
            "Treasury Portal",
            "Tax Reporting",
            "Fixed Asset Register",
            "Consolidation Tool",
        ],
        modules: &["Invoices", "Payments", "Journals", "Suppliers", "Budgets", "Ledgers", "Bank Accounts", "Expenses"],
    },
    DeptDef {
        name: "Customer Support",
        slug: "customer-support",
        weight: 12,
        head: "Head of Customer Support",
        lead: "Support Team Lead",
        titles: &["Support Agent", "Customer Success Manager", "Returns Coordinator", "Technical Support Specialist"],
        systems: &["Ticketing Desk", "Knowledge Base", "Call Recording", "Live Chat", "Customer Survey Tool", "Telephony"],
        modules: &["Tickets", "Customers", "Articles", "Calls", "Surveys", "Queues"],
    },
    DeptDef {
        name: "Engineering",
        slug: "engineering",
        weight: 16,
        head: "VP Engineering",
        lead: "Engineering Manager",
        titles: &["Software Engineer", "Senior Software Engineer", "QA Engineer", "DevOps Engineer", "Data Engineer", "Product Designer"],
        systems: &[
            "CI Pipeline",
            "Artifact Registry",
            "Error Tracking",
            "Feature Flags",
            "Issue Tracker",
            "Build Farm",
            "Test Lab",
            "Staging Environment",
        ],
        modules: &["Repositories", "Pipelines", "Releases", "Issues", "Environments", "Secrets", "Artifacts"],
    },
    DeptDef {
        name: "Marketing",
        slug: "marketing",
        weight: 6,
        head: "Marketing Director",
        lead: "Marketing Manager",
        titles: &["Marketing Executive", "Content Writer", "Graphic Designer", "Digital Marketing Specialist", "Events Coordinator"],
        systems: &["Website CMS", "Email Campaigns", "Social Scheduler", "Digital Asset Library", "Web Analytics"],
        modules: &["Pages", "Campaigns", "Audiences", "Assets", "Posts", "Analytics"],
    },
    DeptDef {
        name: "People",
        slug: "people",
        weight: 4,
        head: "People Director",
        lead: "HR Manager",
        titles: &["HR Advisor", "Recruiter", "Learning and Development Partner", "HR Administrator"],
        systems: &["Applicant Tracking", "Learning Platform", "Performance Reviews", "Benefits Portal", "Time and Attendance"],
        modules: &["Employees", "Absences", "Salaries", "Reviews", "Candidates", "Courses"],
    },
    DeptDef {
        name: "Logistics",
        slug: "logistics",
        weight: 12,
        head: "Logistics Director",
        lead: "Transport Manager",
        titles: &["Driver", "Dispatcher", "Transport Planner", "Logistics Coordinator", "Fleet Technician"],
        systems: &["Fleet Tracker", "Route Planner", "Delivery App", "Tachograph Analysis", "Yard Management"],
        modules: &["Vehicles", "Routes", "Deliveries", "Drivers", "Depots"],
    },
    DeptDef {
        name: "Legal",
        slug: "legal",
        weight: 2,
        head: "General Counsel",
        lead: "Legal Manager",
        titles: &["Solicitor", "Paralegal", "Compliance Officer", "Contracts Manager"],
        systems: &["Contract Repository", "Matter Management", "Policy Portal", "Discovery Archive"],
        modules: &["Contracts", "Matters", "Policies", "Holds"],
    },
    DeptDef {
        name: "Procurement",
        slug: "procurement",
        weight: 3,
        head: "Head of Procurement",
        lead: "Procurement Manager",
        titles: &["Buyer", "Procurement Analyst", "Supplier Manager"],
        systems: &["Supplier Portal", "Purchase Requisitions", "Tender Platform", "Supplier Risk Register"],
        modules: &["Suppliers", "Requisitions", "Purchase Orders", "Tenders"],
    },
    DeptDef {
        name: "Research",
        slug: "research",
        weight: 5,
        head: "Head of Research",
        lead: "Research Lead",
        titles: &["Research Scientist", "Lab Technician", "Research Analyst", "Data Scientist"],
        systems: &["Lab Notebook", "Sample Tracker", "Data Lake", "Research Wiki", "Instrument Scheduler"],
        modules: &["Experiments", "Samples", "Datasets", "Instruments", "Protocols"],
    },
];

pub(crate) const QUALIFIERS: &[&str] = &[
    "",
    "",
    "",
    "Legacy ",
    "Regional ",
    "Group ",
    "Mobile ",
    "Northern ",
    "Southern ",
    "Central ",
    "Online ",
    "Partner ",
    "Global ",
    "Local ",
    "Self-Service ",
    "Enterprise ",
    "Lite ",
    "Classic ",
    "Next ",
    "Express ",
];
pub(crate) const IT_QUALIFIERS: &[&str] = &[
    "",
    "",
    "Primary ",
    "Secondary ",
    "Datacentre ",
    "Branch ",
    "Legacy ",
    "Cloud ",
    "Internal ",
    "Edge ",
    "Lab ",
    "Core ",
    "Backup ",
    "Guest ",
    "Production ",
    "Staging ",
];

/// Company-wide tools beyond the well-known ones.
pub(crate) const COMPANY_SYSTEMS: &[&str] = &[
    "Expense Claims",
    "Travel Booking",
    "Room Booking",
    "Staff Survey",
    "Electronic Signature",
    "Video Conferencing",
    "Online Whiteboard",
    "Password Manager",
    "Visitor Management",
    "Staff Directory",
    "Recognition Platform",
];

pub(crate) const GENERIC_MODULES: &[&str] = &[
    "Records",
    "Reports",
    "Dashboards",
    "Documents",
    "Workflows",
    "Approvals",
    "Exports",
    "Users",
    "Settings",
    "Audit Log",
    "Integrations",
    "Notifications",
    "Templates",
    "Attachments",
    "Comments",
];
pub(crate) const CLOUD_MODULES: &[&str] =
    &["Compute", "Storage", "Networking", "IAM", "Billing", "Databases", "Kubernetes", "Functions", "Monitoring"];
pub(crate) const ADMIN_PRIVILEGES: &[&str] =
    &["User Management", "Security Settings", "API Keys", "Audit Configuration", "Billing Administration"];

pub(crate) const IDP_READ: &[&str] = &["Member", "Self-Service Password Reset", "Directory Readers", "Reports Reader", "Security Reader"];
pub(crate) const IDP_WRITE: &[&str] = &[
    "User Administrator",
    "Helpdesk Administrator",
    "Groups Administrator",
    "Guest Inviter",
    "Authentication Administrator",
    "License Administrator",
];
pub(crate) const IDP_ADMIN: &[&str] = &[
    "Global Administrator",
    "Privileged Role Administrator",
    "Application Administrator",
    "Conditional Access Administrator",
    "Security Administrator",
];
pub(crate) const EMAIL_READ: &[&str] = &["Address Book", "Message Trace", "Public Folders"];
pub(crate) const EMAIL_WRITE: &[&str] = &["Mailbox", "Calendar", "Send As", "Distribution List Owner", "Shared Mailbox Access"];
pub(crate) const EMAIL_ADMIN: &[&str] = &["Exchange Administrator", "Compliance Search", "Transport Rules"];

pub(crate) const SERVICE_PURPOSES: &[&str] =
    &["backup", "sync", "monitoring", "deploy", "reporting", "etl", "scanner", "integration", "provisioning", "alerts"];
/// Shared logins; the first four are administrative.
pub(crate) const SHARED_NAMES: &[&str] = &[
    "admin",
    "root",
    "administrator",
    "breakglass",
    "helpdesk",
    "reception",
    "ops-shared",
    "finance-team",
    "warehouse-terminal",
    "training",
    "kiosk",
    "night-shift",
];

pub(crate) const VENDOR_PREFIX: &[&str] = &[
    "Amberly",
    "Birchwood",
    "Bluefin",
    "Brightpath",
    "Clearwater",
    "Cobalt",
    "Copperleaf",
    "Driftwood",
    "Ember",
    "Fernbrook",
    "Foxglove",
    "Granite",
    "Greystone",
    "Harbourline",
    "Hollowell",
    "Ironbark",
    "Ivybridge",
    "Jetstream",
    "Kestrel",
    "Kingfisher",
    "Larkspur",
    "Lumen",
    "Meridian",
    "Moorland",
    "Nettlefield",
    "Nimbus",
    "Oakridge",
    "Orchard",
    "Pebblestone",
    "Pinecrest",
    "Quarrystone",
    "Redwood",
    "Riverbend",
    "Saltmarsh",
    "Silverline",
    "Skyward",
    "Stonebridge",
    "Tideway",
    "Thistle",
    "Umberfield",
    "Vantage",
    "Wavecrest",
    "Westerly",
    "Willowmere",
    "Wrenfield",
    "Yarrow",
    "Zephyr",
    "Alderway",
    "Beaconfield",
    "Cinderhill",
];
pub(crate) const VENDOR_SUFFIX: &[&str] = &[
    "Software",
    "Systems",
    "Cloud",
    "Networks",
    "Technologies",
    "Solutions",
    "Data",
    "Labs",
    "Managed Services",
    "Security",
    "Consulting",
    "Digital",
];

pub(crate) const MILESTONES: &[&str] = &[
    "Requirements signed off",
    "Vendor selected",
    "Test environment ready",
    "Data migration rehearsal",
    "User acceptance testing",
    "Training delivered",
    "Go-live",
    "Old system decommissioned",
    "Post-implementation review",
];
pub(crate) const RISKS: &[&str] = &[
    "Only one person understands the current configuration",
    "Vendor support ends before the project does",
    "Custom integration is undocumented",
    "Key staff unavailable during the cutover window",
    "Data quality in the source system is poor",
    "Budget not yet approved for the second phase",
    "Licences renew before the migration completes",
];

/// `Anna Smith` → `anna-smith`; anything but ASCII letters and digits becomes one `-`.
/// Never empty, at most 96 characters (room for a uniqueness suffix within the 128 limit).
pub(crate) fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(96);
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push('x');
    }
    out
}

/// Hands out unique keys: `base`, then `base-2`, `base-3`, …
#[derive(Default)]
pub(crate) struct Uniq {
    next: std::collections::HashMap<String, u32>,
    used: std::collections::HashSet<String>,
}

impl Uniq {
    pub fn is_used(&self, key: &str) -> bool {
        self.used.contains(key)
    }

    /// A key not handed out before, and its number (1 for the bare `base`).
    pub fn key(&mut self, base: &str) -> (String, u32) {
        let mut n = self.next.get(base).copied().unwrap_or(1);
        loop {
            let key = if n == 1 { base.to_string() } else { format!("{base}-{n}") };
            if self.used.insert(key.clone()) {
                self.next.insert(base.to_string(), n + 1);
                return (key, n);
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_unique_keys() {
        assert_eq!(slugify("Anna Smith"), "anna-smith");
        assert_eq!(slugify("  CRM to ERP (sync) "), "crm-to-erp-sync");
        assert_eq!(slugify("---"), "x");
        let mut u = Uniq::default();
        assert_eq!(u.key("a"), ("a".to_string(), 1));
        assert_eq!(u.key("a-2"), ("a-2".to_string(), 1));
        assert_eq!(u.key("a"), ("a-3".to_string(), 3));
        for w in FIRST.iter().chain(LAST) {
            assert!(w.chars().all(|c| c.is_ascii_alphabetic()), "{w}");
        }
    }
}

//! Server-rendered pages. Every page is a struct rendered by an askama template under
//! `templates/`; shared pieces (the chrome around every page, tables, charts) are
//! components that render themselves to escaped HTML. No script is needed anywhere.

mod dashboard;
pub(crate) mod drills;
pub(crate) mod due;
pub(crate) mod findings;
pub(crate) mod imports;
pub(crate) mod incidents;
pub(crate) mod intake;
mod log;
mod login;
pub(crate) mod people;
pub(crate) mod plans;
mod records;
pub(crate) mod reviews;
mod systems;
mod users;

use crate::auth::Auth;
use crate::error::{WebError, WebResult};
use crate::state::{AppState, View};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::{get, post};
use axum::Router;
use handover_core::{ErrorCode, Kind, Record, UserRole};
use std::sync::Arc;

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(dashboard::show))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/people", get(people::list))
        .route("/people/{key}", get(people::show))
        .route("/people/{key}/plan", post(people::create_plan))
        .route("/systems", get(systems::list))
        .route("/systems/{key}", get(systems::show))
        .route("/findings", get(findings::list))
        .route("/findings/accept", post(findings::accept))
        .route("/plans", get(plans::list))
        .route("/plans/{key}", get(plans::show))
        .route("/plans/{key}/tasks/{number}", post(plans::close_task))
        .route("/records/{kind}/{*key}", get(records::show))
        .route("/imports", get(imports::form))
        .route("/imports/preview", post(imports::preview).layer(axum::extract::DefaultBodyLimit::max(imports::MAX_UPLOAD_BYTES)))
        .route("/imports/confirm", post(imports::confirm))
        .route("/reviews", get(reviews::list))
        .route("/reviews/{key}", get(reviews::show))
        .route("/reviews/{key}/items/{item}", post(reviews::decide))
        .route("/due", get(due::list))
        .route("/intake", get(intake::list).post(intake::add))
        .route("/intake/{key}/facts", post(intake::facts))
        .route("/intake/{key}/waive-maintenance", post(intake::waive))
        .route("/intake/{key}/accept", post(intake::accept))
        .route("/drills", get(drills::list))
        .route("/drills/{scenario}", get(drills::show))
        .route("/drills/{scenario}/record", post(drills::record))
        .route("/incidents", get(incidents::list).post(incidents::open))
        .route("/incidents/{key}", get(incidents::show))
        .route("/incidents/{key}/entries", post(incidents::log))
        .route("/incidents/{key}/close", post(incidents::close))
        .route("/log", get(log::list))
        .route("/users", get(users::list).post(users::add))
}

/// What surrounds every page: title, navigation, the user and the CSRF token of forms.
pub struct Chrome {
    pub title: String,
    pub user: Option<String>,
    pub role: String,
    pub csrf: String,
    pub nav: Vec<(&'static str, &'static str)>,
    pub section: &'static str,
    pub notices: Vec<String>,
    pub version: &'static str,
    pub as_of: String,
}

impl Chrome {
    pub fn new(auth: Option<&Auth>, title: impl Into<String>, section: &'static str) -> Chrome {
        let mut nav = vec![
            ("/", "Dashboard"),
            ("/due", "Due"),
            ("/people", "People"),
            ("/systems", "Systems"),
            ("/findings", "Findings"),
            ("/plans", "Plans"),
            ("/reviews", "Reviews"),
            ("/intake", "Intake"),
            ("/drills", "Drills"),
            ("/incidents", "Incidents"),
            ("/log", "Event log"),
        ];
        if auth.is_some_and(|a| a.role.allows(UserRole::Editor)) {
            nav.insert(nav.len() - 1, ("/imports", "Imports"));
        }
        if auth.is_some_and(|a| a.role.allows(UserRole::Admin)) {
            nav.push(("/users", "Users"));
        }
        Chrome {
            title: title.into(),
            user: auth.map(|a| a.user.email.clone()),
            role: auth.map(|a| a.role.to_string()).unwrap_or_default(),
            csrf: auth.map(Auth::csrf).unwrap_or_default(),
            nav,
            section,
            notices: Vec::new(),
            version: env!("CARGO_PKG_VERSION"),
            as_of: jiff::Zoned::now().date().to_string(),
        }
    }

    pub fn for_view(auth: &Auth, title: impl Into<String>, section: &'static str, view: &View) -> Chrome {
        let mut c = Chrome::new(Some(auth), title, section);
        c.as_of = view.today.to_string();
        c
    }
}

/// A table cell: text, maybe a link, maybe a CSS class (severity colours and the like).
#[derive(Debug, Clone)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    pub class: Option<&'static str>,
}

impl Cell {
    pub fn text(text: impl ToString) -> Cell {
        Cell { text: text.to_string(), href: None, class: None }
    }
    pub fn link(text: impl ToString, href: impl Into<String>) -> Cell {
        Cell { text: text.to_string(), href: Some(href.into()), class: None }
    }
    pub fn class(mut self, class: &'static str) -> Cell {
        self.class = Some(class);
        self
    }
}

#[derive(Template)]
#[template(path = "table.html")]
pub struct Table {
    pub caption: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    pub empty: &'static str,
}

impl Table {
    pub fn new(headers: &[&'static str], rows: Vec<Vec<Cell>>, empty: &'static str) -> Table {
        Table { caption: String::new(), headers: headers.to_vec(), rows, empty }
    }
    pub fn html(&self) -> String {
        self.render().unwrap_or_else(|e| format!("<p class=\"error\">{e}</p>"))
    }
}

/// A filter of a list page: a text box, or a select when `options` is not empty.
pub struct Filter {
    pub label: &'static str,
    pub name: &'static str,
    pub value: String,
    pub options: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "list.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub heading: String,
    pub intro: String,
    pub filters: Vec<Filter>,
    pub table: String,
    pub pager: String,
    /// Extra HTML after the table (forms).
    pub after: String,
}

#[derive(Template)]
#[template(path = "record.html")]
pub struct RecordPage {
    pub chrome: Chrome,
    pub back_href: String,
    pub back_label: String,
    pub heading: String,
    pub badge: String,
    pub badge_tone: String,
    pub facts: Vec<(String, String, Option<String>)>,
    /// (id, title, hint, html)
    pub sections: Vec<(String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    heading: String,
    message: String,
    code: &'static str,
}

pub fn error_page(status: StatusCode, code: ErrorCode, message: &str) -> Html<String> {
    let page = ErrorPage {
        chrome: Chrome::new(None, status.canonical_reason().unwrap_or("Error"), ""),
        heading: status.canonical_reason().unwrap_or("Error").to_string(),
        message: message.to_string(),
        code: code.as_str(),
    };
    Html(page.render().unwrap_or_else(|_| message.to_string()))
}

pub fn render(t: &impl Template) -> WebResult<Html<String>> {
    Ok(Html(t.render()?))
}

/// Escapes a key for use in a URL path (keys of accounts hold `/` and `@`).
pub fn path_escape(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where a record's page is.
pub fn href(kind: Kind, key: &str) -> String {
    match kind {
        Kind::Person => format!("/people/{}", path_escape(key)),
        Kind::System => format!("/systems/{}", path_escape(key)),
        Kind::Plan => format!("/plans/{}", path_escape(key)),
        Kind::Review => format!("/reviews/{}", path_escape(key)),
        Kind::Incident => format!("/incidents/{}", path_escape(key)),
        _ => format!("/records/{}/{}", kind.as_str(), path_escape(key)),
    }
}

/// A `KIND:KEY` subject as a linked cell with the record's label.
pub fn subject_cell(view: &View, subject: &str) -> Cell {
    match subject.split_once(':').and_then(|(k, key)| Some((k.parse::<Kind>().ok()?, key))) {
        Some((kind, key)) => {
            let label = view.inv().get(kind, key).map_or_else(|| key.to_string(), Record::label);
            Cell::link(format!("{label} ({kind})"), href(kind, key))
        }
        None => Cell::text(subject),
    }
}

/// A person's name linked to their page, or the key if unknown.
pub fn person_cell(view: &View, key: &str) -> Cell {
    let name = view.inv().person(key).map_or_else(|| key.to_string(), |p| p.name.clone());
    Cell::link(name, href(Kind::Person, key))
}

/// Links to pages of a long list: `?page=N`, keeping the other query parameters.
pub fn pager(base: &str, query: &[(&str, &str)], page: usize, pages: usize) -> String {
    if pages <= 1 {
        return String::new();
    }
    let q: String =
        query.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("&{k}={}", path_escape(v).replace('/', "%2F"))).collect();
    let mut out = String::new();
    if page > 1 {
        out.push_str(&format!("<a href=\"{base}?page={}{q}\" rel=\"prev\">Previous</a> ", page - 1));
    }
    out.push_str(&format!("<span>Page {page} of {pages}</span>"));
    if page < pages {
        out.push_str(&format!(" <a href=\"{base}?page={}{q}\" rel=\"next\">Next</a>", page + 1));
    }
    out
}

pub const PAGE_SIZE: usize = 100;

pub use users::MIN_PASSWORD;

/// Validates `target`'s change of one record against `view` and writes it as the user.
pub fn save(state: &AppState, auth: &Auth, view: &View, record: Record) -> WebResult<()> {
    let kind = record.kind();
    let mut target = view.inv().clone();
    target.insert(record);
    if let Some(p) = target.validate().into_iter().next() {
        return Err(p.into());
    }
    let changes = view.inv().diff(&target, &[kind]);
    state.with_store(|s| Ok(s.apply(&changes, &auth.actor()).map(|_| ())?))
}

pub fn forbid_viewers_of_own_plan(auth: &Auth, view: &View, person: &str) -> WebResult<()> {
    if view.inv().person(person).is_some_and(|p| auth.is_person(p)) {
        return Err(WebError::forbidden("nobody sees or works on their own departure plan"));
    }
    Ok(())
}

//! What every request shares: where the store is, a few open connections, and the
//! analysed inventory, cached until the event log moves.
//!
//! Analysis of a medium organisation (5,000 people, 250,000 grants) takes seconds; a page
//! must take milliseconds. Every write appends to the event log, so the log's head
//! sequence number is an exact version of the store: a request checks it (one indexed
//! query) and reuses the cached [`View`] while it has not changed.

use crate::error::{WebError, WebResult};
use handover_analysis::due::Due;
use handover_analysis::risk::Risk;
use handover_analysis::summary::Summary;
use handover_analysis::{Config, Finding, Snapshot};
use handover_core::Inventory;
use handover_store::{EventFilter, Location, Store};
use jiff::civil::Date;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

self_cell::self_cell!(
    /// An inventory and the snapshot that borrows it.
    pub struct Analysed {
        owner: Inventory,
        #[covariant]
        dependent: Snapshot,
    }
);

/// The inventory at one point of the event log, with everything the pages show of it.
pub struct View {
    pub head: i64,
    pub today: Date,
    analysed: Analysed,
    pub findings: Vec<Finding>,
    pub risk: Risk,
    pub summary: Summary,
    pub due: Vec<Due>,
    pub built_in: Duration,
}

impl View {
    pub fn inv(&self) -> &Inventory {
        self.analysed.borrow_owner()
    }
    pub fn snap(&self) -> &Snapshot<'_> {
        self.analysed.borrow_dependent()
    }

    fn build(inv: Inventory, head: i64, today: Date, config: &Config) -> View {
        let started = Instant::now();
        let analysed = Analysed::new(inv, |inv| Snapshot::new(inv));
        let snap = analysed.borrow_dependent();
        let inv = analysed.borrow_owner();
        let (findings, (risk, (summary, due))) = rayon::join(
            || handover_analysis::audit(snap, &config.thresholds, today),
            || {
                rayon::join(
                    || handover_analysis::risk::risk(snap, config.thresholds.key_person_max_tier),
                    || (handover_analysis::summary::summarize(inv, today), handover_analysis::due::due(inv, today, 30, &config.thresholds)),
                )
            },
        );
        View { head, today, analysed, findings, risk, summary, due, built_in: started.elapsed() }
    }
}

/// Server settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub location: Location,
    pub config: Config,
    /// Fixed "today" (tests, demos); the server's date otherwise.
    pub today: Option<Date>,
    /// Mark cookies `Secure` (the public URL is https).
    pub secure_cookies: bool,
    /// How long a session lasts without a new login.
    pub session_hours: i64,
}

pub struct AppState {
    pub settings: Settings,
    idle: Mutex<Vec<Box<dyn Store>>>,
    view: Mutex<Option<Arc<View>>>,
    pub limiter: crate::auth::Limiter,
    pub metrics: crate::metrics::Metrics,
    /// The event chain's last verification, its head and when: walking 250,000 events
    /// takes a second, so it is redone when the chain grows or after [`REVERIFY_AFTER`]
    /// (an edit behind handover's back moves no head).
    verified: Mutex<Option<(i64, Instant, handover_store::LogVerification)>>,
    /// Import uploads waiting for their uploader to confirm (one per user).
    pub(crate) pending: Mutex<Vec<crate::pages::imports::Pending>>,
}

const MAX_IDLE: usize = 8;
const REVERIFY_AFTER: Duration = Duration::from_secs(300);

impl AppState {
    pub fn new(settings: Settings) -> WebResult<AppState> {
        // Open once up front: a wrong --db fails at start, not at the first request.
        let first = settings
            .location
            .open_existing()?
            .ok_or_else(|| WebError::new(handover_core::ErrorCode::Storage, format!("no database at {}", settings.location.display())))?;
        Ok(AppState {
            settings,
            idle: Mutex::new(vec![first]),
            view: Mutex::new(None),
            limiter: crate::auth::Limiter::default(),
            metrics: crate::metrics::Metrics::default(),
            pending: Mutex::new(Vec::new()),
            verified: Mutex::new(None),
        })
    }

    pub fn today(&self) -> Date {
        self.settings.today.unwrap_or_else(|| jiff::Zoned::now().date())
    }

    /// Runs `f` with a connection from the pool (blocking: call from a blocking task).
    pub fn with_store<T>(&self, f: impl FnOnce(&mut dyn Store) -> WebResult<T>) -> WebResult<T> {
        let taken = self.idle.lock().map_err(|_| poisoned())?.pop();
        let mut store = match taken {
            Some(s) => s,
            None => self.settings.location.open()?,
        };
        let out = f(store.as_mut());
        // A connection that failed may be broken; only healthy ones go back.
        if out.as_ref().map_or_else(|e| e.status().is_client_error(), |_| true) {
            let mut idle = self.idle.lock().map_err(|_| poisoned())?;
            if idle.len() < MAX_IDLE {
                idle.push(store);
            }
        }
        out
    }

    /// The sequence number of the newest event: the store's version.
    fn head(&self) -> WebResult<i64> {
        self.with_store(|s| Ok(s.events(&EventFilter { limit: Some(1), ..Default::default() })?.first().map_or(0, |e| e.seq)))
    }

    /// The event chain verified up to its current head, and how many seconds ago.
    pub fn verification(&self) -> WebResult<(handover_store::LogVerification, u64)> {
        let head = self.head()?;
        let mut cached = self.verified.lock().map_err(|_| poisoned())?;
        if let Some((_, at, v)) = cached.as_ref().filter(|(h, at, _)| *h == head && at.elapsed() < REVERIFY_AFTER) {
            return Ok((v.clone(), at.elapsed().as_secs()));
        }
        let v = self.with_store(|s| Ok(s.verify_log()?))?;
        *cached = Some((head, Instant::now(), v.clone()));
        Ok((v, 0))
    }

    /// The analysed inventory as of now (blocking).
    pub fn view(&self) -> WebResult<Arc<View>> {
        let today = self.today();
        let head = self.head()?;
        let mut cached = self.view.lock().map_err(|_| poisoned())?;
        if let Some(v) = cached.as_ref().filter(|v| v.head == head && v.today == today) {
            return Ok(v.clone());
        }
        let inv = self.with_store(|s| Ok(s.load()?))?;
        let view = Arc::new(View::build(inv, head, today, &self.settings.config));
        self.metrics.view_built(view.built_in);
        *cached = Some(view.clone());
        Ok(view)
    }
}

fn poisoned() -> WebError {
    WebError::new(handover_core::ErrorCode::Storage, "a server worker failed; restart the server")
}

/// Runs blocking work (SQL, analysis) off the async threads.
pub async fn blocking<T: Send + 'static>(
    state: &Arc<AppState>,
    f: impl FnOnce(&AppState) -> WebResult<T> + Send + 'static,
) -> WebResult<T> {
    let state = state.clone();
    tokio::task::spawn_blocking(move || f(&state)).await?
}

//! Analysis: pure functions from an inventory (and today's date) to answers.
//!
//! No IO and no clock: the caller passes `today`, so every answer is reproducible and
//! testable. Everything runs over a [`Snapshot`] — records indexed by compact ids with
//! inherited access (nested groups, assumable roles) resolved once.
//!
//! - [`summary`]: who alone holds what, in a few lines (`handover demo`, `summary`).
//! - [`audit`]: the rule catalogue in [`rules`], with evidence and control mappings.
//! - [`whatif`]: what breaks if these people leave together; every person ranked.
//! - [`risk`]: key-person risk per system and the organisation's bus factor.
#![forbid(unsafe_code)]

pub mod audit;
pub mod config;
pub mod due;
pub mod risk;
pub mod rules;
pub mod situation;
pub mod snapshot;
pub mod succession;
pub mod summary;
pub mod whatif;

pub use audit::{audit, Finding};
pub use config::{Config, Thresholds};
pub use snapshot::Snapshot;
pub use summary::{summarize, Summary};

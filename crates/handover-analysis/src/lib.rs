//! Analysis: pure functions from an inventory (and today's date) to findings.
//!
//! No IO and no clock: the caller passes `today`, so every answer is reproducible and
//! testable. This first module answers the question a newcomer asks first — who alone
//! holds what — and is what `handover demo` and `handover summary` print.
#![forbid(unsafe_code)]

pub mod summary;

pub use summary::{summarize, Summary};

//! Departure and lock-out plans.
//!
//! [`generate`] turns what a person holds — accounts, admin rights, secrets, ownerships,
//! roles, projects, vendor relationships — into an ordered, timed runbook: knowledge
//! first, then transfers, then revocations ordered most dangerous first (in hostile mode
//! all inside one short window), rotations, communication and verification. Pure: the
//! caller stores the [`Plan`] and records its changes.
//!
//! [`verify`] compares a plan with the current inventory: what access is still active, what
//! secret was not rotated since the plan was made.
#![forbid(unsafe_code)]

mod generate;
mod messages;
mod tasks;
mod verify;

pub use generate::{generate, PlanSpec};
pub use tasks::{close_task, create, find_task, plan_key, PlanError};
pub use verify::{verify, Remaining};

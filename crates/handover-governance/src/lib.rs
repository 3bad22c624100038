//! Governance workflows: the checklists of the seed articles as records that keep
//! themselves current. Pure functions over the inventory and its snapshot; the caller
//! stores the records they return, so every step is an event in the log.
//!
//! - [`review`]: access-review campaigns — one item per access edge in scope, a reviewer
//!   who is not the holder, keep / revoke / modify decisions with reasons, the evidence
//!   report, and what revoke decisions left undone.
//! - [`drill`]: tabletop exercises generated from the real weak points, per scenario.
//! - [`intake`]: systems bought or built outside IT, pending until someone answers for
//!   each thing that keeps them running.
//! - [`notify`]: what is due as one e-mail per person who should act, each reminder once.
//! - [`incident`]: an incident's timeline, written as it happens and closed with a summary.
//! - [`policy`]: reviews of policies and plans by a named reviewer with notes.
#![forbid(unsafe_code)]

pub mod drill;
pub mod incident;
pub mod intake;
pub mod notify;
pub mod policy;
pub mod review;

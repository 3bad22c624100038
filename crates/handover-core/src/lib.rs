//! The domain model of handover.
//!
//! Everything here is pure: records and their keys, validation of a whole [`Inventory`],
//! the diff between two inventories ([`ChangeSet`]), and the hash chain of the event log.
//! No IO, no async, no database: the store and the parsers build on these types.
#![forbid(unsafe_code)]

pub mod authorship;
pub mod digest;
pub mod error;
pub mod event;
pub mod interval;
pub mod inventory;
pub mod kind;
pub mod records;
pub mod user;

pub use authorship::{AuthorSet, RepoAuthor, RepoScan, TruckFactor};
pub use digest::GrantDigest;
pub use error::{ErrorCode, Problem};
pub use event::{verify_chain, Action, Break, ChainBreak, Event, EventDraft, GENESIS_HASH};
pub use interval::Interval;
pub use inventory::{Change, ChangeSet, Inventory};
pub use kind::Kind;
pub use records::*;
pub use user::{ApiToken, Session, User, UserRole};

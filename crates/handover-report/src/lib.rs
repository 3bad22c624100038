//! Reports for the people who will not read a terminal: an executive one-pager, the
//! auditor's evidence pack and a transition report, each as Markdown and as one
//! self-contained HTML page (inline style, inline SVG charts, no script, printable), and
//! with the `pdf` feature as a PDF (`to_pdf`: A4, standard fonts, charts as vector bars).
//!
//! Pure: the caller passes the inventory and what analysis computed; nothing here reads a
//! store or a clock.
#![forbid(unsafe_code)]

pub mod chart;
mod html;
#[cfg(feature = "pdf")]
mod pdf;
mod reports;

pub use html::{escape_html, to_html};
#[cfg(feature = "pdf")]
pub use pdf::to_pdf;
pub use reports::{auditor, executive, projects, risk_score, transition, Block, Input, Report, Section};

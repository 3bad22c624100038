//! Printing: tables for people, JSON for programs.

use comfy_table::{presets, Cell, ContentArrangement, Table, TableComponent};
use serde::Serialize;
use std::io::Write;

pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::NOTHING)
        .set_style(TableComponent::HeaderLines, '─')
        .set_style(TableComponent::MiddleHeaderIntersections, ' ')
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().map(Cell::new));
    t
}

pub fn json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    // Streamed: a large organisation's audit is tens of megabytes of JSON, not worth
    // holding whole in memory first.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// A JSON scalar as a table cell: strings without quotes, absent as empty.
pub fn cell(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Array(a)) => a.iter().map(|x| cell(Some(x))).collect::<Vec<_>>().join(", "),
        Some(other) => other.to_string(),
    }
}

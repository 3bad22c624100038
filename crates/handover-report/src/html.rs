//! A report as one HTML page: headings, paragraphs, lists, tables and charts, styled inline.

use crate::reports::{Block, Report};

/// Text made safe inside HTML elements and attribute values.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const STYLE: &str = "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d232b;max-width:62em;margin:2em auto;padding:0 1em}\
h1{font-size:24px;margin-bottom:.2em}h2{font-size:18px;border-bottom:1px solid #d8dde3;padding-bottom:3px;margin-top:1.6em}\
.sub{color:#586270}table{border-collapse:collapse;width:100%;font-size:13px;margin:.5em 0}th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #e3e6ea;vertical-align:top}\
th{font-size:11px;text-transform:uppercase;color:#586270}.figure{display:inline-block;margin:0 1.2em .6em 0}.figure b{display:block;font-size:26px}\
.chart{width:100%;max-width:600px}.chart .label,.chart .value{font-size:12px;fill:#1d232b}.chart .bar{fill:#1f5fa8}.chart .bar.critical{fill:#a3141d}\
.chart .bar.high{fill:#c0661a}.chart .bar.medium{fill:#a38b00}.chart .bar.low{fill:#33617a}@media print{body{margin:0}h2{break-after:avoid}}";

/// The report as a self-contained page.
pub fn to_html(r: &Report) -> String {
    let mut o = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title><style>{STYLE}</style></head><body><h1>{t}</h1><p class=\"sub\">{s}</p>",
        t = escape_html(&r.title),
        s = escape_html(&r.subtitle)
    );
    for section in &r.sections {
        o.push_str(&format!("<h2>{}</h2>", escape_html(&section.title)));
        for b in &section.blocks {
            match b {
                Block::Text(t) => o.push_str(&format!("<p>{}</p>", escape_html(t))),
                Block::Figures(f) => {
                    o.push_str("<div>");
                    for (value, label) in f {
                        o.push_str(&format!("<span class=\"figure\"><b>{}</b>{}</span>", escape_html(value), escape_html(label)));
                    }
                    o.push_str("</div>");
                }
                Block::List(items) => {
                    o.push_str("<ul>");
                    for i in items {
                        o.push_str(&format!("<li>{}</li>", escape_html(i)));
                    }
                    o.push_str("</ul>");
                }
                Block::Table(headers, rows) => {
                    o.push_str("<table><thead><tr>");
                    for h in headers {
                        o.push_str(&format!("<th scope=\"col\">{}</th>", escape_html(h)));
                    }
                    o.push_str("</tr></thead><tbody>");
                    for row in rows {
                        o.push_str("<tr>");
                        for c in row {
                            o.push_str(&format!("<td>{}</td>", escape_html(c)));
                        }
                        o.push_str("</tr>");
                    }
                    o.push_str("</tbody></table>");
                }
                // chart::bars escapes every label itself.
                Block::Chart { title, bars } => o.push_str(&crate::chart::bars(title, bars)),
            }
        }
    }
    o.push_str("</body></html>\n");
    o
}

//! Charts as inline SVG: drawn on the server, no script, readable by screen readers
//! (`role="img"` with a title, and every value also written as text).

use crate::html::escape_html;
use std::fmt::Write;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: u64,
    pub href: Option<String>,
    /// A CSS class for the bar's colour (`critical`, `high`, …).
    pub tone: &'static str,
}

/// Horizontal bars, one row each, scaled to the largest value.
pub fn bars(title: &str, bars: &[Bar]) -> String {
    if bars.is_empty() {
        return "<p class=\"empty\">Nothing to show.</p>".to_string();
    }
    let row = 28;
    let label_w = 210;
    let bar_w = 300;
    let width = label_w + bar_w + 60;
    let height = row * bars.len() + 8;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(1).max(1);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"chart-{id}\" viewBox=\"0 0 {width} {height}\" \
         preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"chart-{id}\">{t}</title>",
        id = escape_html(&title.to_lowercase().replace(' ', "-")),
        t = escape_html(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = i * row + 4;
        let w = ((b.value as f64 / max as f64) * bar_w as f64).round().max(2.0) as usize;
        let mut label: String = b.label.chars().take(28).collect();
        if b.label.chars().count() > 28 {
            label.push('…');
        }
        let text = format!(
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" class=\"label\">{l}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"3\" class=\"bar {tone}\"><title>{full}: {v}</title></rect>\
             <text x=\"{vx}\" y=\"{ty}\" class=\"value\">{v}</text>",
            lx = label_w - 8,
            ty = y + 15,
            l = escape_html(&label),
            h = row - 8,
            tone = b.tone,
            full = escape_html(&b.label),
            v = b.value,
            vx = label_w + w + 6,
        );
        match &b.href {
            Some(h) => {
                let _ = write!(svg, "<a href=\"{}\">{text}</a>", escape_html(h));
            }
            None => svg.push_str(&text),
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_bars_scale_to_the_largest() {
        let svg = bars(
            "Risk",
            &[
                Bar { label: "<script>".into(), value: 10, href: None, tone: "high" },
                Bar { label: "b".into(), value: 5, href: Some("/people/b".into()), tone: "low" },
            ],
        );
        assert!(svg.contains("&lt;script&gt;") && !svg.contains("<script>"));
        assert!(svg.contains("width=\"300\"") && svg.contains("width=\"150\""));
        assert!(svg.contains("<a href=\"/people/b\">"));
    }
}

//! A report as a PDF (feature `pdf`): A4 pages laid out here, written with `pdf-writer`.
//!
//! Only the standard Helvetica fonts, which every PDF reader has, so nothing is embedded
//! and the file stays small. Text is WinAnsi-encoded: ASCII and Latin-1 as themselves,
//! typographic quotes, dashes, the ellipsis, the euro sign and a few more by their WinAnsi
//! codes, anything else as `?`. Lines are wrapped with Helvetica's AFM glyph widths.
//! Nothing here panics on any content: long words are split, wide tables get narrower
//! columns whose cells wrap (and are cut, with an ellipsis, past a few lines).

use crate::chart::Bar;
use crate::reports::{Block, Report};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const WIDTH: f32 = PAGE_W - 2.0 * MARGIN;
const BOTTOM: f32 = MARGIN + 18.0;
/// Past this many lines a table cell is cut, so one cell cannot fill pages.
const MAX_CELL_LINES: usize = 8;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Font {
    Regular,
    Bold,
}

impl Font {
    fn name(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
        }
    }
}

/// Helvetica and Helvetica-Bold advance widths (1/1000 em) for ASCII 32..=126, from the
/// Adobe Core 14 AFM files.
const REGULAR: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278,
    278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722,
    667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556,
    556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
const BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333,
    333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722,
    667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611,
    611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/// The WinAnsi code of a character, or `?`.
fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\t' | '\n' | '\r' => b' ',
        '\u{a0}'..='\u{ff}' => c as u32 as u8,
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8a,
        '‹' => 0x8b,
        'Œ' => 0x8c,
        'Ž' => 0x8e,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9a,
        '›' => 0x9b,
        'œ' => 0x9c,
        'ž' => 0x9e,
        'Ÿ' => 0x9f,
        '→' => b'>',
        _ => b'?',
    }
}

/// The width of one WinAnsi byte in 1/1000 em. Outside ASCII, the common wide and narrow
/// glyphs exactly; other letters as an average lower-case letter.
fn glyph(font: Font, b: u8) -> f32 {
    let table = if font == Font::Bold { &BOLD } else { &REGULAR };
    let w = match b {
        32..=126 => table.get(usize::from(b - 32)).copied().unwrap_or(556),
        0x85 | 0x89 | 0x97 | 0x99 | 0x8c | 0x9c => 1000,
        0x91 | 0x92 | 0x82 => 222,
        0x93 | 0x94 | 0x84 | 0x8b | 0x9b => 333,
        0x95 => 350,
        0xa0 | 0xb7 => 278,
        0xc0..=0xdf => 722,
        _ => 556,
    };
    f32::from(w)
}

fn encode(s: &str) -> Vec<u8> {
    s.chars().map(win_ansi).collect()
}

fn width(font: Font, size: f32, text: &[u8]) -> f32 {
    text.iter().map(|b| glyph(font, *b)).sum::<f32>() * size / 1000.0
}

/// Splits encoded text into lines no wider than `max`: at spaces, and inside words that are
/// wider than a line on their own.
fn wrap(font: Font, size: f32, text: &[u8], max: f32) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    for word in text.split(|b| *b == b' ').filter(|w| !w.is_empty()) {
        let sep = if line.is_empty() { 0.0 } else { glyph(font, b' ') * size / 1000.0 };
        if width(font, size, &line) + sep + width(font, size, word) <= max {
            if !line.is_empty() {
                line.push(b' ');
            }
            line.extend_from_slice(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for b in word {
            if !line.is_empty() && width(font, size, &line) + glyph(font, *b) * size / 1000.0 > max {
                lines.push(std::mem::take(&mut line));
            }
            line.push(*b);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Keeps the first `n` lines, ending the last kept one with an ellipsis when cut.
fn cut(mut lines: Vec<Vec<u8>>, n: usize, font: Font, size: f32, max: f32) -> Vec<Vec<u8>> {
    if lines.len() > n {
        lines.truncate(n);
        if let Some(last) = lines.last_mut() {
            while !last.is_empty() && width(font, size, last) + glyph(font, 0x85) * size / 1000.0 > max {
                last.pop();
            }
            last.push(0x85);
        }
    }
    lines
}

fn tone_rgb(tone: &str) -> (f32, f32, f32) {
    match tone {
        "critical" => (0.64, 0.08, 0.11),
        "high" => (0.75, 0.40, 0.10),
        "medium" => (0.64, 0.55, 0.0),
        "low" => (0.20, 0.38, 0.48),
        _ => (0.12, 0.37, 0.66),
    }
}

struct Layout {
    pages: Vec<Content>,
    page: Content,
    /// The baseline position: where the next thing's top is.
    y: f32,
}

impl Layout {
    fn new() -> Layout {
        Layout { pages: Vec::new(), page: Content::new(), y: PAGE_H - MARGIN }
    }

    fn new_page(&mut self) {
        let done = std::mem::replace(&mut self.page, Content::new());
        self.pages.push(done);
        self.y = PAGE_H - MARGIN;
    }

    /// Starts a new page unless `h` more points fit on this one.
    fn room(&mut self, h: f32) {
        if self.y - h < BOTTOM && self.y < PAGE_H - MARGIN {
            self.new_page();
        }
    }

    fn text_at(&mut self, font: Font, size: f32, x: f32, y: f32, text: &[u8]) {
        self.page.begin_text();
        self.page.set_font(font.name(), size);
        self.page.next_line(x, y);
        self.page.show(Str(text));
        self.page.end_text();
    }

    /// A wrapped paragraph at `x`, `w` wide.
    fn paragraph(&mut self, font: Font, size: f32, x: f32, w: f32, text: &str, after: f32) {
        let leading = size * 1.35;
        for line in wrap(font, size, &encode(text), w) {
            self.room(leading);
            self.y -= leading;
            self.text_at(font, size, x, self.y + size * 0.3, &line);
        }
        self.y -= after;
    }

    fn rule(&mut self, x0: f32, x1: f32, y: f32, grey: f32, w: f32) {
        self.page.set_stroke_rgb(grey, grey, grey);
        self.page.set_line_width(w);
        self.page.move_to(x0, y);
        self.page.line_to(x1, y);
        self.page.stroke();
    }

    fn heading(&mut self, text: &str) {
        // A heading never ends a page: keep room for it and a few lines after it.
        self.room(70.0);
        self.y -= 10.0;
        self.paragraph(Font::Bold, 14.0, MARGIN, WIDTH, text, 3.0);
        self.rule(MARGIN, MARGIN + WIDTH, self.y, 0.8, 0.6);
        self.y -= 8.0;
    }

    fn figures(&mut self, figures: &[(String, String)]) {
        let per_row = figures.len().clamp(1, 5);
        let col = WIDTH / per_row as f32;
        for row in figures.chunks(per_row) {
            self.room(40.0);
            let top = self.y;
            for (i, (value, label)) in row.iter().enumerate() {
                let x = MARGIN + col * i as f32;
                let v = cut(wrap(Font::Bold, 20.0, &encode(value), col - 8.0), 1, Font::Bold, 20.0, col - 8.0);
                let l = cut(wrap(Font::Regular, 8.5, &encode(label), col - 8.0), 2, Font::Regular, 8.5, col - 8.0);
                self.page.set_fill_rgb(0.11, 0.14, 0.17);
                for line in &v {
                    self.text_at(Font::Bold, 20.0, x, top - 20.0, line);
                }
                self.page.set_fill_rgb(0.35, 0.38, 0.44);
                for (n, line) in l.iter().enumerate() {
                    self.text_at(Font::Regular, 8.5, x, top - 32.0 - 10.0 * n as f32, line);
                }
            }
            self.page.set_fill_rgb(0.0, 0.0, 0.0);
            self.y = top - 50.0;
        }
        self.y -= 4.0;
    }

    fn list(&mut self, items: &[String]) {
        for item in items {
            let leading = 10.0 * 1.35;
            let lines = wrap(Font::Regular, 10.0, &encode(item), WIDTH - 14.0);
            for (n, line) in lines.iter().enumerate() {
                self.room(leading);
                self.y -= leading;
                if n == 0 {
                    self.text_at(Font::Regular, 10.0, MARGIN + 2.0, self.y + 3.0, &[0x95]);
                }
                self.text_at(Font::Regular, 10.0, MARGIN + 14.0, self.y + 3.0, line);
            }
            self.y -= 2.0;
        }
        self.y -= 6.0;
    }

    fn table(&mut self, headers: &[&str], rows: &[Vec<String>]) {
        const SIZE: f32 = 8.5;
        const HEAD: f32 = 7.5;
        const PAD: f32 = 4.0;
        let n = headers.len().max(rows.iter().map(Vec::len).max().unwrap_or(0)).max(1);
        let cell = |r: &[String], i: usize| r.get(i).map(String::as_str).unwrap_or("").to_string();
        // Natural widths, then shrunk in proportion (never below a minimum) to fit the page.
        let mut natural = vec![24.0_f32; n];
        for (i, w) in natural.iter_mut().enumerate() {
            let h = headers.get(i).map_or(0.0, |h| width(Font::Bold, HEAD, &encode(&h.to_uppercase())));
            let longest = rows.iter().map(|r| width(Font::Regular, SIZE, &encode(&cell(r, i)))).fold(h, f32::max);
            // A point of slack so a cell exactly as wide as its column does not wrap.
            *w = (longest + 2.0 * PAD + 1.0).clamp(24.0, WIDTH);
        }
        let total: f32 = natural.iter().sum();
        let widths: Vec<f32> = if total <= WIDTH {
            natural
        } else {
            let min = (WIDTH / n as f32).min(48.0);
            let flexible: f32 = natural.iter().map(|w| w - min).sum::<f32>().max(1.0);
            natural.iter().map(|w| min + (w - min) * ((WIDTH - min * n as f32).max(0.0) / flexible)).collect()
        };
        let header_lines: Vec<Vec<Vec<u8>>> = (0..n)
            .map(|i| {
                let w = widths.get(i).copied().unwrap_or(24.0) - 2.0 * PAD;
                cut(
                    wrap(Font::Bold, HEAD, &encode(&headers.get(i).map(|h| h.to_uppercase()).unwrap_or_default()), w),
                    2,
                    Font::Bold,
                    HEAD,
                    w,
                )
            })
            .collect();
        let draw_row = |l: &mut Layout, cells: &[Vec<Vec<u8>>], font: Font, size: f32, grey: f32| {
            let leading = size * 1.3;
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let h = lines as f32 * leading + PAD;
            l.room(h);
            let top = l.y;
            let mut x = MARGIN;
            l.page.set_fill_rgb(grey, grey, grey);
            for (i, c) in cells.iter().enumerate() {
                for (k, line) in c.iter().enumerate() {
                    l.text_at(font, size, x + PAD, top - leading * (k as f32 + 1.0) + 1.5, line);
                }
                x += widths.get(i).copied().unwrap_or(0.0);
            }
            l.page.set_fill_rgb(0.0, 0.0, 0.0);
            l.y = top - h;
            l.rule(MARGIN, MARGIN + WIDTH, l.y + 1.0, 0.88, 0.4);
        };
        // The header never ends a page alone: room for it and a first row of a few lines.
        self.room(70.0);
        draw_row(self, &header_lines, Font::Bold, HEAD, 0.35);
        for r in rows {
            let cells: Vec<Vec<Vec<u8>>> = (0..n)
                .map(|i| {
                    let w = widths.get(i).copied().unwrap_or(24.0) - 2.0 * PAD;
                    cut(wrap(Font::Regular, SIZE, &encode(&cell(r, i)), w), MAX_CELL_LINES, Font::Regular, SIZE, w)
                })
                .collect();
            let pages = self.pages.len();
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32;
            self.room(lines * SIZE * 1.3 + 4.0);
            if self.pages.len() != pages {
                // The row went onto a new page: repeat the header above it.
                draw_row(self, &header_lines, Font::Bold, HEAD, 0.35);
            }
            draw_row(self, &cells, Font::Regular, SIZE, 0.11);
        }
        self.y -= 8.0;
    }

    fn chart(&mut self, title: &str, bars: &[Bar]) {
        const ROW: f32 = 17.0;
        const LABEL: f32 = 150.0;
        let area = WIDTH - LABEL - 50.0;
        self.room(ROW * 2.0);
        self.paragraph(Font::Bold, 9.0, MARGIN, WIDTH, title, 4.0);
        if bars.is_empty() {
            self.paragraph(Font::Regular, 9.0, MARGIN, WIDTH, "Nothing to show.", 6.0);
            return;
        }
        let max = bars.iter().map(|b| b.value).max().unwrap_or(1).max(1) as f32;
        for b in bars {
            self.room(ROW);
            let top = self.y;
            let label = cut(wrap(Font::Regular, 8.5, &encode(&b.label), LABEL - 8.0), 1, Font::Regular, 8.5, LABEL - 8.0);
            if let Some(line) = label.first() {
                let lx = MARGIN + LABEL - 8.0 - width(Font::Regular, 8.5, line);
                self.text_at(Font::Regular, 8.5, lx, top - 12.0, line);
            }
            let w = (b.value as f32 / max * area).max(2.0);
            let (r, g, bl) = tone_rgb(b.tone);
            self.page.set_fill_rgb(r, g, bl);
            self.page.rect(MARGIN + LABEL, top - 14.0, w, 11.0);
            self.page.fill_nonzero();
            self.page.set_fill_rgb(0.0, 0.0, 0.0);
            self.text_at(Font::Regular, 8.5, MARGIN + LABEL + w + 5.0, top - 12.0, b.value.to_string().as_bytes());
            self.y = top - ROW;
        }
        self.y -= 8.0;
    }

    fn finish(mut self) -> Vec<Content> {
        self.pages.push(self.page);
        self.pages
    }
}

/// The report as a PDF document.
pub fn to_pdf(r: &Report) -> Vec<u8> {
    let mut l = Layout::new();
    l.paragraph(Font::Bold, 20.0, MARGIN, WIDTH, &r.title, 2.0);
    l.page.set_fill_rgb(0.35, 0.38, 0.44);
    l.paragraph(Font::Regular, 10.5, MARGIN, WIDTH, &r.subtitle, 6.0);
    l.page.set_fill_rgb(0.0, 0.0, 0.0);
    for s in &r.sections {
        l.heading(&s.title);
        for b in &s.blocks {
            match b {
                Block::Text(t) => l.paragraph(Font::Regular, 10.0, MARGIN, WIDTH, t, 6.0),
                Block::Figures(f) => l.figures(f),
                Block::List(items) => l.list(items),
                Block::Table(headers, rows) => l.table(headers, rows),
                Block::Chart { title, bars } => l.chart(title, bars),
            }
        }
    }
    let mut pages = l.finish();

    // Every page gets a footer with the title and its number of the whole.
    let count = pages.len();
    let footer_title = cut(wrap(Font::Regular, 7.5, &encode(&r.title), WIDTH - 80.0), 1, Font::Regular, 7.5, WIDTH - 80.0);
    for (i, page) in pages.iter_mut().enumerate() {
        page.set_fill_rgb(0.45, 0.48, 0.52);
        let number = format!("page {} of {count}", i + 1);
        for (x, text) in [
            (MARGIN, footer_title.first().cloned().unwrap_or_default()),
            (PAGE_W - MARGIN - width(Font::Regular, 7.5, number.as_bytes()), number.into_bytes()),
        ] {
            page.begin_text();
            page.set_font(Font::Regular.name(), 7.5);
            page.next_line(x, MARGIN - 20.0);
            page.show(Str(&text));
            page.end_text();
        }
    }

    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let first = 6;
    let page_ids: Vec<Ref> = (0..count).map(|i| Ref::new(first + 2 * i as i32)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(count as i32);
    pdf.document_info(info).title(pdf_writer::TextStr(&r.title)).producer(pdf_writer::TextStr("handover"));
    for (id, name) in [(regular, &b"Helvetica"[..]), (bold, &b"Helvetica-Bold"[..])] {
        pdf.type1_font(id).base_font(Name(name)).encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    for (i, content) in pages.into_iter().enumerate() {
        let page_id = Ref::new(first + 2 * i as i32);
        let content_id = Ref::new(first + 2 * i as i32 + 1);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(content_id);
        page.resources().fonts().pair(Font::Regular.name(), regular).pair(Font::Bold.name(), bold);
        page.finish();
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::Section;
    use proptest::prelude::*;

    #[test]
    fn words_wrap_within_the_width_and_long_words_are_split() {
        let lines = wrap(Font::Regular, 10.0, &encode("the quick brown fox jumps over the lazy dog"), 60.0);
        assert!(lines.len() > 2 && lines.iter().all(|l| width(Font::Regular, 10.0, l) <= 60.0));
        let long = wrap(Font::Regular, 10.0, &encode(&"W".repeat(100)), 50.0);
        assert!(long.len() > 5 && long.iter().all(|l| width(Font::Regular, 10.0, l) <= 50.0 && !l.is_empty()));
        assert_eq!(encode("café – “ok” → 日"), b"caf\xe9 \x96 \x93ok\x94 > ?");
    }

    fn report(s: String, n: usize) -> Report {
        let rows = (0..n).map(|i| vec![s.repeat(i % 4), s.clone(), format!("{i}")]).collect();
        Report {
            title: s.clone(),
            subtitle: s.repeat(3),
            sections: vec![Section {
                title: s.clone(),
                blocks: vec![
                    Block::Text(s.repeat(n)),
                    Block::Figures(vec![(s.clone(), s.clone()); n % 8]),
                    Block::List(vec![s.clone(); n]),
                    Block::Table(vec!["a", "", "c"], rows),
                    Block::Table(vec![], vec![vec![s.clone(); n % 12]]),
                    Block::Chart {
                        title: s.clone(),
                        bars: (0..n % 7)
                            .map(|i| Bar { label: s.repeat(i), value: u64::MAX / 7 * i as u64, href: None, tone: "critical" })
                            .collect(),
                    },
                ],
            }],
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_text_renders_without_panicking(s in "\\PC{0,60}", n in 0usize..40) {
            let pdf = to_pdf(&report(s, n));
            prop_assert!(pdf.starts_with(b"%PDF-"));
        }
    }
}

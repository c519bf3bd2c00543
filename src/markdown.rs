//! Markdown, the format of a project's texts: finding what may not be published, and rendering HTML
//! that is safe and right for Japanese.
//!
//! The policy (docs/errors.md): raw HTML and links or images with a scheme other than http, https or
//! mailto are errors in the content stage ([`find_unsafe`]), so an editor learns of them; the renderer
//! also escapes raw HTML and drops such links, so nothing unsafe is published even if a check is
//! bypassed. A line break inside a paragraph between Japanese characters joins the lines without a
//! space, as Japanese is written.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

/// Markup that may not be published, found in a Markdown text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsafeMarkup {
    /// Byte range in the Markdown text.
    pub range: Range<usize>,
    /// The offending text (a tag or a URL).
    pub text: String,
    pub kind: UnsafeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsafeKind {
    /// An HTML tag or comment written in the text.
    RawHtml,
    /// A link or image whose URL has a scheme other than http, https or mailto.
    UnsafeUrl,
    /// An image: pages show no images from content files.
    Image,
}

/// Every piece of raw HTML and every unsafe link in `markdown`.
pub fn find_unsafe(markdown: &str) -> Vec<UnsafeMarkup> {
    // Raw HTML and autolinks start with 「<」, links and images hold 「[」: a text with neither (most
    // texts) has nothing to find, and is not parsed.
    if !markdown.contains(['<', '[']) {
        return Vec::new();
    }
    let mut found = Vec::new();
    for (event, range) in Parser::new_ext(markdown, Options::empty()).into_offset_iter() {
        let (kind, text) = match &event {
            // A closing tag after a reported opening one adds nothing for the editor.
            Event::InlineHtml(raw)
                if raw.starts_with("</")
                    && found
                        .iter()
                        .any(|f: &UnsafeMarkup| f.kind == UnsafeKind::RawHtml) =>
            {
                continue;
            }
            Event::Html(raw) | Event::InlineHtml(raw) => {
                (UnsafeKind::RawHtml, raw.trim().to_string())
            }
            Event::Start(Tag::Link { dest_url, .. }) if !is_safe_url(dest_url) => {
                (UnsafeKind::UnsafeUrl, dest_url.to_string())
            }
            Event::Start(Tag::Image { dest_url, .. }) => (UnsafeKind::Image, dest_url.to_string()),
            _ => continue,
        };
        found.push(UnsafeMarkup { range, text, kind });
    }
    found
}

/// Renders Markdown to an HTML fragment.
pub fn to_html(markdown: &str) -> String {
    match plain_paragraph(markdown) {
        Some(text) => format!("<p>{text}</p>\n"),
        None => parsed_to_html(markdown),
    }
}

/// [`to_html`] by the parser, whatever the text.
fn parsed_to_html(markdown: &str) -> String {
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, Options::empty()).collect();
    let mut safe = Vec::with_capacity(events.len());
    let mut dropped_links = 0usize;
    for (i, event) in events.iter().enumerate() {
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => safe.push(Event::Text(raw.clone())),
            Event::SoftBreak => {
                if !joins_japanese(&events, i) {
                    safe.push(Event::Text(CowStr::Borrowed(" ")));
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) if !is_safe_url(dest_url) => {
                dropped_links += 1;
            }
            Event::End(pulldown_cmark::TagEnd::Link) if dropped_links > 0 => {
                dropped_links -= 1;
            }
            Event::Start(Tag::Image { .. }) | Event::End(pulldown_cmark::TagEnd::Image) => {}
            other => safe.push(other.clone()),
        }
    }
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, safe.into_iter());
    out
}

/// The text of `markdown` when it is one line of text and nothing else (most of a project's
/// texts): Markdown would make it one paragraph of that text as it is, so it need not be parsed.
///
/// That holds when the line, without the line breaks after it, starts with a character that is
/// neither ASCII nor white space (no block — list, heading, quote, code — starts with one), ends
/// with one that is not white space, holds no control character, and its only ASCII characters are
/// letters, digits, spaces and punctuation that is no markup inside a line and that HTML shows as it
/// is (`,` `.` `(` `)` `%` `/` `:` `;` `?` `+` `-` `=` `@`). Anything else is parsed. A test checks
/// the rule against the parser with texts made of every kind of piece.
pub(crate) fn plain_paragraph(markdown: &str) -> Option<&str> {
    let text = markdown.trim_end_matches('\n');
    let first = text.chars().next()?;
    let last = text.chars().next_back()?;
    let plain = !first.is_ascii()
        && !first.is_whitespace()
        && !last.is_whitespace()
        && text.chars().all(|c| {
            if c.is_ascii() {
                c.is_ascii_alphanumeric() || PLAIN_ASCII.contains(c)
            } else {
                !c.is_control()
            }
        });
    plain.then_some(text)
}

/// The ASCII characters other than letters and digits that [`plain_paragraph`] lets through.
const PLAIN_ASCII: &str = " ,.()%/:;?+-=@";

/// Whether the soft break at `index` sits between two characters that are not ASCII, in which case
/// the lines are joined without a space.
fn joins_japanese(events: &[Event<'_>], index: usize) -> bool {
    let before = events[..index].iter().rev().find_map(|e| match e {
        Event::Text(t) | Event::Code(t) => t.chars().last(),
        _ => None,
    });
    let after = events[index + 1..].iter().find_map(|e| match e {
        Event::Text(t) | Event::Code(t) => t.chars().next(),
        _ => None,
    });
    matches!((before, after), (Some(b), Some(a)) if !b.is_ascii() || !a.is_ascii())
}

/// http, https, mailto and relative URLs; never `javascript:`, `data:` or other schemes.
fn is_safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.find(':') {
        None => true,
        Some(colon) => {
            let scheme = &lower[..colon];
            // A colon after a slash, `?` or `#` belongs to the path, not to a scheme.
            scheme.contains(['/', '?', '#']) || matches!(scheme, "http" | "https" | "mailto")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// What lets [`find_unsafe`] skip a text: without 「<」 or 「[」, whatever other Markdown it
        /// holds (a bare URL, a scheme, 「!」, 「]」, code, entities), the parser finds nothing.
        #[test]
        fn a_text_without_angle_or_square_brackets_has_nothing_unsafe(
            pieces in proptest::collection::vec(proptest::sample::select(&[
                "javascript:", "http://a", "!", "]", "(", ")", ":", "/", "`", "&lt;", "&#60;",
                "\\", "*", "_", "#", "- ", "1. ", "\n", "\n\n", "    ", "あ", "x", "\"", "'",
            ][..]), 0..24)
        ) {
            let text = pieces.concat();
            let mut parsed = Vec::new();
            for (event, range) in Parser::new_ext(&text, Options::empty()).into_offset_iter() {
                if matches!(
                    event,
                    Event::Html(_)
                        | Event::InlineHtml(_)
                        | Event::Start(Tag::Link { .. } | Tag::Image { .. })
                ) {
                    parsed.push(range);
                }
            }
            proptest::prop_assert!(parsed.is_empty(), "{text:?}: {parsed:?}");
            proptest::prop_assert!(find_unsafe(&text).is_empty());
        }
    }

    /// Pieces of text that [`plain_paragraph`] lets through, white space among them.
    const PLAIN_PIECES: &[&str] = &[
        "あ",
        "事業",
        "（",
        "）",
        "、",
        "。",
        "ＩＣＴ",
        "A",
        "x",
        "1",
        "1.",
        "2)",
        " ",
        "  ",
        "\u{3000}",
        "\u{A0}",
        ",",
        ".",
        "(",
        ")",
        "%",
        "/",
        ":",
        ";",
        "?",
        "+",
        "-",
        "- ",
        "=",
        "@",
        "\u{FFFD}",
    ];
    /// Pieces that are markup, break lines, or that HTML escapes.
    const OTHER_PIECES: &[&str] = &[
        "\t",
        "\n",
        "\n\n",
        "\r",
        "#",
        "*",
        "_",
        "`",
        "~",
        "|",
        ">",
        "<",
        "&",
        "&amp;",
        "\\",
        "[",
        "]",
        "!",
        "\"",
        "'",
        "http://a.jp",
        "\u{1}",
        "    ",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]
        /// A text that [`plain_paragraph`] lets through is one paragraph of itself to the parser:
        /// texts made mostly of plain pieces, and of some of every other kind.
        #[test]
        fn a_plain_paragraph_is_what_the_parser_makes_of_it(
            pieces in proptest::collection::vec(proptest::prop_oneof![
                8 => proptest::sample::select(PLAIN_PIECES),
                1 => proptest::sample::select(OTHER_PIECES),
            ], 0..12)
        ) {
            let text = pieces.concat();
            if plain_paragraph(&text).is_some() {
                proptest::prop_assert_eq!(to_html(&text), parsed_to_html(&text));
            }
        }
    }

    #[test]
    fn every_real_text_renders_as_parsed() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (mut texts, mut plain) = (0, 0);
        for entry in std::fs::read_dir(root.join("content/r6")).expect("content") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let source = std::fs::read_to_string(&path).expect("read");
            let table: toml::Table = source
                .split("+++")
                .nth(1)
                .and_then(|front| front.parse().ok())
                .expect("front matter");
            let mut values: Vec<&toml::Value> = table.values().collect();
            while let Some(value) = values.pop() {
                match value {
                    toml::Value::String(text) => {
                        texts += 1;
                        plain += usize::from(plain_paragraph(text).is_some());
                        assert_eq!(to_html(text), parsed_to_html(text), "{}", path.display());
                    }
                    toml::Value::Array(items) => values.extend(items),
                    toml::Value::Table(inner) => values.extend(inner.values()),
                    _ => {}
                }
            }
        }
        assert!(texts > 300 && plain > 0, "{texts} texts, {plain} plain");
    }

    #[test]
    fn paragraphs_and_lists_render() {
        assert_eq!(
            to_html("本県は、課題がある。"),
            "<p>本県は、課題がある。</p>\n"
        );
        let list = to_html("- 一つ目\n- 二つ目\n");
        assert!(list.contains("<li>一つ目</li>"));
        assert!(list.contains("<li>二つ目</li>"));
    }

    #[test]
    fn japanese_lines_join_without_a_space() {
        assert_eq!(to_html("医療課\n題を抱え"), "<p>医療課題を抱え</p>\n");
        assert_eq!(to_html("ICT\ntools"), "<p>ICT tools</p>\n");
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let out = to_html("a<script>alert(1)</script>b\n\n<iframe src=x></iframe>");
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<iframe"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
    }

    #[test]
    fn unsafe_links_lose_their_destination() {
        let out =
            to_html("[x](javascript:alert(1)) [y](https://example.jp/) [z](data:text/html,hi)");
        assert!(!out.contains("javascript"), "{out}");
        assert!(!out.contains("data:"), "{out}");
        assert!(out.contains("href=\"https://example.jp/\""), "{out}");
        assert!(out.contains('x') && out.contains('z'));
    }

    /// Known XSS vectors (after the OWASP cheat sheet): each must be found by the check and must not
    /// survive rendering as markup.
    const XSS_VECTORS: &[&str] = &[
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//xss.example/xss.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<body onload=alert(1)>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<style>@import 'http://xss.example/x.css';</style>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\"></object>",
        "<embed src=\"javascript:alert(1)\">",
        "<form action=\"javascript:alert(1)\"><button>x</button></form>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<!-- <script>alert(1)</script> -->",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](vbscript:msgbox(1))",
        "![x](javascript:alert(1))",
        "<javascript:alert(1)>",
        "[x]: javascript:alert(1)\n\n[y][x]",
    ];

    #[test]
    fn every_xss_vector_is_found_and_defused() {
        for vector in XSS_VECTORS {
            let text = format!("本文 {vector} 本文");
            let found = find_unsafe(&text);
            let reference = vector.replace("\\n", "\n");
            let found_ref = find_unsafe(&reference);
            assert!(
                !found.is_empty() || !found_ref.is_empty(),
                "not found: {vector}"
            );
            for rendered in [to_html(&text), to_html(&reference)] {
                let lower = rendered.to_ascii_lowercase();
                for bad in [
                    "<script",
                    "<img",
                    "<svg",
                    "<body",
                    "<iframe",
                    "<style",
                    "<div",
                    "<object",
                    "<embed",
                    "<form",
                    "<meta",
                    "<!--",
                    "javascript:",
                    "vbscript:",
                    "data:",
                ] {
                    let in_markup = lower.match_indices(bad).any(|(i, _)| {
                        // Inside an attribute or as a tag: text nodes have `<` escaped as `&lt;`.
                        bad.starts_with('<') || lower[..i].rfind('<') > lower[..i].rfind('>')
                    });
                    assert!(!in_markup, "{vector} rendered as {rendered}");
                }
            }
        }
    }

    #[test]
    fn find_unsafe_reports_positions_and_kinds() {
        let text = "本文<br>です。\n\n[リンク](javascript:x) ![画像](a.png)";
        let found = find_unsafe(text);
        let kinds: Vec<UnsafeKind> = found.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                UnsafeKind::RawHtml,
                UnsafeKind::UnsafeUrl,
                UnsafeKind::Image
            ]
        );
        assert_eq!(&text[found[0].range.clone()], "<br>");
        assert!(
            find_unsafe("- 普通の文章と [県のサイト](https://www.pref.aomori.lg.jp/)").is_empty()
        );
    }

    #[test]
    fn url_schemes_are_classified() {
        assert!(is_safe_url("https://a.jp"));
        assert!(is_safe_url("../projects/x/"));
        assert!(is_safe_url("mailto:a@b.jp"));
        assert!(is_safe_url("a/b:c"));
        assert!(!is_safe_url("JavaScript:alert(1)"));
        assert!(!is_safe_url(" javascript:alert(1)"));
        assert!(!is_safe_url("vbscript:x"));
    }
}

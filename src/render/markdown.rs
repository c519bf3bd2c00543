//! Markdown to HTML for the texts of a project, made safe and right for Japanese.
//!
//! Raw HTML in a content file is never published as markup: it is shown as text. Links keep only
//! safe destinations (http, https, mailto, relative). A line break inside a paragraph between Japanese
//! characters joins the lines without a space, as Japanese is written.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

/// Renders Markdown to an HTML fragment.
pub fn to_html(markdown: &str) -> String {
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

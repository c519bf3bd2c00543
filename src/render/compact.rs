//! Minifies the theme's templates once, when they are loaded, so that rendered pages need no
//! minification of their own: minify-html costs more per page than rendering it does.
//!
//! Each Tera tag is replaced by a placeholder minify-html leaves alone (an SSI-style comment between
//! elements, a marked token inside text and attribute values), the placeholder document is minified,
//! and the tags are put back. Where a placeholder could not stand for its tag (a tag between the
//! attributes of an HTML element, inside a script, style or HTML comment, or a block that crosses an
//! attribute's boundary), the template is reported as not compactable and pages are minified after
//! rendering instead, so any theme still works.

/// Starts a placeholder; a character of Unicode's private use area, absent from our templates.
const OPEN: char = '\u{E000}';
/// Ends a placeholder.
const CLOSE: char = '\u{E001}';

/// The settings every page is minified with.
fn page_settings() -> minify_html::Cfg {
    let mut cfg = minify_html::Cfg::new();
    cfg.keep_closing_tags = true;
    cfg.keep_html_and_head_opening_tags = true;
    cfg.minify_css = true;
    cfg.minify_js = false;
    cfg
}

/// Minifies a rendered page (used when the theme's templates could not be compacted).
pub fn minify_page(html: &str) -> Vec<u8> {
    minify_html::minify(html.as_bytes(), &page_settings())
}

/// A piece of template source: HTML text or one Tera tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'a> {
    Html(&'a str),
    /// `{% … %}`: a statement.
    Statement(&'a str),
    /// `{{ … }}`: an expression.
    Expression(&'a str),
}

/// Splits template source into HTML and Tera tags; Tera comments are dropped (they render as
/// nothing). `None` for an unclosed tag or a `raw` block, which the placeholders cannot represent.
fn split(source: &str) -> Option<Vec<Piece<'_>>> {
    let mut pieces = Vec::new();
    let mut rest = source;
    while let Some(start) = find_tag_start(rest) {
        if start > 0 {
            pieces.push(Piece::Html(&rest[..start]));
        }
        let opener = &rest[start..start + 2];
        let closer = match opener {
            "{{" => "}}",
            "{%" => "%}",
            _ => "#}",
        };
        let end = start + 2 + rest[start + 2..].find(closer)? + 2;
        let tag = &rest[start..end];
        match opener {
            "{{" => pieces.push(Piece::Expression(tag)),
            "{%" if statement_keyword(tag) == "raw" => return None,
            "{%" => pieces.push(Piece::Statement(tag)),
            _ => {}
        }
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Html(rest));
    }
    Some(pieces)
}

/// Whether the template has a statement whose keyword is one of `keywords` (`{% macro … %}`,
/// `{%- import … -%}`…); `false` for a template [`split`] cannot read.
pub fn has_statement(source: &str, keywords: &[&str]) -> bool {
    split(source).unwrap_or_default().iter().any(|piece| {
        matches!(piece, Piece::Statement(tag) if keywords.contains(&statement_keyword(tag)))
    })
}

fn find_tag_start(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(1))
        .find(|&i| bytes[i] == b'{' && matches!(bytes[i + 1], b'{' | b'%' | b'#'))
}

/// The first word of a statement: `if`, `endfor`, `block`…
fn statement_keyword(tag: &str) -> &str {
    tag.trim_start_matches("{%")
        .trim_end_matches("%}")
        .trim_matches(|c: char| c == '-' || c.is_whitespace())
        .split_whitespace()
        .next()
        .unwrap_or("")
}

/// How a statement changes the nesting of blocks: +1 opens, -1 closes, 0 neither.
fn nesting(tag: &str) -> i32 {
    match statement_keyword(tag) {
        "if" | "for" | "block" | "component" | "filter" => 1,
        keyword if keyword.starts_with("end") => -1,
        // A component called with a body: `{% <card title="…"> %}` … `{% </card> %}`.
        keyword if keyword.starts_with("</") => -1,
        keyword if keyword.starts_with('<') => 1,
        "set" if !tag.contains('=') => 1,
        _ => 0,
    }
}

/// Where the HTML scanner stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Html {
    /// Between elements, in text.
    Data,
    /// Inside a start or end tag, between attributes.
    Tag { raw_text: Option<String> },
    /// Inside a quoted attribute value.
    Value {
        quote: u8,
        raw_text: Option<String>,
        depth: i32,
    },
    /// Inside `<!-- … -->`.
    Comment,
    /// In the content of `script`, `style`, `title` or `textarea`, until its end tag.
    RawText(String),
}

/// Elements whose content is not parsed as HTML.
const RAW_TEXT_ELEMENTS: &[&str] = &["script", "style", "title", "textarea"];

/// Advances the scanner over HTML text; `None` when a block opened in an attribute value is not
/// closed in it (the minifier may reorder attributes, so such a template cannot be compacted).
fn scan(mut state: Html, text: &str) -> Option<Html> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        state = match state {
            Html::Data if bytes[i..].starts_with(b"<!--") => {
                i += 4;
                Html::Comment
            }
            Html::Data if bytes[i] == b'<' => match tag_name(&text[i + 1..]) {
                Some((name, closing)) => {
                    let raw_text =
                        (!closing && RAW_TEXT_ELEMENTS.contains(&name.as_str())).then_some(name);
                    Html::Tag { raw_text }
                }
                None => Html::Data,
            },
            Html::Comment if bytes[i..].starts_with(b"-->") => {
                i += 3;
                Html::Data
            }
            Html::Tag { raw_text } => match bytes[i] {
                b'>' => raw_text.map_or(Html::Data, Html::RawText),
                quote @ (b'"' | b'\'') => Html::Value {
                    quote,
                    raw_text,
                    depth: 0,
                },
                _ => Html::Tag { raw_text },
            },
            Html::Value {
                quote,
                raw_text,
                depth,
            } => {
                if bytes[i] == quote {
                    if depth != 0 {
                        return None;
                    }
                    Html::Tag { raw_text }
                } else {
                    Html::Value {
                        quote,
                        raw_text,
                        depth,
                    }
                }
            }
            Html::RawText(name) => {
                let closing = format!("</{name}");
                let here = &bytes[i..];
                if here.len() >= closing.len()
                    && here[..closing.len()].eq_ignore_ascii_case(closing.as_bytes())
                {
                    Html::Tag { raw_text: None }
                } else {
                    Html::RawText(name)
                }
            }
            other => other,
        };
        i += 1;
    }
    Some(state)
}

/// The lower-cased name of the tag that starts `text` (just after `<`), and whether it is an end tag.
fn tag_name(text: &str) -> Option<(String, bool)> {
    let (closing, rest) = match text.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Some((name, closing))
}

/// Minifies a template's source, keeping its Tera tags; `None` when it cannot be done safely.
pub fn compact(source: &str) -> Option<String> {
    if source.contains(OPEN) || source.contains(CLOSE) {
        return None;
    }
    let pieces = split(source)?;
    let mut tags: Vec<&str> = Vec::new();
    let mut document = String::with_capacity(source.len());
    let mut state = Html::Data;
    for piece in pieces {
        let (tag, statement) = match piece {
            Piece::Html(text) => {
                state = scan(state, text)?;
                document.push_str(text);
                continue;
            }
            Piece::Statement(tag) => (tag, true),
            Piece::Expression(tag) => (tag, false),
        };
        let number = tags.len();
        tags.push(tag);
        match &mut state {
            // An SSI-style comment (`<!--#`): kept by minify-html, unlike the theme's own comments.
            Html::Data if statement => document.push_str(&format!("<!--#{OPEN}{number}{CLOSE}-->")),
            Html::Data => document.push_str(&format!("{OPEN}{number}{CLOSE}")),
            Html::Value { depth, .. } => {
                if statement {
                    *depth += nesting(tag);
                }
                // `=` keeps the value quoted, so whatever the tag renders stays inside the quotes.
                document.push_str(&format!("{OPEN}={number}{CLOSE}"));
            }
            Html::RawText(name) if name == "title" || name == "textarea" => {
                document.push_str(&format!("{OPEN}={number}{CLOSE}"));
            }
            Html::Tag { .. } | Html::Comment | Html::RawText(_) => return None,
        }
    }
    if matches!(state, Html::Value { .. } | Html::Comment) {
        return None;
    }
    let mut cfg = page_settings();
    cfg.keep_ssi_comments = true;
    let minified = String::from_utf8(minify_html::minify(document.as_bytes(), &cfg)).ok()?;
    restore(&minified, &tags)
}

/// Puts the Tera tags back in place of their placeholders; `None` unless each appears exactly once.
fn restore(minified: &str, tags: &[&str]) -> Option<String> {
    let mut seen = vec![false; tags.len()];
    let mut out =
        String::with_capacity(minified.len() + tags.iter().map(|t| t.len()).sum::<usize>());
    let mut rest = minified;
    while let Some(open) = rest.find(OPEN) {
        let close = open + rest[open..].find(CLOSE)?;
        let inside = &rest[open + OPEN.len_utf8()..close];
        let number: usize = inside.trim_start_matches('=').parse().ok()?;
        if std::mem::replace(seen.get_mut(number)?, true) {
            return None;
        }
        let mut before = &rest[..open];
        let mut after = &rest[close + CLOSE.len_utf8()..];
        if before.ends_with("<!--#") && after.starts_with("-->") {
            before = &before[..before.len() - 5];
            after = &after[3..];
        }
        out.push_str(before);
        out.push_str(tags[number]);
        rest = after;
    }
    out.push_str(rest);
    seen.iter().all(|&s| s).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_between_elements_goes_and_tags_stay() {
        let source = "<ul>\n  {% for p in projects %}\n  <li class=\"item\">{{ p.name }}</li>\n  {% endfor %}\n</ul>\n";
        let compacted = compact(source).expect("compactable");
        assert_eq!(
            compacted,
            "<ul>{% for p in projects %}<li class=item>{{ p.name }}</li>{% endfor %}</ul>"
        );
    }

    #[test]
    fn tags_inside_attribute_values_stay_quoted() {
        let source =
            "<a href=\"{{ root }}x/\" data-flag=\"{% if p %}1{% else %}0{% endif %}\">リンク</a>";
        let compacted = compact(source).expect("compactable");
        assert!(compacted.contains("href=\"{{ root }}x/\""), "{compacted}");
        assert!(
            compacted.contains("data-flag=\"{% if p %}1{% else %}0{% endif %}\""),
            "{compacted}"
        );
    }

    #[test]
    fn a_tag_between_attributes_is_refused() {
        assert_eq!(compact("<td{% if c %} class=\"x\"{% endif %}>a</td>"), None);
        assert_eq!(compact("<td {{ attributes }}>a</td>"), None);
    }

    #[test]
    fn tags_in_scripts_styles_comments_and_raw_blocks_are_refused() {
        assert_eq!(compact("<script>let a = {{ a }};</script>"), None);
        assert_eq!(compact("<style>p { color: {{ c }} }</style>"), None);
        assert_eq!(compact("<!-- {{ a }} -->"), None);
        assert_eq!(compact("{% raw %}{{ a }}{% endraw %}"), None);
        assert_eq!(compact("<p>{{ unclosed </p>"), None);
    }

    #[test]
    fn a_block_crossing_attributes_is_refused() {
        assert_eq!(
            compact("<p title=\"{% if a %}x\" lang=\"ja{% endif %}\">t</p>"),
            None
        );
    }

    #[test]
    fn components_are_blocks() {
        let source = "{% component card(title) %}\n  <div class=\"card\">\n    <h2>{{ title }}</h2>\n    {{ body }}\n  </div>\n{% endcomponent card %}\n{% <card title=\"t\"> %}\n  <p>本文</p>\n{% </card> %}\n{{<card title={name}/>}}\n";
        let compacted = compact(source).expect("compactable");
        assert_eq!(
            compacted,
            "{% component card(title) %}<div class=card><h2>{{ title }}</h2> {{ body }}</div>{% endcomponent card %}{% <card title=\"t\"> %}<p>本文</p>{% </card> %} {{<card title={name}/>}}"
        );
        assert_eq!(
            compact("<p title=\"{% <card> %}x\">t{% </card> %}</p>"),
            None,
            "a component body crossing attributes"
        );
    }

    #[test]
    fn titles_keep_their_tags() {
        let compacted = compact("<title>{% if t %}{{ t }}｜{% endif %}{{ site }}</title>")
            .expect("compactable");
        assert_eq!(
            compacted,
            "<title>{% if t %}{{ t }}｜{% endif %}{{ site }}</title>"
        );
    }

    #[test]
    fn html_comments_of_the_theme_are_dropped_as_when_minifying_pages() {
        assert_eq!(
            compact("<p>前<!-- 編集者へのメモ -->後{% if a %}。{% endif %}</p>").as_deref(),
            Some("<p>前後{% if a %}。{% endif %}</p>")
        );
    }

    #[test]
    fn tera_comments_are_dropped() {
        assert_eq!(
            compact("<p>{# note #}本文</p>").as_deref(),
            Some("<p>本文</p>")
        );
    }

    #[test]
    fn a_page_is_minified_with_closing_tags_kept() {
        let out = minify_page(
            "<!DOCTYPE html>\n<html lang=\"ja\">\n<head><title>t</title></head>\n<body>\n  <p>本文</p>\n</body>\n</html>\n",
        );
        let out = String::from_utf8(out).expect("utf8");
        assert!(out.contains("<html lang=ja>"), "{out}");
        assert!(out.contains("<p>本文</p></body>"), "{out}");
    }
}

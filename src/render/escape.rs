//! The one escape for text placed in HTML and XML: pages (as Tera's escape function), SVG charts,
//! feeds and the preview's overlay all use it, so none can differ.

/// Text made safe inside XML and HTML, in elements and in quoted attributes (SVG charts, feeds, the
/// preview's overlay): `&`, `<`, `>`, `"` and `'` as character references.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match entity(c) {
            Some(reference) => out.push_str(reference),
            None => out.push(c),
        }
    }
    out
}

/// [`escape_xml`] as Tera's escape function, writing to Tera's output.
pub(super) fn write_escaped_xml(text: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_escaped(text, out, false)
}

/// [`write_escaped_xml`], but [`super::routes::SITE_ROOT_MARK`] is kept as it is: the escape of
/// the templates that render a page for two places at once ([`super::routes::Mount::LatestInBoth`]),
/// whose links to the site root carry the mark. No input holds the character (content,
/// configuration and vocabulary refuse control characters), so every mark in such a page is one
/// of those links'.
pub(super) fn write_escaped_xml_keeping_mark(
    text: &str,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    write_escaped(text, out, true)
}

fn write_escaped(text: &str, out: &mut dyn std::io::Write, keep_mark: bool) -> std::io::Result<()> {
    let mark = char::from(super::routes::SITE_ROOT_MARK);
    let mut plain_from = 0;
    for (at, c) in text.char_indices() {
        if keep_mark && c == mark {
            continue;
        }
        if let Some(reference) = entity(c) {
            out.write_all(&text.as_bytes()[plain_from..at])?;
            out.write_all(reference.as_bytes())?;
            plain_from = at + c.len_utf8();
        }
    }
    out.write_all(&text.as_bytes()[plain_from..])
}

/// The character reference that stands for `c` in escaped text, if it needs one. A character XML
/// 1.0 does not allow at all (controls but tab and line breaks, U+FFFE, U+FFFF) becomes U+FFFD, so
/// no escaped text can make a feed or a page invalid; the content stage refuses them before that.
fn entity(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&#39;"),
        '\t' | '\n' | '\r' => None,
        '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => Some("\u{FFFD}"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_makes_text_safe_in_xml() {
        assert_eq!(
            escape_xml("a<b>&\"c\"'"),
            "a&lt;b&gt;&amp;&quot;c&quot;&#39;"
        );
    }

    #[test]
    fn escaped_text_is_always_well_formed_xml() {
        let hostile = "a\u{1}b\u{b}c\u{ffff}d\u{fffe}e\tf\ng\u{7f}h";
        let xml = format!("<t>{}</t>", escape_xml(hostile));
        let parsed = roxmltree::Document::parse(&xml).expect("well-formed");
        assert_eq!(
            parsed.root_element().text(),
            Some("a\u{fffd}b\u{fffd}c\u{fffd}d\u{fffd}e\tf\ng\u{7f}h")
        );
    }
}

//! The one escape for text placed in HTML and XML: pages (as Tera's escape function), SVG charts,
//! feeds and the preview's overlay all use it, so none can differ.

/// Text made safe inside XML and HTML, in elements and in quoted attributes (SVG charts, feeds, the
/// preview's overlay): `&`, `<`, `>`, `"` and `'` as character references.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped_xml(&mut out, text);
    out
}

/// [`escape_xml`] appended to `out` (a feed of 10,000 entries is written without a string per
/// escaped value).
pub fn push_escaped_xml(out: &mut String, text: &str) {
    let mut plain_from = 0;
    for (at, len, reference) in references(text, false) {
        out.push_str(&text[plain_from..at]);
        out.push_str(reference);
        plain_from = at + len;
    }
    out.push_str(&text[plain_from..]);
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
    let mut plain_from = 0;
    for (at, len, reference) in references(text, keep_mark) {
        out.write_all(&text.as_bytes()[plain_from..at])?;
        out.write_all(reference.as_bytes())?;
        plain_from = at + len;
    }
    out.write_all(&text.as_bytes()[plain_from..])
}

/// Each character of `text` that needs a reference: (its byte position, its length in bytes, the
/// reference). Found byte by byte, without decoding the text: every such character is ASCII but
/// U+FFFE and U+FFFF, whose UTF-8 (`EF BF BE`, `EF BF BF`) starts with a byte that only ever starts
/// a character. With `keep_mark`, [`super::routes::SITE_ROOT_MARK`] is left as it is.
fn references(text: &str, keep_mark: bool) -> impl Iterator<Item = (usize, usize, &'static str)> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        loop {
            // Most of a page's text is Japanese and plain: skipped with one table look-up per byte.
            at += bytes
                .get(at..)?
                .iter()
                .position(|&byte| MAY_NEED_REFERENCE[usize::from(byte)])?;
            let here = at;
            let byte = *bytes.get(here)?;
            if byte.is_ascii() {
                at += 1;
                if keep_mark && byte == super::routes::SITE_ROOT_MARK {
                    continue;
                }
                if let Some(reference) = entity(char::from(byte)) {
                    return Some((here, 1, reference));
                }
            } else if byte == 0xEF
                && bytes.get(here + 1) == Some(&0xBF)
                && matches!(bytes.get(here + 2), Some(0xBE | 0xBF))
            {
                at += 3;
                return Some((here, 3, "\u{FFFD}"));
            } else {
                at += 1;
            }
        }
    })
}

/// The bytes that may start a character [`entity`] gives a reference for: such ASCII bytes, and
/// the first byte of U+FFFE and U+FFFF.
const MAY_NEED_REFERENCE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 128 {
        table[byte] = entity(byte as u8 as char).is_some();
        byte += 1;
    }
    table[0xEF] = true;
    table
};

/// The character reference that stands for `c` in escaped text, if it needs one. A character XML
/// 1.0 does not allow at all (controls but tab and line breaks, U+FFFE, U+FFFF) becomes U+FFFD, so
/// no escaped text can make a feed or a page invalid; the content stage refuses them before that.
const fn entity(c: char) -> Option<&'static str> {
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

    /// The escape found byte by byte is the one character by character, on any text.
    #[test]
    fn escaping_byte_by_byte_is_escaping_each_character() {
        let by_character = |text: &str, keep_mark: bool| -> String {
            let mark = char::from(crate::render::routes::SITE_ROOT_MARK);
            text.chars()
                .map(|c| match entity(c) {
                    Some(reference) if !(keep_mark && c == mark) => reference.to_string(),
                    _ => c.to_string(),
                })
                .collect()
        };
        let written = |text: &str, keep_mark: bool| -> String {
            let mut out = Vec::new();
            write_escaped(text, &mut out, keep_mark).expect("write");
            String::from_utf8(out).expect("UTF-8")
        };
        proptest::proptest!(|(text in "(?s).{0,40}|[a<&\u{1}\u{fffe}\u{ffff}\u{fffd}\u{efbf}あ]{0,12}")| {
            proptest::prop_assert_eq!(escape_xml(&text), by_character(&text, false));
            proptest::prop_assert_eq!(written(&text, false), by_character(&text, false));
            proptest::prop_assert_eq!(written(&text, true), by_character(&text, true));
        });
        for text in [
            "\u{ffff}\u{fffe}\u{fffd}\u{efbf}",
            "事業<費>\u{1}",
            "",
            "\u{feff}\u{ffef}",
        ] {
            assert_eq!(escape_xml(text), by_character(text, false), "{text:?}");
            assert_eq!(written(text, true), by_character(text, true), "{text:?}");
        }
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

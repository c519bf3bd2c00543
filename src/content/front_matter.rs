//! Splits a content file into its TOML front matter (between `+++` lines) and its Markdown body.
//!
//! Positions stay those of the file, so that errors inside the front matter can name the real line.

use std::ops::Range;

use crate::diagnostics::{Diagnostic, SourceFile};

pub const DELIMITER: &str = "+++";

/// Byte ranges of the two parts inside the file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    pub front_matter: Range<usize>,
    pub body: Range<usize>,
}

/// Finds the front matter. The first line must be `+++`; the next line that is `+++` closes it.
pub fn split(file: &SourceFile) -> Result<Parts, Box<Diagnostic>> {
    let text = &file.text;
    if text.trim().is_empty() {
        return Err(Box::new(file.error("ファイルが空です。").with_hint(
            "1行目に +++ を書き、事業の項目を書いて、+++ で閉じます（docs/content-format.md）。",
        )));
    }
    let first_line_end = text.find('\n').unwrap_or(text.len());
    if text[..first_line_end].trim_end() != DELIMITER {
        return Err(Box::new(
            file.error_at(
                0..first_line_end,
                "1行目が +++ ではありません。前付け（フロントマター）が始まっていません。",
            )
            .with_hint(
                "ファイルの1行目には +++ だけを書きます（前に空行や空白を入れないでください）。",
            ),
        ));
    }
    let start = (first_line_end + 1).min(text.len());
    // Only the places of `+++` are looked at, not every line of the file.
    for (at, _) in text[start..].match_indices(DELIMITER) {
        let line_start = start + at;
        let at_line_start = line_start
            .checked_sub(1)
            .and_then(|before| text.as_bytes().get(before))
            == Some(&b'\n');
        if !at_line_start {
            continue;
        }
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i);
        if text[line_start..line_end].trim_end() == DELIMITER {
            return Ok(Parts {
                front_matter: start..line_start,
                body: (line_end + 1).min(text.len())..text.len(),
            });
        }
    }
    Err(Box::new(
        file.error_at(0..first_line_end, "前付けが +++ で閉じられていません。")
            .with_hint("項目を書き終えたところに、+++ だけの行を入れてください。"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The split as the rule says it, line by line: the first line after the first whose text
    /// without trailing white space is `+++` closes the front matter.
    fn split_line_by_line(text: &str) -> Option<Parts> {
        let first_end = text.find('\n')?;
        let mut line_start = first_end + 1;
        for line in text[line_start..].split_inclusive('\n') {
            if line.trim_end() == DELIMITER {
                let end = line_start + line.len();
                return Some(Parts {
                    front_matter: first_end + 1..line_start,
                    body: end.min(text.len())..text.len(),
                });
            }
            line_start += line.len();
        }
        None
    }

    proptest::proptest! {
        #[test]
        fn the_closing_line_is_the_first_line_that_is_the_delimiter(
            body in "(\\+{1,4}|[ \t\r\n]|a|あ|\u{3000}){0,24}",
        ) {
            let text = format!("+++\n{body}");
            let expected = split_line_by_line(&text);
            proptest::prop_assert_eq!(split(&file(&text)).ok(), expected);
        }
    }

    fn file(text: &str) -> SourceFile {
        SourceFile::new("content/a.md", text.to_string())
    }

    #[test]
    fn splits_front_matter_and_body() {
        let f = file("+++\nname = \"x\"\n+++\n本文\n");
        let parts = split(&f).expect("valid");
        assert_eq!(&f.text[parts.front_matter], "name = \"x\"\n");
        assert_eq!(&f.text[parts.body], "本文\n");
    }

    #[test]
    fn a_file_ending_at_the_closing_line_has_an_empty_body() {
        let f = file("+++\nname = \"x\"\n+++");
        let parts = split(&f).expect("valid");
        assert!(f.text[parts.body].is_empty());
    }

    #[test]
    fn missing_unclosed_and_empty_are_errors() {
        assert!(split(&file("")).unwrap_err().message.contains("空"));
        assert!(split(&file("  \n")).unwrap_err().message.contains("空"));
        assert!(
            split(&file("name = 1\n"))
                .unwrap_err()
                .message
                .contains("1行目")
        );
        let unclosed = split(&file("+++\nname = 1\n")).unwrap_err();
        assert!(unclosed.message.contains("閉じられていません"));
        assert_eq!(unclosed.line(), 1);
    }
}

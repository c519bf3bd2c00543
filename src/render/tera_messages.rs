//! Tera's messages for template mistakes, in Japanese for the web team that edits the theme.
//!
//! Tera reports in English: a first line (`error: Unknown tag`) and then the file, line, column, the
//! line quoted and a marker. The first line of the common mistakes is said again in Japanese; the
//! location and the marker stay as Tera prints them. A message this table does not know keeps
//! Tera's words after a Japanese lead, so nothing Tera says is lost.

/// The whole report with its first line in Japanese.
pub fn in_japanese(report: &str) -> String {
    let (first, rest) = report.split_once('\n').unwrap_or((report, ""));
    let first = first.trim_start_matches("error: ");
    let japanese = match translate(first) {
        Some(text) => text,
        None => format!("テンプレートの誤りです（Tera の説明: {first}）"),
    };
    if rest.is_empty() {
        japanese
    } else {
        format!("{japanese}\n{rest}")
    }
}

/// The first name between backquotes (or single quotes) in `text`, and what follows it.
fn quoted(text: &str) -> Option<(&str, &str)> {
    let start = text.find(['`', '\''])?;
    let quote = text[start..].chars().next()?;
    let after = &text[start + 1..];
    let end = after.find(quote)?;
    Some((&after[..end], &after[end + 1..]))
}

/// 「使える項目: a, b」 from Tera's ` Available fields: a, b`.
fn available(rest: &str, english: &str, japanese: &str) -> String {
    rest.split_once(english)
        .map(|(_, list)| format!("使える{japanese}: {}", list.trim()))
        .unwrap_or_default()
}

fn translate(message: &str) -> Option<String> {
    let name = || quoted(message).map(|(name, _)| name);
    let rest = || quoted(message).map_or("", |(_, rest)| rest);
    let text = if message.starts_with("Field `") {
        format!(
            "項目「{}」はありません。{}",
            name()?,
            available(rest(), "Available fields:", "項目")
        )
    } else if message.starts_with("Variable `")
        && message.contains("exists but its value is undefined")
    {
        format!("変数「{}」には値がありません。", name()?)
    } else if message.starts_with("Variable `") {
        format!(
            "変数「{}」はありません。{}",
            name()?,
            available(rest(), "Available variables:", "変数")
        )
    } else if message.starts_with("Unknown tag") {
        "知らないタグか、ここでは使えないタグです。{% と %} の間の綴りと、開いたタグ（if・for・block）に合う閉じるタグ（endif・endfor・endblock）を確かめてください。".to_string()
    } else if message.starts_with("Unknown filter `") {
        format!("フィルター「{}」はありません。", name()?)
    } else if message.starts_with("Unknown function `") {
        format!("関数「{}」はありません。", name()?)
    } else if message.starts_with("Unknown test `") {
        format!(
            "テスト「{}」はありません（is の後に書く名前です）。",
            name()?
        )
    } else if message.starts_with("Unknown template `") {
        format!("テンプレート「{}」がありません。", name()?)
    } else if message.starts_with("Unknown component `") {
        format!(
            "部品（component）「{}」がありません。components.html に定義があるか確かめてください。",
            name()?
        )
    } else if message.starts_with("Unclosed component '") {
        format!(
            "部品「{0}」が閉じられていません。{{% endcomponent {0} %}} を書いてください。",
            name()?
        )
    } else if message.starts_with("Closing tag '") {
        let (closing, rest) = quoted(message)?;
        let (opening, _) = quoted(rest)?;
        format!("閉じるタグ「{closing}」が、開いたタグ「{opening}」と合っていません。")
    } else if let Some(found) = message.strip_prefix("Found ") {
        let (token, expected) = found
            .split_once(" but was expecting ")
            .or_else(|| found.split_once(" but expected "))?;
        format!(
            "{} があるはずのところに、{token} があります。",
            expected.trim_end_matches('.')
        )
    } else if message.starts_with("Block `") && message.contains("is not defined in any parent") {
        format!("ブロック「{}」は、親のテンプレートにありません。", name()?)
    } else if message.starts_with("Template already contains a block named `") {
        format!("ブロック「{}」が2つあります。", name()?)
    } else if message.starts_with("Iteration not possible on type `") {
        format!("{} の値は for で繰り返せません。", name()?)
    } else if message.starts_with("Cannot compare `") {
        let (a, rest) = quoted(message)?;
        let (b, _) = quoted(rest)?;
        format!("{a} と {b} は比べられません。")
    } else if message.starts_with("Unexpected end of input") {
        "テンプレートが途中で終わっています。閉じていないタグ（endif・endfor・endblock など）や }} がないか確かめてください。".to_string()
    } else if message.starts_with("Unexpected character") {
        "ここには使えない文字があります（全角の記号や、閉じていない引用符がないか確かめてください）。".to_string()
    } else if message.starts_with("Missing keyword argument `") {
        format!("引数「{}」が足りません。", name()?)
    } else if message.starts_with("Cannot divide by 0") {
        "0 で割ろうとしています。".to_string()
    } else {
        return None;
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real Tera reports, from templates with one mistake each: the first line is Japanese, the
    /// location and marker are kept.
    #[test]
    fn common_mistakes_are_said_in_japanese_and_the_location_is_kept() {
        let cases = [
            ("{{ project.nme }}", "項目「nme」はありません。"),
            ("{{ nothing }}", "変数「nothing」はありません。"),
            (
                "{% endblok content %}",
                "知らないタグか、ここでは使えないタグです。",
            ),
            ("{{ 1 | nofilter }}", "フィルター「nofilter」はありません。"),
            ("{{ nofunction() }}", "関数「nofunction」はありません。"),
            ("{% if x %}", "テンプレートが途中で終わっています。"),
            (
                "{% if x %}a{% endfor %}",
                "知らないタグか、ここでは使えないタグです。",
            ),
            (
                "{% for x %}{% endfor %}",
                "in があるはずのところに、`%}` があります。",
            ),
        ];
        for (template, japanese) in cases {
            let mut tera = tera::Tera::new();
            let mut context = tera::Context::new();
            context.insert("project", &serde_json::json!({ "name": "x" }));
            let report = match tera.add_raw_template("t.html", template) {
                Err(e) => e.to_string(),
                Ok(()) => tera
                    .render("t.html", &context)
                    .expect_err(template)
                    .to_string(),
            };
            let said = in_japanese(&report);
            assert!(
                said.starts_with(japanese) || said.contains(japanese),
                "{template}: {said}"
            );
            assert!(!said.starts_with("error:"), "{said}");
            assert!(
                said.contains("t.html"),
                "{template}: the location is kept: {said}"
            );
        }
    }

    #[test]
    fn an_unknown_message_keeps_teras_words_after_a_japanese_lead() {
        let said = in_japanese("error: Something new\n --> t.html:1:1");
        assert_eq!(
            said,
            "テンプレートの誤りです（Tera の説明: Something new）\n --> t.html:1:1"
        );
    }
}

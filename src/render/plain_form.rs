//! Platform-dependent characters (機種依存文字) in their plain form, for the CSV files.
//!
//! The rules for machine-readable government data (デジタル庁「行政データにおける機械可読性に関する
//! ルール」, and 総務省's 統一ルール for statistical tables before it) ask that data files hold no
//! platform-dependent characters: ①, Ⅲ, ㎞, ㈱, ㍉ display differently (or not at all) outside the
//! vendor character sets they came from, and a program searching for 「(1)」 or 「km」 misses them.
//! The CSV files get the plain form made here; the pages and the JSON keep the text as written
//! (see `render::data` for why).
//!
//! Which characters: a rule by Unicode block, not a hand list. A character is platform-dependent when
//! it lies in one of [`BLOCKS`] — the blocks Unicode took the vendor extensions (NEC row 13, IBM) and
//! their kin from — except the two letterlike symbols that JIS X 0208 itself has (℃, Å). Its plain
//! form is its NFKC compatibility mapping (㎞ → km, Ⅲ → III, ㍉ → ミリ, ㍻ → 平成, ㈱ → (株)), put in
//! brackets when Unicode marks it as a circled form (① → (1), ⑳ → (20), ㊤ → (上)), so that 「①補助金」
//! does not read 「1補助金」. Circled digits that Unicode gives no mapping (❶, ⓫, ⓵) are brackets around
//! their number too; a fraction's slash becomes `/`. A character of these blocks with no mapping at
//! all (ↀ, 🅰) stays as written: there is no plain form to write.
//!
//! Full-width letters and digits (ＩＣＴ, ６), the ideographic space and kanji such as 髙 or 﨑 are
//! JIS characters or parts of names, not platform-dependent symbols: they stay as written.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

/// The Unicode blocks whose characters are platform-dependent (first and last code point, name).
pub const BLOCKS: &[(u32, u32, &str)] = &[
    (0x2100, 0x214F, "Letterlike Symbols（№、℡ など）"),
    (0x2150, 0x218F, "Number Forms（Ⅰ〜Ⅻ、ⅰ〜ⅻ、⅓ など）"),
    (
        0x2460,
        0x24FF,
        "Enclosed Alphanumerics（①〜⑳、⑴、⒈、ⓐ など）",
    ),
    (0x2776, 0x2793, "Dingbats の丸数字（❶〜❿、➀〜➓）"),
    (
        0x3200,
        0x32FF,
        "Enclosed CJK Letters and Months（㈱、㊤、㉑、㋿ など）",
    ),
    (0x3300, 0x33FF, "CJK Compatibility（㍉、㎞、㍻、㏍ など）"),
    (0x1F100, 0x1F1FF, "Enclosed Alphanumeric Supplement"),
    (0x1F200, 0x1F2FF, "Enclosed Ideographic Supplement"),
];

/// Letterlike symbols that JIS X 0208 has (row 1 ℃, row 2 Å): ordinary characters, not vendor ones.
const IN_JIS_X_0208: &[char] = &['\u{2103}', '\u{212B}'];

/// The characters whose decomposition Unicode tags `<circle>` (UnicodeData.txt): their plain form
/// is bracketed.
const CIRCLED: &[(u32, u32)] = &[
    (0x2460, 0x2473),   // ①–⑳
    (0x24B6, 0x24EA),   // Ⓐ–ⓩ, ⓪
    (0x3244, 0x3247),   // ㉄–㉇
    (0x3251, 0x327E),   // ㉑–㉟, circled hangul
    (0x3280, 0x32BF),   // ㊀–㊰ (㊀ 一, ㊑ 株, ㊤ 上 …), ㊱–㊿
    (0x32D0, 0x32FE),   // ㋐–㋾
    (0x1F12B, 0x1F12E), // 🄫–🄮
    (0x1F250, 0x1F251), // 🉐, 🉑
];

/// Circled digits without a compatibility mapping: (first code point, last, the first's number).
const UNMAPPED_CIRCLED_DIGITS: &[(u32, u32, u32)] = &[
    (0x24EB, 0x24F4, 11), // ⓫–⓴ negative circled 11–20
    (0x24F5, 0x24FE, 1),  // ⓵–⓾ double circled 1–10
    (0x24FF, 0x24FF, 0),  // ⓿
    (0x2776, 0x277F, 1),  // ❶–❿ dingbat negative circled
    (0x2780, 0x2789, 1),  // ➀–➉ dingbat circled sans-serif
    (0x278A, 0x2793, 1),  // ➊–➓ dingbat negative circled sans-serif
];

/// Whether `c` is a platform-dependent character (in [`BLOCKS`], not a JIS X 0208 character).
pub fn is_platform_dependent(c: char) -> bool {
    let code = u32::from(c);
    BLOCKS
        .iter()
        .any(|&(first, last, _)| (first..=last).contains(&code))
        && !IN_JIS_X_0208.contains(&c)
}

/// The plain form of one platform-dependent character, or `None` for any other character and for
/// those without one.
pub fn plain_char(c: char) -> Option<String> {
    if !is_platform_dependent(c) {
        return None;
    }
    let code = u32::from(c);
    if let Some(&(first, _, number)) = UNMAPPED_CIRCLED_DIGITS
        .iter()
        .find(|&&(first, last, _)| (first..=last).contains(&code))
    {
        return Some(format!("({})", number + code - first));
    }
    let mapped: String = std::iter::once(c).nfkc().collect();
    if mapped.chars().eq(std::iter::once(c)) {
        return None;
    }
    let mapped = mapped.replace('\u{2044}', "/");
    let circled = CIRCLED
        .iter()
        .any(|&(first, last)| (first..=last).contains(&code));
    Some(if circled {
        format!("({mapped})")
    } else {
        mapped
    })
}

/// `text` with every platform-dependent character in its plain form; borrowed when there is none.
pub fn plain_form(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_platform_dependent) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match plain_char(c) {
            Some(plain) => out.push_str(&plain),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// How many characters of `text` have a plain form (and so change in the open data).
pub fn count_replaced(text: &str) -> usize {
    text.chars().filter(|&c| plain_char(c).is_some()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_examples_of_the_rules_take_their_plain_form() {
        for (written, plain) in [
            ("①", "(1)"),
            ("⑳", "(20)"),
            ("㉑", "(21)"),
            ("㊿", "(50)"),
            ("Ⅲ", "III"),
            ("Ⅻ", "XII"),
            ("ⅳ", "iv"),
            ("㎞", "km"),
            ("㎡", "m2"),
            ("㈱", "(株)"),
            ("㈲", "(有)"),
            ("㊤", "(上)"),
            ("㍉", "ミリ"),
            ("㌔", "キロ"),
            ("㍻", "平成"),
            ("㋿", "令和"),
            ("№", "No"),
            ("℡", "TEL"),
            ("⑴", "(1)"),
            ("⒈", "1."),
            ("ⓐ", "(a)"),
            ("❶", "(1)"),
            ("⓫", "(11)"),
            ("⓴", "(20)"),
            ("⓵", "(1)"),
            ("➓", "(10)"),
            ("⅓", "1/3"),
        ] {
            assert_eq!(plain_form(written), plain, "{written}");
        }
        assert_eq!(
            plain_form("①補助金交付、情報Ⅰ、約3,６00㎞"),
            "(1)補助金交付、情報I、約3,６00km"
        );
    }

    #[test]
    fn jis_characters_and_names_stay_as_written() {
        for text in [
            "ＩＣＴ",
            "Ｒ６",
            "（株）",
            "令和　６年度",
            "髙橋",
            "﨑",
            "℃",
            "Å",
            "ｱｲｳ",
            "〜～",
        ] {
            assert!(matches!(plain_form(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn no_plain_form_holds_a_character_that_would_change_again() {
        let mut replaced = 0;
        for &(first, last, _) in BLOCKS {
            for c in (first..=last).filter_map(char::from_u32) {
                let Some(plain) = plain_char(c) else {
                    continue;
                };
                replaced += 1;
                assert!(!plain.is_empty(), "{c}");
                assert!(
                    plain.chars().all(|p| plain_char(p).is_none()),
                    "{c} → {plain}"
                );
                assert_eq!(plain_form(&plain), plain, "{c} → {plain}");
            }
        }
        // Most of the blocks have a plain form; the count guards against a rule that maps nothing.
        assert!(replaced > 800, "{replaced}");
    }

    #[test]
    fn every_circled_form_is_bracketed() {
        for &(first, last) in CIRCLED {
            for c in (first..=last).filter_map(char::from_u32) {
                let plain = plain_char(c).unwrap_or_else(|| panic!("{c} has a plain form"));
                assert!(plain.starts_with('(') && plain.ends_with(')'), "{c}");
            }
        }
    }
}

//! Japanese fiscal years (年度) in era notation.
//!
//! The roadmap writes years as 「R6」 or 「H31」; readers want 「令和6年度（2024年度）」. No maintained crate
//! does this arithmetic, so this small type owns it: parsing the spellings we accept, and every way a
//! year is shown. A fiscal year is stored as its Western year (FY2024 = April 2024 to March 2025).

use std::fmt;

/// The first Western fiscal year of each era we accept, with its letter and name.
const HEISEI_FIRST: u16 = 1989;
const REIWA_FIRST: u16 = 2019;
/// 平成 ends with H31: by the government's agreement of 2019-04-01 the whole fiscal year 2019 is
/// 令和元年度, and 平成31年度 names the same year.
const HEISEI_LAST_YEAR: u16 = 31;

/// A fiscal year, stored as its Western year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FiscalYear(u16);

/// A fiscal year as a content file wrote it. 平成31年度 and 令和元年度 name the same year; a sheet that
/// says H31 is shown as 「平成31年度（2019年度）」, as written, while it counts as the year it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrittenYear {
    year: FiscalYear,
    era: Era,
}

/// The end of a project: a fiscal year, or 「未定」 (not yet decided).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndYear {
    Year(WrittenYear),
    Undecided,
}

/// Why a spelling is not a fiscal year; the text is shown to editors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiscalYearError {
    pub message: String,
    pub hint: Option<String>,
}

/// The word written for an undecided end year.
pub const UNDECIDED: &str = "未定";

impl FiscalYear {
    /// The fiscal year that starts in April of `western`.
    pub fn from_western(western: u16) -> FiscalYear {
        FiscalYear(western)
    }

    /// The fiscal year R`n` (令和`n`年度).
    pub fn reiwa(n: u16) -> FiscalYear {
        FiscalYear(REIWA_FIRST - 1 + n)
    }

    /// Parses 「R6」, 「H31」 (full-width letters and digits accepted as well).
    pub fn parse(text: &str) -> Result<FiscalYear, FiscalYearError> {
        WrittenYear::parse(text).map(WrittenYear::year)
    }

    /// The Western year, e.g. 2024.
    pub fn western(self) -> u16 {
        self.0
    }

    /// The short code used in content files: 「R6」, or 「H30」 before 令和.
    pub fn code(self) -> String {
        match self.era() {
            (Era::Reiwa, n) => format!("R{n}"),
            (Era::Heisei, n) => format!("H{n}"),
            (Era::Before, _) => format!("{}", self.0),
        }
    }

    /// The official name: 「令和6年度」, 「令和元年度」.
    pub fn japanese(self) -> String {
        match self.era() {
            (Era::Reiwa, 1) => "令和元年度".to_string(),
            (Era::Reiwa, n) => format!("令和{n}年度"),
            (Era::Heisei, 1) => "平成元年度".to_string(),
            (Era::Heisei, n) => format!("平成{n}年度"),
            (Era::Before, _) => format!("{}年度", self.0),
        }
    }

    /// The name readers want: 「令和6年度（2024年度）」.
    pub fn long(self) -> String {
        format!("{}（{}年度）", self.japanese(), self.0)
    }

    /// Every fiscal year from `first` to `last`, both included.
    pub fn range(first: FiscalYear, last: FiscalYear) -> impl Iterator<Item = FiscalYear> {
        (first.0..=last.0).map(FiscalYear)
    }

    fn era(self) -> (Era, u16) {
        if self.0 >= REIWA_FIRST {
            (Era::Reiwa, self.0 - REIWA_FIRST + 1)
        } else if self.0 >= HEISEI_FIRST {
            (Era::Heisei, self.0 - HEISEI_FIRST + 1)
        } else {
            (Era::Before, 0)
        }
    }
}

impl WrittenYear {
    fn new(year: FiscalYear, era: Era) -> WrittenYear {
        WrittenYear { year, era }
    }

    /// Parses 「R6」, 「H31」 (full-width letters and digits accepted as well), keeping the era.
    pub fn parse(text: &str) -> Result<WrittenYear, FiscalYearError> {
        let normalized = to_half_width(text.trim());
        let mut chars = normalized.chars();
        let letter = chars.next().map(|c| c.to_ascii_uppercase());
        let digits: String = chars.collect();
        let number = digits
            .parse::<u16>()
            .ok()
            .filter(|_| !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()));
        match (letter, number) {
            (Some('R'), Some(n)) if (1..=99).contains(&n) => {
                Ok(WrittenYear::new(FiscalYear::reiwa(n), Era::Reiwa))
            }
            (Some('R'), Some(0)) => Err(error(
                format!("「{text}」という年度はありません（令和は1年から始まります）。"),
                Some("令和元年度は \"R1\" と書きます。".to_string()),
            )),
            (Some('H'), Some(n)) if (1..=HEISEI_LAST_YEAR).contains(&n) => Ok(WrittenYear::new(
                FiscalYear(HEISEI_FIRST - 1 + n),
                Era::Heisei,
            )),
            (Some('H'), Some(n)) if n > HEISEI_LAST_YEAR => Err(error(
                format!("「{text}」という年度はありません（平成は31年度まで）。"),
                Some(format!(
                    "平成{n}年度にあたる年度は \"R{}\" と書きます。",
                    n - HEISEI_LAST_YEAR + 1
                )),
            )),
            _ => Err(unrecognized(text, &normalized)),
        }
    }

    /// The fiscal year it names.
    pub fn year(self) -> FiscalYear {
        self.year
    }

    /// The code as written: 「H31」 stays 「H31」.
    pub fn code(self) -> String {
        match self.number_in_written_era() {
            Some(n) if self.era == Era::Heisei => format!("H{n}"),
            _ => self.year.code(),
        }
    }

    /// 「平成31年度」 where the file says H31; otherwise as [`FiscalYear::japanese`].
    pub fn japanese(self) -> String {
        match self.number_in_written_era() {
            Some(n) if self.era == Era::Heisei => format!("平成{n}年度"),
            _ => self.year.japanese(),
        }
    }

    /// 「平成31年度（2019年度）」.
    pub fn long(self) -> String {
        format!("{}（{}年度）", self.japanese(), self.year.western())
    }

    /// The year's number in the era it was written in, where that differs from the year's own era
    /// (only H31, which is R1).
    fn number_in_written_era(self) -> Option<u16> {
        (self.era == Era::Heisei && self.year.western() >= REIWA_FIRST)
            .then(|| self.year.western() - HEISEI_FIRST + 1)
    }
}

impl From<FiscalYear> for WrittenYear {
    /// The year written in its own era.
    fn from(year: FiscalYear) -> WrittenYear {
        WrittenYear::new(year, year.era().0)
    }
}

impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.long())
    }
}

impl EndYear {
    /// Parses a fiscal year or 「未定」.
    pub fn parse(text: &str) -> Result<EndYear, FiscalYearError> {
        if text.trim() == UNDECIDED {
            return Ok(EndYear::Undecided);
        }
        WrittenYear::parse(text)
            .map(EndYear::Year)
            .map_err(|mut e| {
                e.hint = Some(match e.hint {
                    Some(h) => {
                        format!("{h} 終わりが決まっていない場合は \"{UNDECIDED}\" と書きます。")
                    }
                    None => format!("終わりが決まっていない場合は \"{UNDECIDED}\" と書きます。"),
                });
                e
            })
    }

    /// The year, if decided.
    pub fn year(self) -> Option<FiscalYear> {
        match self {
            EndYear::Year(y) => Some(y.year()),
            EndYear::Undecided => None,
        }
    }

    /// 「令和8年度（2026年度）」 or 「未定」.
    pub fn long(self) -> String {
        match self {
            EndYear::Year(y) => y.long(),
            EndYear::Undecided => UNDECIDED.to_string(),
        }
    }

    /// 「令和8年度」 or 「未定」.
    pub fn japanese(self) -> String {
        match self {
            EndYear::Year(y) => y.japanese(),
            EndYear::Undecided => UNDECIDED.to_string(),
        }
    }

    /// 「R8」 or 「未定」.
    pub fn code(self) -> String {
        match self {
            EndYear::Year(y) => y.code(),
            EndYear::Undecided => UNDECIDED.to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Era {
    Before,
    Heisei,
    Reiwa,
}

fn error(message: String, hint: Option<String>) -> FiscalYearError {
    FiscalYearError { message, hint }
}

/// Builds the error for a spelling we do not read, guessing the intended code where we can.
fn unrecognized(original: &str, normalized: &str) -> FiscalYearError {
    let guess = guess_code(normalized);
    let hint = match guess {
        Some(code) => {
            format!("\"{code}\" のように、元号の頭文字（R または H）と数字だけで書きます。")
        }
        None => "\"R6\" のように、元号の頭文字（R または H）と数字だけで書きます。".to_string(),
    };
    error(
        format!("「{original}」は年度として読めません。"),
        Some(hint),
    )
}

/// Recognises common near-misses: 「R6年度」, 「令和6年度」, 「令和元年度」, 「2024」, 「2024年度」.
fn guess_code(normalized: &str) -> Option<String> {
    let stripped = normalized
        .trim_end_matches("年度")
        .trim_end_matches('年')
        .replace("元", "1");
    if let Some(rest) = stripped.strip_prefix("令和") {
        return rest.parse::<u16>().ok().map(|n| format!("R{n}"));
    }
    if let Some(rest) = stripped.strip_prefix("平成") {
        return rest.parse::<u16>().ok().map(|n| format!("H{n}"));
    }
    if let Ok(year) = stripped.parse::<u16>() {
        return (year >= REIWA_FIRST).then(|| format!("R{}", year - REIWA_FIRST + 1));
    }
    let upper = stripped.to_ascii_uppercase();
    let is_code = matches!(upper.chars().next(), Some('R' | 'H'))
        && upper.len() > 1
        && upper[1..].chars().all(|c| c.is_ascii_digit());
    (is_code && upper != normalized).then_some(upper)
}

/// Turns full-width ASCII letters and digits (「Ｒ６」) into half-width ones.
pub fn to_half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reiwa_and_heisei_convert_to_western_years() {
        assert_eq!(FiscalYear::parse("R6").map(|y| y.western()), Ok(2024));
        assert_eq!(FiscalYear::parse("R10").map(|y| y.western()), Ok(2028));
        assert_eq!(FiscalYear::parse("R1").map(|y| y.western()), Ok(2019));
        assert_eq!(FiscalYear::parse("H31").map(|y| y.western()), Ok(2019));
        assert_eq!(FiscalYear::parse("H30").map(|y| y.western()), Ok(2018));
        assert_eq!(FiscalYear::parse("H31"), FiscalYear::parse("R1"));
    }

    #[test]
    fn full_width_spellings_are_read() {
        assert_eq!(FiscalYear::parse("Ｒ6"), Ok(FiscalYear::reiwa(6)));
        assert_eq!(FiscalYear::parse("Ｒ６"), Ok(FiscalYear::reiwa(6)));
        assert_eq!(FiscalYear::parse("r6"), Ok(FiscalYear::reiwa(6)));
    }

    #[test]
    fn impossible_years_are_rejected_with_a_hint() {
        let h32 = FiscalYear::parse("H32").unwrap_err();
        assert!(h32.message.contains("H32"));
        assert!(h32.hint.unwrap().contains("\"R2\""));
        assert!(FiscalYear::parse("R0").is_err());
        assert!(FiscalYear::parse("H0").is_err());
        assert!(FiscalYear::parse("").is_err());
        assert!(FiscalYear::parse("R").is_err());
        assert!(FiscalYear::parse("R+6").is_err());
        assert!(FiscalYear::parse("R６年度").is_err());
    }

    #[test]
    fn near_misses_suggest_the_code() {
        let hint = |s: &str| FiscalYear::parse(s).unwrap_err().hint.unwrap();
        assert!(hint("R6年度").contains("\"R6\""));
        assert!(hint("令和6年度").contains("\"R6\""));
        assert!(hint("令和元年度").contains("\"R1\""));
        assert!(hint("2024").contains("\"R6\""));
    }

    #[test]
    fn names_are_shown_with_the_western_year() {
        assert_eq!(FiscalYear::reiwa(6).long(), "令和6年度（2024年度）");
        assert_eq!(FiscalYear::reiwa(1).japanese(), "令和元年度");
        assert_eq!(FiscalYear::from_western(2018).japanese(), "平成30年度");
        assert_eq!(FiscalYear::from_western(2019).code(), "R1");
        assert_eq!(FiscalYear::from_western(2018).code(), "H30");
    }

    #[test]
    fn heisei_31_is_shown_as_written_and_counts_as_reiwa_1() {
        let h31 = WrittenYear::parse("H31").expect("H31 parses");
        let r1 = WrittenYear::parse("R1").expect("R1 parses");
        assert_eq!(h31.year(), r1.year());
        assert_eq!(h31.code(), "H31");
        assert_eq!(h31.japanese(), "平成31年度");
        assert_eq!(h31.long(), "平成31年度（2019年度）");
        assert_eq!(r1.long(), "令和元年度（2019年度）");
        let h30 = WrittenYear::parse("Ｈ３０").expect("H30 parses");
        assert_eq!(h30.long(), "平成30年度（2018年度）");
        assert_eq!(WrittenYear::from(FiscalYear::reiwa(6)).code(), "R6");
        assert_eq!(
            EndYear::parse("H31").map(EndYear::long),
            Ok("平成31年度（2019年度）".to_string())
        );
    }

    #[test]
    fn end_year_accepts_undecided() {
        assert_eq!(EndYear::parse("未定"), Ok(EndYear::Undecided));
        assert_eq!(EndYear::Undecided.long(), "未定");
        assert_eq!(
            EndYear::parse("R10"),
            Ok(EndYear::Year(FiscalYear::reiwa(10).into()))
        );
        assert!(
            EndYear::parse("みてい")
                .unwrap_err()
                .hint
                .unwrap()
                .contains("未定")
        );
    }

    #[test]
    fn range_includes_both_ends() {
        let years: Vec<String> = FiscalYear::range(FiscalYear::reiwa(6), FiscalYear::reiwa(10))
            .map(|y| y.code())
            .collect();
        assert_eq!(years, ["R6", "R7", "R8", "R9", "R10"]);
    }
}

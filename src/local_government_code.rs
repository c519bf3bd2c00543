//! The publisher's 全国地方公共団体コード (JIS X 0402 local government code), checked before it goes
//! into the open data.
//!
//! The 自治体標準オープンデータセット carries this code in every row so that data from many publishers
//! can be joined; a wrong digit would silently attach the data to another government. The code is
//! six digits: the prefecture (01–47, JIS X 0401), three digits for the municipality (000 for the
//! prefecture itself) and a check digit: multiply the first five digits by 6, 5, 4, 3, 2, add,
//! take the remainder by 11, subtract it from 11 and keep the last digit.

use std::fmt;

/// A valid six-digit code (check digit included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalGovernmentCode(String);

/// Why a text is not a valid code, in words an editor can act on (Japanese).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeError {
    pub message: String,
    pub hint: &'static str,
}

const LOOK_IT_UP: &str = "総務省の「全国地方公共団体コード」の一覧で、検査数字（6桁目）を含む6桁のコードを確かめて、\"020001\" のように半角数字で書きます。";

impl LocalGovernmentCode {
    /// Checks `text`: six ASCII digits, a prefecture 01–47 and the right check digit.
    pub fn parse(text: &str) -> Result<LocalGovernmentCode, CodeError> {
        let digits: Vec<u32> = text.chars().filter_map(|c| c.to_digit(10)).collect();
        let ascii_digits = text.chars().all(|c| c.is_ascii_digit());
        if !ascii_digits || digits.len() != 6 {
            let message = if ascii_digits && digits.len() == 5 {
                format!(
                    "全国地方公共団体コード「{text}」は5桁です。検査数字（6桁目）を含む6桁で書きます。"
                )
            } else {
                format!("全国地方公共団体コード「{text}」は、6桁の半角数字ではありません。")
            };
            return Err(CodeError {
                message,
                hint: LOOK_IT_UP,
            });
        }
        let prefecture = digits[0] * 10 + digits[1];
        if !(1..=47).contains(&prefecture) {
            return Err(CodeError {
                message: format!(
                    "全国地方公共団体コード「{text}」の上2桁（都道府県コード）は、01〜47 のどれかです。"
                ),
                hint: LOOK_IT_UP,
            });
        }
        let mut first_five = [0; 5];
        first_five.copy_from_slice(&digits[..5]);
        if check_digit(first_five) != digits[5] {
            return Err(CodeError {
                message: format!(
                    "全国地方公共団体コード「{text}」の検査数字（6桁目）が合いません。どこかの桁が違っています。"
                ),
                hint: LOOK_IT_UP,
            });
        }
        Ok(LocalGovernmentCode(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LocalGovernmentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The check digit of the first five digits (JIS X 0402, modulus 11, weights 6 to 2).
pub fn check_digit(first_five: [u32; 5]) -> u32 {
    let sum: u32 = first_five
        .iter()
        .zip([6, 5, 4, 3, 2])
        .map(|(d, w)| d * w)
        .sum();
    (11 - sum % 11) % 10
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes of the published list (総務省): 北海道, 青森県, 東京都, 青森市, 札幌市, 弘前市 (whose
    /// weighted sum is a multiple of 11) and むつ市 (remainder 1, so 11 − 1 = 10 gives 0).
    const PUBLISHED: &[&str] = &[
        "010006", "020001", "130001", "022012", "011002", "022021", "022080",
    ];

    #[test]
    fn published_codes_are_valid() {
        for code in PUBLISHED {
            let parsed = LocalGovernmentCode::parse(code).expect(code);
            assert_eq!(parsed.as_str(), *code);
        }
    }

    #[test]
    fn every_other_last_digit_is_refused_as_a_wrong_check_digit() {
        for code in PUBLISHED {
            let (first_five, last) = code.split_at(5);
            for digit in (0..10).map(|d| d.to_string()).filter(|d| d != last) {
                let wrong = format!("{first_five}{digit}");
                let error = LocalGovernmentCode::parse(&wrong).expect_err(&wrong);
                assert!(error.message.contains("検査数字"), "{wrong}: {error:?}");
                assert!(error.message.contains(&wrong), "{wrong}: {error:?}");
            }
        }
    }

    #[test]
    fn what_is_not_six_half_width_digits_is_refused_with_its_reason() {
        let five = LocalGovernmentCode::parse("02000").expect_err("five digits");
        assert!(five.message.contains("5桁"), "{five:?}");
        for text in [
            "０２０００１",
            "02-0001",
            "0200010",
            "",
            "青森県",
            " 020001",
        ] {
            let error = LocalGovernmentCode::parse(text).expect_err(text);
            assert!(error.message.contains("6桁の半角数字"), "{text}: {error:?}");
        }
        // The check digit of 99000 is right (99 = 9 × 11 → 1), but there is no prefecture 99.
        let first_five = [9, 9, 0, 0, 0];
        let text = format!("99000{}", check_digit(first_five));
        let error = LocalGovernmentCode::parse(&text).expect_err("no prefecture 99");
        assert!(error.message.contains("01〜47"), "{error:?}");
    }
}

//! Budgets in thousand yen (千円), the roadmap's unit, and the ways they are written for readers.
//!
//! Sums are exact integers: a total is never rounded, and never wraps — every sum is checked and a
//! sum that does not fit is an error. One project's budget is bounded by [`Budget::MAX`] when it is
//! read. Only the plain reading (「約420万円」) rounds, and it says so with 「約」.

/// An amount of money in thousand yen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Budget {
    thousand_yen: u64,
}

/// A sum of budgets too large to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "事業費の合計が、計算できる上限（{}千円）を超えました。",
    group_digits(u64::MAX)
)]
pub struct BudgetOverflow;

impl Budget {
    /// The largest budget one project may have: 1,000,000,000千円 (1兆円). Far above any
    /// prefecture's project, it keeps every reading and every sum of a site's projects exact.
    pub const MAX: Budget = Budget {
        thousand_yen: 1_000_000_000,
    };

    pub fn from_thousand_yen(thousand_yen: u64) -> Budget {
        Budget { thousand_yen }
    }

    pub fn thousand_yen(self) -> u64 {
        self.thousand_yen
    }

    /// 「4,202」: the amount in thousand yen with a comma every three digits.
    pub fn grouped(self) -> String {
        group_digits(self.thousand_yen)
    }

    /// 「4,202千円」.
    pub fn display(self) -> String {
        format!("{}千円", self.grouped())
    }

    /// A plain reading in yen: 「約420万円」, 「2億4,600万円」, 「5,000円」.
    ///
    /// Amounts of 1万円 or more are rounded to the nearest 万円 (half up) and start with 「約」 when the
    /// rounding changed the amount.
    pub fn plain(self) -> String {
        // In u128: a u64 of thousand yen times 1,000 always fits.
        let yen = u128::from(self.thousand_yen) * 1000;
        if yen < 10_000 {
            return format!("{}円", group_digits_wide(yen));
        }
        let man = (yen + 5_000) / 10_000;
        let approximate = man * 10_000 != yen;
        // 万, 億 and 兆 each step by 10,000; zero places are left out (「1兆円」, 「2億4,600万円」).
        let places = [
            (man / 100_000_000, "兆"),
            (man / 10_000 % 10_000, "億"),
            (man % 10_000, "万"),
        ];
        let mut words: String = places
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, unit)| format!("{}{unit}", group_digits_wide(*n)))
            .collect();
        words.push('円');
        if approximate {
            format!("約{words}")
        } else {
            words
        }
    }

    /// `self + other`, or `None` if the sum does not fit.
    pub fn checked_add(self, other: Budget) -> Option<Budget> {
        self.thousand_yen
            .checked_add(other.thousand_yen)
            .map(Budget::from_thousand_yen)
    }

    /// The exact sum of `budgets`, or an error if it does not fit.
    pub fn total(budgets: impl IntoIterator<Item = Budget>) -> Result<Budget, BudgetOverflow> {
        budgets
            .into_iter()
            .try_fold(Budget::default(), |sum, b| sum.checked_add(b))
            .ok_or(BudgetOverflow)
    }
}

/// 1234567 → 「1,234,567」.
pub fn group_digits(n: u64) -> String {
    group_digits_wide(u128::from(n))
}

fn group_digits_wide(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_puts_a_comma_every_three_digits() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1000), "1,000");
        assert_eq!(group_digits(4202), "4,202");
        assert_eq!(group_digits(1_234_567), "1,234,567");
    }

    #[test]
    fn display_is_in_thousand_yen() {
        assert_eq!(Budget::from_thousand_yen(4202).display(), "4,202千円");
        assert_eq!(Budget::from_thousand_yen(246_000).display(), "246,000千円");
    }

    #[test]
    fn plain_reading_rounds_to_man_and_says_so() {
        let plain = |k| Budget::from_thousand_yen(k).plain();
        assert_eq!(plain(4202), "約420万円");
        assert_eq!(plain(1500), "150万円");
        assert_eq!(plain(246_000), "2億4,600万円");
        assert_eq!(plain(77_952), "約7,795万円");
        assert_eq!(plain(100_000), "1億円");
        assert_eq!(plain(5), "5,000円");
        assert_eq!(plain(0), "0円");
        assert_eq!(plain(4205), "約421万円");
    }

    #[test]
    fn sums_are_exact() {
        let total = Budget::total([4202, 6760, 77_952].map(Budget::from_thousand_yen));
        assert_eq!(total.map(Budget::thousand_yen), Ok(88_914));
    }

    #[test]
    fn a_sum_that_does_not_fit_is_an_error_not_a_wrap() {
        let huge = Budget::from_thousand_yen(u64::MAX);
        assert_eq!(
            Budget::total([huge, Budget::from_thousand_yen(1)]),
            Err(BudgetOverflow)
        );
        assert_eq!(Budget::total([huge]), Ok(huge));
        assert_eq!(huge.checked_add(Budget::default()), Some(huge));
    }

    #[test]
    fn the_plain_reading_of_any_amount_is_exact_in_yen() {
        assert_eq!(
            Budget::from_thousand_yen(u64::MAX).plain(),
            "約18,446,744,073兆7,095億5,162万円"
        );
        assert_eq!(Budget::MAX.plain(), "1兆円");
        assert_eq!(
            Budget::from_thousand_yen(1_392_520).plain(),
            "13億9,252万円"
        );
        assert_eq!(
            Budget::from_thousand_yen(1_200_000_000).plain(),
            "1兆2,000億円"
        );
        assert_eq!(Budget::MAX.display(), "1,000,000,000千円");
    }
}

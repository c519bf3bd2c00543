//! Budgets in thousand yen (千円), the roadmap's unit, and the ways they are written for readers.
//!
//! Sums are exact integers: a total is never rounded. Only the plain reading (「約420万円」) rounds, and
//! it says so with 「約」.

use std::iter::Sum;
use std::ops::Add;

/// An amount of money in thousand yen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Budget {
    thousand_yen: u64,
}

impl Budget {
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
        let yen = self.thousand_yen * 1000;
        if yen < 10_000 {
            return format!("{}円", group_digits(yen));
        }
        let man = (yen + 5_000) / 10_000;
        let approximate = man * 10_000 != yen;
        let oku = man / 10_000;
        let rest = man % 10_000;
        let words = match (oku, rest) {
            (0, r) => format!("{}万円", group_digits(r)),
            (o, 0) => format!("{}億円", group_digits(o)),
            (o, r) => format!("{}億{}万円", group_digits(o), group_digits(r)),
        };
        if approximate {
            format!("約{words}")
        } else {
            words
        }
    }
}

impl Add for Budget {
    type Output = Budget;
    fn add(self, other: Budget) -> Budget {
        Budget::from_thousand_yen(self.thousand_yen + other.thousand_yen)
    }
}

impl Sum for Budget {
    fn sum<I: Iterator<Item = Budget>>(iter: I) -> Budget {
        iter.fold(Budget::default(), Add::add)
    }
}

impl<'a> Sum<&'a Budget> for Budget {
    fn sum<I: Iterator<Item = &'a Budget>>(iter: I) -> Budget {
        iter.copied().sum()
    }
}

/// 1234567 → 「1,234,567」.
pub fn group_digits(n: u64) -> String {
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
        let total: Budget = [4202, 6760, 77_952]
            .into_iter()
            .map(Budget::from_thousand_yen)
            .sum();
        assert_eq!(total.thousand_yen(), 88_914);
    }
}

//! Bounds on rendering one page, so that a theme's runaway template fails that page with a message
//! instead of hanging the build at full CPU or filling the disk (and stopping the preview's
//! rebuilds without a word).
//!
//! Tera's own `range()` caps one call at 100,000 numbers, but loops nested inside each other
//! multiply: two nested `range(end=100000)` run 10¹⁰ times while writing nothing. So `range()` is
//! replaced by one that counts every number it gives out during a page, and the page's output is
//! bounded in size and time.

use std::cell::Cell;
use std::io::{self, Write};
use std::time::{Duration, Instant};

use tera::{Kwargs, State, TeraResult};

/// The most numbers all `range()` calls of one page may produce together.
pub const MAX_RANGE_PER_PAGE: u64 = 1_000_000;
/// The largest page: the home page of 50,000 projects is about 25 MB.
pub const MAX_PAGE_BYTES: usize = 64 * 1024 * 1024;
/// The longest a page may take to render (a page takes milliseconds).
pub const MAX_PAGE_TIME: Duration = Duration::from_secs(20);

thread_local! {
    /// What is left of the current page's `range()` budget on this thread (a page renders on one).
    static RANGE_LEFT: Cell<u64> = const { Cell::new(MAX_RANGE_PER_PAGE) };
}

/// Starts a page: its `range()` budget is full again.
pub fn start_page() {
    RANGE_LEFT.with(|left| left.set(MAX_RANGE_PER_PAGE));
}

/// `range(start=0, end=…, step_by=1)` as Tera has it, counted against the page's budget.
pub fn range(kwargs: Kwargs, _: &State) -> TeraResult<Vec<i128>> {
    let start = kwargs.get::<i128>("start")?.unwrap_or_default();
    let end = kwargs.must_get::<i128>("end")?;
    let step = kwargs.get::<i128>("step_by")?.unwrap_or(1);
    if step == 0 {
        return Err(tera::Error::message(
            "range() の step_by に 0 は使えません。",
        ));
    }
    let span = if step > 0 {
        end.checked_sub(start)
    } else {
        start.checked_sub(end)
    };
    let magnitude = step.checked_abs();
    let len = match (span, magnitude) {
        (Some(span), Some(magnitude)) if span > 0 => span.saturating_add(magnitude - 1) / magnitude,
        (Some(_), Some(_)) => 0,
        _ => i128::MAX,
    };
    let left = RANGE_LEFT.with(Cell::get);
    let len = u64::try_from(len).ok().filter(|&len| len <= left).ok_or_else(|| {
        tera::Error::message(format!(
            "range() の数が多すぎます（1ページで合わせて {MAX_RANGE_PER_PAGE} 個まで）。ループが入れ子になっていないか確かめてください。"
        ))
    })?;
    RANGE_LEFT.with(|cell| cell.set(left - len));
    Ok((0..i128::from(len)).map(|i| start + i * step).collect())
}

/// A page's output, refusing to grow past [`MAX_PAGE_BYTES`] or to go on past [`MAX_PAGE_TIME`].
pub struct BoundedPage<'a> {
    out: &'a mut Vec<u8>,
    started: Instant,
    /// Writes since the clock was last read: it is read once every [`CLOCK_EVERY`] writes, as Tera
    /// writes a page in hundreds of small pieces.
    writes: u32,
}

const CLOCK_EVERY: u32 = 256;

impl<'a> BoundedPage<'a> {
    pub fn new(out: &'a mut Vec<u8>) -> BoundedPage<'a> {
        start_page();
        BoundedPage {
            out,
            started: Instant::now(),
            writes: 0,
        }
    }
}

impl Write for BoundedPage<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.out.len().saturating_add(buf.len()) > MAX_PAGE_BYTES {
            return Err(io::Error::other(format!(
                "ページが大きすぎます（{} MB まで）。ループが入れ子になっていないか確かめてください。",
                MAX_PAGE_BYTES / 1024 / 1024
            )));
        }
        self.writes += 1;
        if self.writes >= CLOCK_EVERY {
            self.writes = 0;
            if self.started.elapsed() > MAX_PAGE_TIME {
                return Err(io::Error::other(format!(
                    "ページの描画に {} 秒以上かかったため止めました。ループが入れ子になっていないか確かめてください。",
                    MAX_PAGE_TIME.as_secs()
                )));
            }
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str) -> Result<String, String> {
        let mut tera = tera::Tera::new();
        tera.register_function("range", range);
        tera.add_raw_template("t", template)
            .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        tera.render_to("t", &tera::Context::new(), BoundedPage::new(&mut out))
            .map_err(|e| format!("{e:?}"))?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    #[test]
    fn range_gives_what_teras_gives() {
        let ok = |t: &str| render(t).expect("renders");
        assert_eq!(ok("{% for i in range(end=3) %}{{ i }}{% endfor %}"), "012");
        assert_eq!(
            ok("{% for i in range(start=2, end=9, step_by=3) %}{{ i }},{% endfor %}"),
            "2,5,8,"
        );
        assert_eq!(
            ok("{% for i in range(start=5, end=0, step_by=-2) %}{{ i }},{% endfor %}"),
            "5,3,1,"
        );
        assert_eq!(ok("{% for i in range(start=3, end=3) %}x{% endfor %}"), "");
        assert!(render("{{ range(end=3, step_by=0) }}").is_err());
    }

    #[test]
    fn a_page_has_a_budget_of_numbers_and_bytes() {
        assert!(render("{% for i in range(end=1000) %}{% for j in range(end=999) %}{% endfor %}{% endfor %}").is_ok());
        let nested = render(
            "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}",
        );
        assert!(nested.is_err_and(|e| e.contains("range()")));
        // Each page starts with the whole budget again.
        assert!(render("{% for i in range(end=100000) %}{% endfor %}").is_ok());
        let big = render(
            "{% for i in range(end=100000) %}{% for j in range(end=9) %}0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789{% endfor %}{% endfor %}",
        );
        assert!(big.is_err_and(|e| e.contains("ページが大きすぎます")));
    }
}

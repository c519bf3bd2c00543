//! Bar charts of budget totals, drawn at build time as inline SVG: no JavaScript and no chart library
//! in the browser. Each chart repeats a table that stands beside it, which is its text equivalent;
//! the chart is marked as an image with a label that says so.
//!
//! Labels sit above their bars so the chart stays readable at phone widths; colours come from CSS
//! classes, so forced-colors mode can repaint them.

use super::escape_xml as escape;
use crate::money::group_digits;

/// Width of the drawing in SVG units; the chart scales to its container.
const WIDTH: u32 = 360;
const ROW_HEIGHT: u32 = 42;
const BAR_HEIGHT: u32 = 14;
const LABEL_SIZE: u32 = 13;
/// Room left right of the longest bar for its value.
const VALUE_ROOM: u32 = 110;

/// One bar: a label and a value in thousand yen.
pub struct Bar<'a> {
    pub label: &'a str,
    pub value: u64,
}

/// An SVG bar chart; `label` names it for assistive technology (e.g. 「項目別の事業費の棒グラフ」).
pub fn bar_chart(label: &str, bars: &[Bar<'_>]) -> String {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let height = ROW_HEIGHT * bars.len() as u32 + 4;
    let span = WIDTH - VALUE_ROOM;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{}（数値は次の表のとおり）\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(label)
    );
    for (i, bar) in bars.iter().enumerate() {
        let top = ROW_HEIGHT * i as u32;
        let text_y = top + LABEL_SIZE + 2;
        let bar_y = text_y + 6;
        // Bars are proportional; a non-zero value always shows at least one unit.
        let length = match bar.value {
            0 => 0,
            v => ((v as u128 * span as u128) / max as u128).max(1) as u32,
        };
        svg.push_str(&format!(
            "<text class=\"chart-label\" x=\"0\" y=\"{text_y}\" font-size=\"{LABEL_SIZE}\">{}</text>",
            escape(bar.label)
        ));
        svg.push_str(&format!(
            "<rect class=\"chart-bar\" x=\"0\" y=\"{bar_y}\" width=\"{length}\" height=\"{BAR_HEIGHT}\"/>"
        ));
        svg.push_str(&format!(
            "<text class=\"chart-value\" x=\"{}\" y=\"{}\" font-size=\"{LABEL_SIZE}\">{}千円</text>",
            length + 6,
            bar_y + BAR_HEIGHT - 2,
            group_digits(bar.value)
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_proportional_and_labelled_in_thousand_yen() {
        let svg = bar_chart(
            "項目別",
            &[
                Bar {
                    label: "医療・福祉",
                    value: 500,
                },
                Bar {
                    label: "子育て<&>",
                    value: 250,
                },
                Bar {
                    label: "その他",
                    value: 0,
                },
            ],
        );
        assert!(svg.contains("width=\"250\""), "{svg}");
        assert!(svg.contains("width=\"125\""), "{svg}");
        assert!(svg.contains("width=\"0\""), "{svg}");
        assert!(svg.contains(">500千円<"));
        assert!(svg.contains("子育て&lt;&amp;&gt;"));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("aria-label=\"項目別（数値は次の表のとおり）\""));
    }

    #[test]
    fn a_tiny_value_still_shows() {
        let svg = bar_chart(
            "x",
            &[
                Bar {
                    label: "a",
                    value: 1_000_000,
                },
                Bar {
                    label: "b",
                    value: 1,
                },
            ],
        );
        assert!(svg.contains("width=\"1\""), "{svg}");
    }
}

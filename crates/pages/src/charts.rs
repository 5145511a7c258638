//! Charts drawn by the server as SVG (no script): bars for a figure over months, stacked bars
//! for counts by kind over months. Each chart names itself (`<title>`, `<desc>`, `role="img"`)
//! and the page shows its figures as text beside it, so a screen reader or a printout loses
//! nothing. Colours are presentation attributes (the pages' policy forbids inline styles).

use std::fmt::Write;

/// A chart and the same figures as text.
pub struct Chart {
    pub id: String,
    pub title: String,
    /// The `<svg>` element, built here from escaped text only.
    pub svg: String,
    /// (label, value as text) beside the chart.
    pub figures: Vec<(String, String)>,
}

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 12.0;
const PALETTE: &[&str] = &["#2f6fb3", "#d9822b", "#3a9a5b", "#b33f6f", "#7a5cb8", "#8c8c3a", "#4b9fb3", "#b35a3a"];

/// Escapes text for SVG/HTML content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The opening of a chart: its size, role and names.
fn open(id: &str, title: &str, desc: &str) -> String {
    let (id, title, desc) = (escape(id), escape(title), escape(desc));
    format!(
        "<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{desc}</desc>"
    )
}

/// A round top for the value axis (1, 2 or 5 times a power of ten).
fn nice_top(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let power = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * power).find(|v| *v >= max).unwrap_or(10.0 * power)
}

/// Axis, gridline labels and the month labels under each slot.
fn frame(svg: &mut String, labels: &[String], top: f64, show: &dyn Fn(f64) -> String) {
    let plot = HEIGHT - BOTTOM - TOP;
    for step in 0..=2 {
        let value = top * f64::from(step) / 2.0;
        let y = HEIGHT - BOTTOM - plot * f64::from(step) / 2.0;
        let _ = write!(
            svg,
            "<line x1=\"{LEFT}\" x2=\"{WIDTH}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ccc\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\">{}</text>",
            LEFT - 4.0,
            y + 3.0,
            escape(&show(value))
        );
    }
    let slot = (WIDTH - LEFT) / labels.len().max(1) as f64;
    for (i, label) in labels.iter().enumerate() {
        let x = LEFT + slot * (i as f64 + 0.5);
        let _ = write!(
            svg,
            "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
            HEIGHT - BOTTOM + 14.0,
            escape(label)
        );
    }
}

/// One bar per point; a point without a value has no bar (its text says so).
pub fn bars(
    id: &str,
    title: &str,
    desc: &str,
    points: &[(String, Option<f64>)],
    show: &dyn Fn(f64) -> String,
    none: &str,
) -> Chart {
    let top = nice_top(points.iter().filter_map(|(_, v)| *v).fold(0.0, f64::max));
    let mut svg = open(id, title, desc);
    let labels: Vec<String> = points.iter().map(|(l, _)| l.clone()).collect();
    frame(&mut svg, &labels, top, show);
    let (plot, slot) = (HEIGHT - BOTTOM - TOP, (WIDTH - LEFT) / points.len().max(1) as f64);
    for (i, (label, value)) in points.iter().enumerate() {
        let Some(value) = value else { continue };
        let h = (plot * value / top).max(1.0);
        let _ = write!(
            svg,
            "<rect class=\"bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{}: {}</title></rect>",
            LEFT + slot * i as f64 + slot * 0.2,
            HEIGHT - BOTTOM - h,
            slot * 0.6,
            PALETTE[0],
            escape(label),
            escape(&show(*value))
        );
    }
    svg.push_str("</svg>");
    let figures = points.iter().map(|(l, v)| (l.clone(), v.map_or_else(|| none.to_owned(), show))).collect();
    Chart { id: id.to_owned(), title: title.to_owned(), svg, figures }
}

/// Stacked bars: for each month (column), one segment per series with a count there.
pub fn stacked(id: &str, title: &str, desc: &str, months: &[String], series: &[(String, Vec<i64>)]) -> Chart {
    let totals: Vec<i64> =
        (0..months.len()).map(|i| series.iter().map(|(_, v)| v.get(i).copied().unwrap_or(0)).sum()).collect();
    let top = nice_top(totals.iter().copied().max().unwrap_or(0) as f64);
    let mut svg = open(id, title, desc);
    frame(&mut svg, months, top, &|v| format!("{v:.0}"));
    let (plot, slot) = (HEIGHT - BOTTOM - TOP, (WIDTH - LEFT) / months.len().max(1) as f64);
    for (i, month) in months.iter().enumerate() {
        let mut base = HEIGHT - BOTTOM;
        for (s, (name, values)) in series.iter().enumerate() {
            let n = values.get(i).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let h = plot * n as f64 / top;
            base -= h;
            let _ = write!(
                svg,
                "<rect class=\"bar\" x=\"{:.1}\" y=\"{base:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{} · {}: {n}</title></rect>",
                LEFT + slot * i as f64 + slot * 0.2,
                slot * 0.6,
                PALETTE[s % PALETTE.len()],
                escape(month),
                escape(name)
            );
        }
    }
    // The legend: a swatch per series along the top.
    for (s, (name, _)) in series.iter().enumerate() {
        let x = LEFT + 8.0 + 130.0 * (s % 4) as f64;
        let y = TOP + 12.0 * (s / 4) as f64;
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"8\" height=\"8\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{y:.1}\" font-size=\"10\">{}</text>",
            y - 8.0,
            PALETTE[s % PALETTE.len()],
            x + 11.0,
            escape(name)
        );
    }
    svg.push_str("</svg>");
    let figures = series
        .iter()
        .map(|(name, values)| (name.clone(), values.iter().map(i64::to_string).collect::<Vec<_>>().join(" / ")))
        .collect();
    Chart { id: id.to_owned(), title: title.to_owned(), svg, figures }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_bars_are_drawn_for_values_only() {
        let points = vec![("<a>".to_owned(), Some(2.0)), ("b".to_owned(), None)];
        let chart = bars("c", "T&", "D", &points, &|v| format!("{v}"), "–");
        assert!(chart.svg.contains("&lt;a&gt;") && !chart.svg.contains("<a>"));
        assert!(chart.svg.contains("<title id=\"c-title\">T&amp;</title>"));
        assert_eq!(chart.svg.matches("<rect class=\"bar\"").count(), 1);
        assert_eq!(chart.figures[1].1, "–");
    }

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_top(0.0), 1.0);
        assert_eq!(nice_top(0.6), 1.0);
        assert_eq!(nice_top(750.0), 1000.0);
        assert_eq!(nice_top(3.0), 5.0);
    }
}

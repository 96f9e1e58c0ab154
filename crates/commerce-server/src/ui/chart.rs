//! The daily payment volume and fees chart, one per currency, laid out here and drawn as SVG
//! by the template (so every text in it is escaped like the rest of the page).
//!
//! Input is the store's per-day sums of transactions' `totalAmount` split by `type`
//! (`commerce_store::Store::daily_totals`): volume is the sum of `Payment` transactions, fees
//! are the negated sum of `PaymentFee` and `PaymentFeeRefund` ones (fee rows are negative).
//! Volume and fees get one panel each with its own scale (fees are a few percent of volume
//! and would not show on a shared one), and a data table follows for screen readers.
//!
//! Must not depend on any platform crate.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use commerce_store::DailyTotal;
use serde::Serialize;

/// Width of the drawing, in SVG units.
const WIDTH: f64 = 1100.0;
const LEFT: f64 = 84.0;
const RIGHT: f64 = 12.0;
const VOLUME_TOP: f64 = 28.0;
const VOLUME_HEIGHT: f64 = 170.0;
const FEES_TOP: f64 = 240.0;
const FEES_HEIGHT: f64 = 70.0;
const AXIS_LABELS: f64 = 330.0;
const HEIGHT: f64 = 342.0;

/// One currency's chart.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Chart {
    pub(crate) currency: String,
    /// A unique, id-safe suffix for `aria-labelledby`.
    pub(crate) key: String,
    pub(crate) width: f64,
    pub(crate) height: f64,
    pub(crate) left: f64,
    pub(crate) right_edge: f64,
    pub(crate) volume: Panel,
    pub(crate) fees: Panel,
    /// Day labels under the x axis.
    pub(crate) day_labels: Vec<AxisLabel>,
    pub(crate) axis_y: f64,
    pub(crate) total_volume: String,
    pub(crate) total_fees: String,
    pub(crate) payments: u64,
    /// Days with any value, for the data table.
    pub(crate) rows: Vec<Row>,
}

/// One panel (volume or fees): its frame, scale and bars.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Panel {
    pub(crate) label: &'static str,
    pub(crate) top: f64,
    pub(crate) bottom: f64,
    pub(crate) label_y: f64,
    /// The value at the top of the panel, formatted.
    pub(crate) max_label: String,
    pub(crate) mid_label: String,
    pub(crate) mid_y: f64,
    pub(crate) bars: Vec<Bar>,
}

/// One day's bar.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Bar {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) width: f64,
    pub(crate) height: f64,
    /// Tooltip: the day and value.
    pub(crate) title: String,
}

/// A text under the x axis.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct AxisLabel {
    pub(crate) x: f64,
    pub(crate) text: String,
}

/// One day of the data table.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Row {
    pub(crate) day: String,
    pub(crate) volume: String,
    pub(crate) fees: String,
    pub(crate) payments: u64,
}

#[derive(Default, Clone, Copy)]
struct Day {
    volume: f64,
    fees: f64,
    payments: u64,
}

/// The charts for `days` days ending `last_day` (inclusive), one per currency (by code),
/// from per-day totals split by transaction type.
pub(crate) fn charts(totals: &[DailyTotal], last_day: NaiveDate, days: u32) -> Vec<Chart> {
    let first_day = last_day
        .checked_sub_days(Days::new(u64::from(days.saturating_sub(1))))
        .unwrap_or(last_day);
    let mut per_currency: BTreeMap<String, BTreeMap<NaiveDate, Day>> = BTreeMap::new();
    for total in totals {
        if total.day < first_day || total.day > last_day {
            continue;
        }
        let currency = total.currency.clone().unwrap_or_else(|| "?".to_owned());
        let day = per_currency
            .entry(currency)
            .or_default()
            .entry(total.day)
            .or_default();
        match total.group.as_deref() {
            Some("Payment") => {
                day.volume += total.total;
                day.payments += total.count;
            }
            Some("PaymentFee" | "PaymentFeeRefund") => day.fees -= total.total,
            _ => {}
        }
    }
    per_currency
        .into_iter()
        .filter(|(_, by_day)| {
            by_day
                .values()
                .any(|day| day.volume != 0.0 || day.fees != 0.0)
        })
        .enumerate()
        .map(|(index, (currency, by_day))| chart(index, currency, &by_day, first_day, days))
        .collect()
}

fn chart(
    index: usize,
    currency: String,
    by_day: &BTreeMap<NaiveDate, Day>,
    first_day: NaiveDate,
    days: u32,
) -> Chart {
    let plot_width = WIDTH - LEFT - RIGHT;
    let band = plot_width / f64::from(days.max(1));
    let day_at = |offset: u32| first_day.checked_add_days(Days::new(u64::from(offset)));
    let mut volume_values = Vec::new();
    let mut fee_values = Vec::new();
    for offset in 0..days {
        let Some(date) = day_at(offset) else { break };
        let day = by_day.get(&date).copied().unwrap_or_default();
        volume_values.push((date, day.volume));
        fee_values.push((date, day.fees));
    }
    let volume = panel(
        "Volume",
        VOLUME_TOP,
        VOLUME_HEIGHT,
        &volume_values,
        band,
        &currency,
    );
    let fees = panel("Fees", FEES_TOP, FEES_HEIGHT, &fee_values, band, &currency);
    let label_every = if days > 45 { 14 } else { 7 };
    let day_labels = (0..days)
        .filter(|offset| offset % label_every == 0 || *offset == days - 1)
        .filter(|offset| *offset == days - 1 || days - 1 - offset >= label_every / 2)
        .filter_map(|offset| {
            let date = day_at(offset)?;
            Some(AxisLabel {
                x: round(LEFT + band * (f64::from(offset) + 0.5)),
                text: date.format("%b %-d").to_string(),
            })
        })
        .collect();
    let rows = by_day
        .iter()
        .filter(|(_, day)| day.volume != 0.0 || day.fees != 0.0)
        .map(|(date, day)| Row {
            day: date.format("%Y-%m-%d").to_string(),
            volume: money(day.volume),
            fees: money(day.fees),
            payments: day.payments,
        })
        .collect();
    Chart {
        key: format!("{index}"),
        currency,
        width: WIDTH,
        height: HEIGHT,
        left: LEFT,
        right_edge: WIDTH - RIGHT,
        volume,
        fees,
        day_labels,
        axis_y: AXIS_LABELS,
        total_volume: money(by_day.values().map(|day| day.volume).sum()),
        total_fees: money(by_day.values().map(|day| day.fees).sum()),
        payments: by_day.values().map(|day| day.payments).sum(),
        rows,
    }
}

fn panel(
    label: &'static str,
    top: f64,
    height: f64,
    values: &[(NaiveDate, f64)],
    band: f64,
    currency: &str,
) -> Panel {
    let max = nice_ceiling(values.iter().map(|(_, value)| *value).fold(0.0, f64::max));
    let bottom = top + height;
    let bars = values
        .iter()
        .enumerate()
        .filter(|(_, (_, value))| *value > 0.0)
        .map(|(offset, (date, value))| {
            let bar_height = (value / max * height).max(1.0);
            let offset = f64::from(u32::try_from(offset).unwrap_or(u32::MAX));
            Bar {
                x: round(LEFT + band * offset + band * 0.15),
                y: round(bottom - bar_height),
                width: round(band * 0.7),
                height: round(bar_height),
                title: format!(
                    "{}: {} {currency} {}",
                    date.format("%Y-%m-%d"),
                    label.to_lowercase(),
                    money(*value)
                ),
            }
        })
        .collect();
    Panel {
        label,
        top,
        bottom,
        label_y: top - 8.0,
        max_label: short_money(max),
        mid_label: short_money(max / 2.0),
        mid_y: round(top + height / 2.0),
        bars,
    }
}

/// The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `value` (1 for 0).
fn nice_ceiling(value: f64) -> f64 {
    if value <= 0.0 || !value.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|step| step * magnitude)
        .find(|candidate| *candidate >= value)
        .unwrap_or(10.0 * magnitude)
}

fn round(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// `1234567.891` as `1,234,567.89`.
pub(crate) fn money(value: f64) -> String {
    let fixed = format!("{:.2}", value.abs());
    let (whole, cents) = fixed.split_once('.').unwrap_or((fixed.as_str(), "00"));
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if value < 0.0 && fixed != "0.00" {
        "-"
    } else {
        ""
    };
    format!("{sign}{grouped}.{cents}")
}

/// An axis label: `2,500` or `12.5` (no cents on round values).
fn short_money(value: f64) -> String {
    let text = money(value);
    text.strip_suffix(".00").map(str::to_owned).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn total(day_text: &str, currency: &str, group: &str, sum: f64, count: u64) -> DailyTotal {
        DailyTotal::new(
            day(day_text),
            Some(currency.to_owned()),
            Some(group.to_owned()),
            sum,
            count,
        )
    }

    #[test]
    fn volume_and_fees_per_currency_and_day() {
        let totals = vec![
            total("2024-03-01", "EUR", "Payment", 50.0, 1),
            total("2024-03-01", "USD", "Payment", 100.0, 2),
            total("2024-03-01", "USD", "PaymentFee", -3.2, 2),
            total("2024-03-02", "USD", "Refund", -40.0, 1),
            total("2024-03-03", "USD", "Payment", 200.0, 1),
            total("2024-03-03", "USD", "PaymentFeeRefund", 0.2, 1),
            // Before the range.
            total("2024-02-01", "GBP", "Payment", 9.0, 1),
        ];
        let charts = charts(&totals, day("2024-03-03"), 30);
        let currencies: Vec<&str> = charts.iter().map(|chart| chart.currency.as_str()).collect();
        assert_eq!(currencies, ["EUR", "USD"]);
        let usd = &charts[1];
        assert_eq!(usd.total_volume, "300.00");
        assert_eq!(usd.total_fees, "3.00");
        assert_eq!(usd.payments, 3);
        assert_eq!(usd.volume.max_label, "200");
        assert_eq!(usd.volume.bars.len(), 2);
        // The biggest day fills the panel; bars are at their day's place (the last day last).
        let tallest = usd
            .volume
            .bars
            .iter()
            .map(|bar| bar.height)
            .fold(0.0, f64::max);
        assert_eq!(tallest, VOLUME_HEIGHT);
        assert!(usd.volume.bars[1].x > usd.volume.bars[0].x);
        assert!(usd.volume.bars[1].x + usd.volume.bars[1].width <= WIDTH - RIGHT);
        assert_eq!(
            usd.rows.len(),
            2,
            "the refund-only day has no volume or fee"
        );
        assert_eq!(usd.rows[0].fees, "3.20");
        assert_eq!(usd.rows[1].fees, "-0.20");
        assert!(usd.volume.bars[0].title.contains("2024-03-01"));
    }

    #[test]
    fn money_and_scales() {
        assert_eq!(money(1_234_567.891), "1,234,567.89");
        assert_eq!(money(-0.001), "0.00");
        assert_eq!(money(-12.5), "-12.50");
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(180.0), 200.0);
        assert_eq!(nice_ceiling(2100.0), 2500.0);
        assert_eq!(nice_ceiling(5000.0), 5000.0);
    }
}

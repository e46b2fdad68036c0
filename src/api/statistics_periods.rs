//! The periods of the usage statistics: the months or weeks (Monday to
//! Sunday) that cover the days asked, each from midnight in the tenant's
//! time zone; the range is widened to whole periods (a figure is never
//! about a part of a month, which would let two overlapping ranges be
//! subtracted into a single day).

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;

/// Months or weeks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Month,
    Week,
}

impl Period {
    pub fn parse(text: &str) -> Option<Period> {
        match text {
            "month" => Some(Period::Month),
            "week" => Some(Period::Week),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Week => "week",
        }
    }
}

/// One period: its label (`2026-03`, `2026-W10`), first and last days, and
/// start (milliseconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub label: String,
    pub first_day: Date,
    pub last_day: Date,
    pub start_ms: i64,
}

/// The most periods one answer holds (about two years of weeks).
pub const MAX_PERIODS: usize = 106;

/// The periods covering `from..=to` in `zone`, and the end of the last
/// (milliseconds); `None` when `to` is before `from` or there would be more
/// than [`MAX_PERIODS`].
pub fn periods(period: Period, from: Date, to: Date, zone: &TimeZone) -> Option<(Vec<Span>, i64)> {
    if to < from {
        return None;
    }
    let mut first = match period {
        Period::Month => from.first_of_month(),
        Period::Week => from - (from.weekday().to_monday_zero_offset() as i64).days(),
    };
    let mut spans = Vec::new();
    while first <= to {
        let next = match period {
            Period::Month => first.checked_add(1.month()).ok()?,
            Period::Week => first.checked_add(7.days()).ok()?,
        };
        let label = match period {
            Period::Month => format!("{:04}-{:02}", first.year(), first.month()),
            Period::Week => {
                let week = first.iso_week_date();
                format!("{:04}-W{:02}", week.year(), week.week())
            }
        };
        spans.push(Span {
            label,
            first_day: first,
            last_day: next.yesterday().ok()?,
            start_ms: midnight(first, zone)?,
        });
        if spans.len() > MAX_PERIODS {
            return None;
        }
        first = next;
    }
    debug_assert!(spans.first().is_none_or(|s| s.first_day.weekday() == Weekday::Monday || period == Period::Month));
    Some((spans, midnight(first, zone)?))
}

/// Midnight of `day` in `zone`, in milliseconds since the epoch.
fn midnight(day: Date, zone: &TimeZone) -> Option<i64> {
    Some(day.to_zoned(zone.clone()).ok()?.timestamp().as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn months_and_weeks_cover_whole_periods_in_the_zone() {
        let paris = TimeZone::get("Europe/Paris").unwrap();
        let (months, end) = periods(Period::Month, date(2026, 1, 15), date(2026, 3, 2), &paris).unwrap();
        let labels: Vec<&str> = months.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["2026-01", "2026-02", "2026-03"]);
        assert_eq!(months[1].last_day, date(2026, 2, 28));
        // Midnight in Paris is 23:00 UTC the day before in winter.
        assert_eq!(months[0].start_ms, 1_767_222_000_000);
        assert_eq!(end, date(2026, 4, 1).to_zoned(paris.clone()).unwrap().timestamp().as_millisecond());
        let (weeks, _) = periods(Period::Week, date(2026, 3, 4), date(2026, 3, 16), &paris).unwrap();
        let labels: Vec<&str> = weeks.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["2026-W10", "2026-W11", "2026-W12"]);
        assert_eq!((weeks[0].first_day, weeks[0].last_day), (date(2026, 3, 2), date(2026, 3, 8)));
        assert!(periods(Period::Month, date(2026, 3, 1), date(2026, 2, 1), &paris).is_none());
        assert!(periods(Period::Week, date(2020, 1, 1), date(2026, 1, 1), &paris).is_none(), "too many weeks");
    }
}

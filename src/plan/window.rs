//! The archive window: the cutoff from the as-of date, and each storage's date range.

use chrono::NaiveDate;

use crate::model::Period;

/// Truncate `as_of` to the start of its period, then go back `count` periods.
/// Data strictly before the cutoff is archived. `None` when the date leaves chrono's range.
pub fn cutoff(as_of: NaiveDate, period: Period, count: u32) -> Option<NaiveDate> {
    period.back(period.truncate(as_of), count)
}

/// A half-open date range `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The window for one storage: `[start, min(end, cutoff))`, or `None` when it is empty.
pub fn window(start: NaiveDate, end: Option<NaiveDate>, cutoff: NaiveDate) -> Option<Window> {
    let end = end.map_or(cutoff, |e| e.min(cutoff));
    (start < end).then_some(Window { start, end })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn spec_example_month_two() {
        assert_eq!(
            cutoff(d(2026, 11, 21), Period::Month, 2),
            Some(d(2026, 9, 1))
        );
    }

    #[test]
    fn month_arithmetic_never_clamps_because_it_starts_from_day_one() {
        // 31 March minus one month: the period start is 1 March, so 1 February.
        assert_eq!(
            cutoff(d(2026, 3, 31), Period::Month, 1),
            Some(d(2026, 2, 1))
        );
        assert_eq!(
            cutoff(d(2024, 3, 31), Period::Month, 13),
            Some(d(2023, 2, 1))
        );
    }

    #[test]
    fn leap_days() {
        assert_eq!(cutoff(d(2024, 2, 29), Period::Day, 1), Some(d(2024, 2, 28)));
        assert_eq!(cutoff(d(2024, 3, 1), Period::Day, 1), Some(d(2024, 2, 29)));
        assert_eq!(cutoff(d(2024, 2, 29), Period::Year, 1), Some(d(2023, 1, 1)));
        assert_eq!(
            cutoff(d(2024, 2, 29), Period::Month, 0),
            Some(d(2024, 2, 1))
        );
    }

    #[test]
    fn year_ends() {
        assert_eq!(cutoff(d(2027, 1, 1), Period::Day, 1), Some(d(2026, 12, 31)));
        assert_eq!(
            cutoff(d(2027, 1, 15), Period::Month, 1),
            Some(d(2026, 12, 1))
        );
        assert_eq!(
            cutoff(d(2026, 12, 31), Period::Year, 2),
            Some(d(2024, 1, 1))
        );
        assert_eq!(
            cutoff(d(2027, 2, 10), Period::Quarter, 1),
            Some(d(2026, 10, 1))
        );
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-11-21 is a Saturday; its week starts Monday 2026-11-16.
        assert_eq!(
            cutoff(d(2026, 11, 21), Period::Week, 1),
            Some(d(2026, 11, 9))
        );
        assert_eq!(
            cutoff(d(2026, 11, 16), Period::Week, 0),
            Some(d(2026, 11, 16))
        );
        // A week that crosses the year end.
        assert_eq!(
            cutoff(d(2027, 1, 1), Period::Week, 0),
            Some(d(2026, 12, 28))
        );
    }

    #[test]
    fn quarters() {
        assert_eq!(
            cutoff(d(2026, 11, 21), Period::Quarter, 1),
            Some(d(2026, 7, 1))
        );
        assert_eq!(
            cutoff(d(2026, 3, 31), Period::Quarter, 1),
            Some(d(2025, 10, 1))
        );
    }

    #[test]
    fn huge_counts_do_not_panic() {
        assert_eq!(cutoff(d(2026, 1, 1), Period::Year, u32::MAX), None);
        assert_eq!(cutoff(d(2026, 1, 1), Period::Day, u32::MAX), None);
    }

    #[test]
    fn windows_are_clipped_and_empty_ones_vanish() {
        let cut = d(2026, 9, 1);
        assert_eq!(
            window(d(2019, 1, 1), None, cut),
            Some(Window {
                start: d(2019, 1, 1),
                end: cut
            })
        );
        assert_eq!(
            window(d(2019, 1, 1), Some(d(2020, 2, 21)), cut).map(|w| w.end),
            Some(d(2020, 2, 21))
        );
        assert_eq!(window(d(2026, 10, 1), None, cut), None);
        assert_eq!(window(cut, None, cut), None);
    }
}

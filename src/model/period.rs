//! Retention periods: day, week, month, quarter, year, and their calendar arithmetic.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Period {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "day" => Some(Period::Day),
            "week" => Some(Period::Week),
            "month" => Some(Period::Month),
            "quarter" => Some(Period::Quarter),
            "year" => Some(Period::Year),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        }
    }

    /// Start of the period that holds `date` (weeks start on Monday, ISO 8601).
    pub fn truncate(self, date: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => date,
            Period::Week => date - Days::new(u64::from(date.weekday().num_days_from_monday())),
            Period::Month => date.with_day(1).expect("day 1 exists"),
            Period::Quarter => {
                let month = (date.month0() / 3) * 3 + 1;
                NaiveDate::from_ymd_opt(date.year(), month, 1).expect("quarter start exists")
            }
            Period::Year => NaiveDate::from_ymd_opt(date.year(), 1, 1).expect("1 January exists"),
        }
    }

    /// `date` minus `count` periods. `date` is a period start, so no day clamping happens.
    pub fn back(self, date: NaiveDate, count: u32) -> Option<NaiveDate> {
        match self {
            Period::Day => date.checked_sub_days(Days::new(u64::from(count))),
            Period::Week => date.checked_sub_days(Days::new(7 * u64::from(count))),
            Period::Month => date.checked_sub_months(Months::new(count)),
            Period::Quarter => date.checked_sub_months(Months::new(count.checked_mul(3)?)),
            Period::Year => date.checked_sub_months(Months::new(count.checked_mul(12)?)),
        }
    }
}

/// How long one partition lasts, read from its format: `%Y-%m-%d` daily, `%Y-%m` monthly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    Day,
    Month,
    Year,
}

impl Granularity {
    pub fn of_format(format: &str) -> Self {
        if format.contains("%d") || format.contains("%j") {
            Granularity::Day
        } else if format.contains("%m") {
            Granularity::Month
        } else {
            Granularity::Year
        }
    }

    fn period(self) -> Period {
        match self {
            Granularity::Day => Period::Day,
            Granularity::Month => Period::Month,
            Granularity::Year => Period::Year,
        }
    }

    /// The start of the partition holding `date`.
    pub fn floor(self, date: NaiveDate) -> NaiveDate {
        self.period().truncate(date)
    }

    /// The start of the first partition that begins on or after `date`.
    pub fn ceil(self, date: NaiveDate) -> NaiveDate {
        let floor = self.floor(date);
        if floor == date {
            return date;
        }
        match self {
            Granularity::Day => date,
            Granularity::Month => floor.checked_add_months(Months::new(1)).unwrap_or(floor),
            Granularity::Year => floor.checked_add_months(Months::new(12)).unwrap_or(floor),
        }
    }

    pub fn splits(self, date: NaiveDate) -> bool {
        self.floor(date) != date
    }
}

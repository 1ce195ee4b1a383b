//! Config dates: `DD-Mon-YYYY` (as in the seed) or ISO `YYYY-MM-DD`; `""` means open-ended.

use chrono::NaiveDate;

/// Parses a config date. Returns `None` for text that is neither format.
pub fn parse(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if text.len() == 10 && text.as_bytes()[4] == b'-' {
        return NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    }
    if text.len() == 11 && text.as_bytes()[2] == b'-' {
        let month = &text[3..6];
        let canonical = format!(
            "{}-{}{}-{}",
            &text[..2],
            month[..1].to_ascii_uppercase(),
            month[1..].to_ascii_lowercase(),
            &text[7..]
        );
        return NaiveDate::parse_from_str(&canonical, "%d-%b-%Y").ok();
    }
    None
}

/// The seed's display format, `01-Jan-2019`.
pub fn seed_format(date: NaiveDate) -> String {
    date.format("%d-%b-%Y").to_string()
}

pub fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_parse_to_the_same_day() {
        assert_eq!(parse("01-Jan-2019"), parse("2019-01-01"));
        assert_eq!(parse("21-feb-2020"), NaiveDate::from_ymd_opt(2020, 2, 21));
        assert_eq!(parse("29-Feb-2024"), NaiveDate::from_ymd_opt(2024, 2, 29));
    }

    #[test]
    fn impossible_dates_are_rejected() {
        assert_eq!(parse("29-Feb-2023"), None);
        assert_eq!(parse("2023-02-30"), None);
        assert_eq!(parse("2023/02/01"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse("01-Foo-2019"), None);
    }
}

//! Call dates: start times read from manifests and file names (a pipeline's
//! `[metadata] started_at_format`, else the common recorder layouts), dates read from folder
//! layouts (`.../2026/12/03/...`, `.../2026-12-03/...`), and where each call's date came from.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde::Serialize;
use std::path::Path;

/// Where a call's `started_at` / `call_date` came from (`calls.started_at_source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    /// The manifest's `started_at` column.
    Manifest,
    /// The file name (`[metadata] filename_pattern`).
    Filename,
    /// No start time, but the recording's folders name a date (`.../2026/12/03/...`,
    /// `.../2026-12-03/...`): that day (`started_at` stays empty).
    Folder,
    /// No start time found: the recording's modification date.
    FileMtime,
    /// No start time and no readable modification time: the day of the run.
    RunDate,
}

impl DateSource {
    /// The value stored in `calls.started_at_source`.
    pub fn as_str(self) -> &'static str {
        match self {
            DateSource::Manifest => "manifest",
            DateSource::Filename => "filename",
            DateSource::Folder => "folder",
            DateSource::FileMtime => "file_mtime",
            DateSource::RunDate => "run_date",
        }
    }

    /// True when no date was found (neither a start time nor a dated folder: the date is the
    /// file's modification date or the run's).
    pub fn is_fallback(self) -> bool {
        matches!(self, DateSource::FileMtime | DateSource::RunDate)
    }
}

/// Date-time layouts tried after a configured format: ISO 8601 with `:` or `-` between the time
/// fields (AWS Contact Lens / PCA names: `2025-02-19T06-01-22`), with `T`, a space or `_` between
/// date and time, and the compact recorder forms.
const DATETIME_FORMATS: [&str; 15] = [
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H-%M-%S",
    "%Y-%m-%d_%H-%M-%S",
    "%Y-%m-%d %H-%M-%S",
    "%Y-%m-%d_%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H-%M",
    "%Y%m%dT%H%M%S",
    "%Y%m%d_%H%M%S",
    "%Y%m%d-%H%M%S",
    "%Y%m%d%H%M%S",
    "%Y/%m/%d %H:%M:%S",
];

/// Date-only layouts (the call's time is taken as midnight).
const DATE_FORMATS: [&str; 4] = ["%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y_%m_%d"];

/// Parse a start time: with `format` (strftime, the pipeline's `started_at_format`) first, then
/// RFC 3339 (the offset is dropped: call dates are the call centre's local dates), the layouts of
/// [`DATETIME_FORMATS`], dates alone, and Unix epoch seconds (10 digits) or milliseconds (13),
/// read as UTC. Years outside 1970-2100 are refused (a number that only looks like a date).
pub fn parse_started_at(s: &str, format: Option<&str>) -> Option<NaiveDateTime> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let plausible = |t: NaiveDateTime| {
        use chrono::Datelike;
        (1970..=2100).contains(&t.year()).then_some(t)
    };
    if let Some(f) = format {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return plausible(t);
        }
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return d.and_hms_opt(0, 0, 0).and_then(plausible);
        }
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return plausible(dt.naive_local());
    }
    for f in DATETIME_FORMATS {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return plausible(t);
        }
    }
    for f in DATE_FORMATS {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return d.and_hms_opt(0, 0, 0).and_then(plausible);
        }
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = s.parse().ok()?;
        let t = match s.len() {
            10 => DateTime::from_timestamp(n, 0),
            13 => DateTime::from_timestamp_millis(n),
            _ => None,
        };
        return t.map(|t| t.naive_utc()).and_then(plausible);
    }
    None
}

/// Whether `format` is a usable strftime format for a start time: it parses, and names at least
/// a year, a month and a day.
pub fn check_format(format: &str) -> Result<(), String> {
    use chrono::format::{Item, StrftimeItems};
    let items: Vec<Item> = StrftimeItems::new(format).collect();
    if items.iter().any(|i| matches!(i, Item::Error)) {
        return Err(format!("{format:?} is not a valid strftime format"));
    }
    let has = |spec: &str| format.contains(spec);
    let year = has("%Y") || has("%y") || has("%s") || has("%+");
    let month = has("%m") || has("%b") || has("%B") || has("%s") || has("%+") || has("%F");
    let day = has("%d") || has("%e") || has("%s") || has("%+") || has("%F") || has("%j");
    if !(year || has("%F")) || !month || !day {
        return Err(format!(
            "{format:?} does not name a full date (a year, a month and a day, e.g. %Y-%m-%dT%H-%M-%S)"
        ));
    }
    Ok(())
}

/// The date a folder layout gives a recording: the last `YYYY/MM/DD` run of folders in its path
/// (`.../2026/12/03/call.wav`) or the last folder named like a date (`2026-12-03`, `20261203`,
/// `2026_12_03`). `None` when the path names no date.
pub fn date_from_path(path: &Path) -> Option<NaiveDate> {
    let parts: Vec<String> = path
        .parent()?
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let mut found = None;
    for (i, p) in parts.iter().enumerate() {
        if let Some(d) = DATE_FORMATS
            .iter()
            .filter(|f| **f != "%Y/%m/%d")
            .find_map(|f| NaiveDate::parse_from_str(p, f).ok())
        {
            found = Some(d);
            continue;
        }
        if i >= 2 {
            let (y, m, d) = (&parts[i - 2], &parts[i - 1], p);
            let digits = |s: &str, n: &[usize]| {
                n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
            };
            if digits(y, &[4]) && digits(m, &[1, 2]) && digits(d, &[1, 2]) {
                let ymd = (y.parse().ok(), m.parse().ok(), d.parse().ok());
                if let (Some(y), Some(m), Some(d)) = ymd
                    && let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
                {
                    found = Some(date);
                }
            }
        }
    }
    found
}

/// A day given on the command line: `YYYY-MM-DD`, `today`, `yesterday`, or `N` days before
/// today as `-Nd` (`-7d`).
pub fn parse_day(s: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let s = s.trim();
    match s {
        "today" => return Ok(today),
        "yesterday" => return today.pred_opt().ok_or_else(|| "no day before today".into()),
        _ => {}
    }
    if let Some(n) = s.strip_prefix('-').and_then(|r| r.strip_suffix('d'))
        && let Ok(n) = n.parse::<u64>()
    {
        return today
            .checked_sub_days(chrono::Days::new(n))
            .ok_or_else(|| format!("{s:?} reaches before any date"));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        format!("{s:?} is not a day: use YYYY-MM-DD, today, yesterday or -Nd (e.g. -7d)")
    })
}

/// The days a run takes calls from (`callqa score --date` / `--since`), by `call_date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DateRange {
    /// First day, inclusive.
    pub from: NaiveDate,
    /// Last day, inclusive; `None`: no end.
    pub to: Option<NaiveDate>,
}

impl DateRange {
    /// One day.
    pub fn day(d: NaiveDate) -> DateRange {
        DateRange {
            from: d,
            to: Some(d),
        }
    }

    /// From a day on.
    pub fn since(d: NaiveDate) -> DateRange {
        DateRange { from: d, to: None }
    }

    /// True when `d` is in the range.
    pub fn contains(&self, d: NaiveDate) -> bool {
        d >= self.from && self.to.is_none_or(|t| d <= t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<NaiveDateTime> {
        NaiveDate::from_ymd_opt(y, mo, d).and_then(|d| d.and_hms_opt(h, mi, s))
    }

    #[test]
    fn common_layouts_parse_without_a_format() {
        let want = at(2025, 2, 19, 6, 1, 22);
        for s in [
            "2025-02-19T06-01-22",
            "2025-02-19T06:01:22",
            "2025-02-19 06:01:22",
            "2025-02-19_06-01-22",
            "20250219_060122",
            "20250219060122",
            "20250219T060122",
            "2025-02-19T06:01:22+08:00",
            "1739944882",
            "1739944882000",
        ] {
            assert_eq!(parse_started_at(s, None), want, "{s}");
        }
        assert_eq!(
            parse_started_at("2025-02-19", None),
            at(2025, 2, 19, 0, 0, 0)
        );
        for bad in [
            "",
            "yesterday",
            "2025-13-40T00-00-00",
            "12345",
            "99999999999999",
        ] {
            assert_eq!(parse_started_at(bad, None), None, "{bad}");
        }
    }

    #[test]
    fn a_configured_format_goes_first() {
        // Day first: the common layouts would not read it.
        assert_eq!(parse_started_at("19.02.2025 06h01m22", None), None);
        assert_eq!(
            parse_started_at("19.02.2025 06h01m22", Some("%d.%m.%Y %Hh%Mm%S")),
            at(2025, 2, 19, 6, 1, 22)
        );
        assert_eq!(
            parse_started_at("19.02.2025", Some("%d.%m.%Y")),
            at(2025, 2, 19, 0, 0, 0)
        );
        // A value the format does not fit still gets the common layouts.
        assert_eq!(
            parse_started_at("2025-02-19T06-01-22", Some("%d.%m.%Y")),
            at(2025, 2, 19, 6, 1, 22)
        );
    }

    #[test]
    fn formats_are_checked() {
        assert!(check_format("%Y-%m-%dT%H-%M-%S").is_ok());
        assert!(check_format("%d.%m.%Y").is_ok());
        assert!(check_format("%H:%M").is_err(), "no date");
        assert!(check_format("%Y-%m-%Q").is_err(), "bad specifier");
    }

    #[test]
    fn command_line_days_and_ranges() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default();
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap_or_default();
        assert_eq!(parse_day("today", today), Ok(today));
        assert_eq!(parse_day("yesterday", today), Ok(d(12, 2)));
        assert_eq!(parse_day("-7d", today), Ok(d(11, 26)));
        assert_eq!(parse_day("2026-11-30", today), Ok(d(11, 30)));
        assert!(parse_day("last week", today).is_err());
        assert!(parse_day("2026-02-30", today).is_err());
        assert!(DateRange::day(d(12, 2)).contains(d(12, 2)));
        assert!(!DateRange::day(d(12, 2)).contains(d(12, 3)));
        assert!(DateRange::since(d(12, 2)).contains(d(12, 31)));
        assert!(!DateRange::since(d(12, 2)).contains(d(12, 1)));
    }

    #[test]
    fn folder_layouts_give_dates() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 3);
        assert_eq!(date_from_path(Path::new("/rec/2026/12/03/a.wav")), d);
        assert_eq!(date_from_path(Path::new("/rec/2026/12/3/q1/a.wav")), d);
        assert_eq!(date_from_path(Path::new("/rec/2026-12-03/a.wav")), d);
        assert_eq!(date_from_path(Path::new("rec/20261203/a.wav")), d);
        assert_eq!(date_from_path(Path::new("/rec/a.wav")), None);
        assert_eq!(date_from_path(Path::new("/rec/2026/13/03/a.wav")), None);
    }
}

//! A query-parameter timestamp that takes ISO 8601 the way clients write it, and only the
//! instants PostgreSQL can store.
//!
//! `DateTime<Utc>` as a parameter insists on an offset. Clients often send a naive time
//! (`2026-04-07T10:00:00`, e.g. Python's `datetime.utcnow().isoformat()`) or a bare date, and
//! an unencoded `+` in a query string arrives as a space; all of these are read as UTC rather
//! than refused.
//!
//! chrono reaches years ±262,143, PostgreSQL's `timestamptz` only 4714-11-24 BC to 294276 AD:
//! a parsed time before PostgreSQL's first instant would fail in the query (`22008`, a 500),
//! so it is refused here, where the parameter's name is still known (a 400 naming it). Every
//! parameter that is a timestamp uses this type, and arithmetic on one is checked
//! ([`IsoTimestamp::checked_sub`]), so no handler can build an instant the database refuses.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, TimeDelta, Utc};
use poem_openapi::{
    registry::MetaSchemaRef,
    types::{ParseError, ParseFromParameter, ParseResult, Type},
};

/// PostgreSQL's first storable instant, 4714-11-24 00:00:00 BC (Julian day 0), in seconds
/// since the Unix epoch. Its last one (294276 AD) is beyond chrono's range, so every instant
/// chrono can hold is below it.
const POSTGRES_MIN_UNIX_SECS: i64 = -210_866_803_200;

/// The earliest instant PostgreSQL stores.
pub fn earliest_storable() -> DateTime<Utc> {
    DateTime::from_timestamp(POSTGRES_MIN_UNIX_SECS, 0).expect("within chrono's range")
}

/// An instant PostgreSQL can store, at its precision (microseconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct IsoTimestamp(DateTime<Utc>);

/// Why a text is not an [`IsoTimestamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampError {
    /// Not ISO 8601 (or not a real date).
    Malformed,
    /// A real instant, but before what the database stores.
    OutOfRange,
}

impl std::fmt::Display for TimestampError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TimestampError::Malformed => f.write_str("expected an ISO 8601 timestamp"),
            TimestampError::OutOfRange => write!(
                f,
                "out of range: timestamps start at {} (4714-11-24 BC)",
                earliest_storable().to_rfc3339()
            ),
        }
    }
}

impl IsoTimestamp {
    pub fn parse(text: &str) -> Result<IsoTimestamp, TimestampError> {
        let text = text.trim();
        let with_offset = DateTime::parse_from_rfc3339(text)
            .or_else(|_| text.parse::<DateTime<chrono::FixedOffset>>())
            .ok()
            .or_else(|| {
                // `…T10:00:00 02:00`: a `+` decoded as a space.
                let (head, tail) = text.rsplit_once(' ')?;
                let fixed = format!("{head}+{tail}");
                DateTime::parse_from_rfc3339(&fixed).ok()
            })
            .map(|t| t.with_timezone(&Utc));
        let naive = || {
            [
                "%Y-%m-%dT%H:%M:%S%.f",
                "%Y-%m-%d %H:%M:%S%.f",
                "%Y-%m-%dT%H:%M",
            ]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
            .or_else(|| {
                NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
            })
            .map(|t| t.and_utc())
        };
        let instant = with_offset
            .or_else(naive)
            .ok_or(TimestampError::Malformed)?;
        IsoTimestamp::new(instant.trunc_subsecs(6)).ok_or(TimestampError::OutOfRange)
    }

    /// `instant` if PostgreSQL can store it.
    pub fn new(instant: DateTime<Utc>) -> Option<IsoTimestamp> {
        (instant >= earliest_storable()).then_some(IsoTimestamp(instant.trunc_subsecs(6)))
    }

    /// The instant `delta` earlier, if PostgreSQL can store it.
    pub fn checked_sub(self, delta: TimeDelta) -> Option<IsoTimestamp> {
        self.0.checked_sub_signed(delta).and_then(IsoTimestamp::new)
    }

    pub fn get(self) -> DateTime<Utc> {
        self.0
    }
}

impl Type for IsoTimestamp {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_date-time".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        DateTime::<Utc>::schema_ref()
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl ParseFromParameter for IsoTimestamp {
    /// poem-openapi prefixes the message with the parameter's name.
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        IsoTimestamp::parse(value).map_err(ParseError::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(s: &str) -> String {
        IsoTimestamp::parse(s).unwrap().get().to_rfc3339()
    }

    #[test]
    fn iso_8601_forms() {
        let ten = "2026-04-07T10:00:00+00:00";
        for s in [
            "2026-04-07T10:00:00Z",
            "2026-04-07T12:00:00+02:00",
            "2026-04-07T12:00:00 02:00",
            "2026-04-07T10:00:00",
            "2026-04-07 10:00:00",
            "2026-04-07T10:00",
            "2026-04-07t10:00:00z",
        ] {
            assert_eq!(at(s), ten, "{s}");
        }
        assert_eq!(at("2026-04-07"), "2026-04-07T00:00:00+00:00");
        assert_eq!(
            at("2026-04-07T10:00:00.1234567Z"),
            "2026-04-07T10:00:00.123456+00:00"
        );
        for bad in [
            "",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "10:00",
            "1712484000",
        ] {
            assert_eq!(
                IsoTimestamp::parse(bad),
                Err(TimestampError::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn only_what_postgres_stores() {
        assert_eq!(
            at("-4713-11-24T00:00:00Z"),
            earliest_storable().to_rfc3339()
        );
        for early in [
            "-4713-11-23T23:59:59.999999Z",
            "-4713-11-24T00:00:00+00:01",
            "-5000-01-01T00:00:00Z",
            "-5000-01-01",
            "-262143-01-01T00:30:00",
        ] {
            assert_eq!(
                IsoTimestamp::parse(early),
                Err(TimestampError::OutOfRange),
                "{early}"
            );
        }
        // chrono's latest instant is still one PostgreSQL stores.
        assert!(IsoTimestamp::parse("+262142-12-31T23:59:59Z").is_ok());
    }

    #[test]
    fn subtraction_stays_storable() {
        let first = IsoTimestamp::new(earliest_storable()).unwrap();
        assert_eq!(first.checked_sub(TimeDelta::hours(1)), None);
        assert_eq!(first.checked_sub(TimeDelta::MAX), None);
        let later = IsoTimestamp::parse("2026-04-07T10:00:00Z").unwrap();
        assert_eq!(
            later.checked_sub(TimeDelta::hours(1)).unwrap().get(),
            at("2026-04-07T09:00:00Z").parse::<DateTime<Utc>>().unwrap()
        );
    }

    proptest! {
        /// Whatever the text, parsing answers without panicking, and what it accepts is an
        /// instant PostgreSQL stores, at microsecond precision.
        #[test]
        fn any_text_parses_to_a_storable_instant_or_an_error(
            text in prop_oneof![
                any::<String>(),
                r"[+-]?[0-9]{1,7}-[0-9]{1,2}-[0-9]{1,2}([T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?",
            ]
        ) {
            if let Ok(t) = IsoTimestamp::parse(&text) {
                prop_assert!(t.get() >= earliest_storable());
                prop_assert_eq!(t.get().timestamp_subsec_nanos() % 1000, 0);
            }
        }

        #[test]
        fn any_instant_round_trips_or_is_out_of_range(secs in i64::MIN / 1000..i64::MAX / 1000) {
            match DateTime::from_timestamp(secs, 0) {
                Some(t) => {
                    let parsed = IsoTimestamp::parse(&t.to_rfc3339());
                    if t >= earliest_storable() {
                        prop_assert_eq!(parsed.map(IsoTimestamp::get), Ok(t));
                    } else {
                        prop_assert_eq!(parsed, Err(TimestampError::OutOfRange));
                    }
                }
                None => prop_assert!(secs.abs() > 8_000_000_000_000),
            }
        }
    }
}

//! A query-parameter timestamp that takes ISO 8601 the way clients write it.
//!
//! `DateTime<Utc>` as a parameter insists on an offset. Clients often send a naive time
//! (`2026-04-07T10:00:00`, e.g. Python's `datetime.utcnow().isoformat()`) or a bare date, and
//! an unencoded `+` in a query string arrives as a space; all of these are read as UTC rather
//! than refused.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Utc};
use poem_openapi::{
    registry::MetaSchemaRef,
    types::{ParseError, ParseFromParameter, ParseResult, Type},
};

/// An instant, at PostgreSQL's precision (microseconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IsoTimestamp(pub DateTime<Utc>);

impl IsoTimestamp {
    pub fn parse(text: &str) -> Option<IsoTimestamp> {
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
        with_offset
            .or_else(naive)
            .map(|t| IsoTimestamp(t.trunc_subsecs(6)))
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
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        IsoTimestamp::parse(value)
            .ok_or_else(|| ParseError::custom("expected an ISO 8601 timestamp"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> String {
        IsoTimestamp::parse(s).unwrap().0.to_rfc3339()
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
            assert!(IsoTimestamp::parse(bad).is_none(), "{bad}");
        }
    }
}

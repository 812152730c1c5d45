//! Request headers that carry client-chosen tokens: 1–N visible ASCII characters.
//!
//! poem reads a header value that is not visible ASCII as no header at all; the handlers
//! check for that case themselves (see `api::event_write::KeyHeader`), so that a retry is
//! never silently turned into a second write.

use poem_openapi::{
    registry::MetaSchema,
    types::{ParseError, ParseFromParameter, ParseResult},
};

use super::input::{VISIBLE_ASCII, string_input, string_schema, visible_ascii};

/// `ascii_header!(Name, "Header-Name", max)`.
macro_rules! ascii_header {
    ($(#[$doc:meta])* $ty:ident, $header:literal, $max:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $ty(String);

        impl $ty {
            pub const HEADER: &str = $header;
            pub const MAX_CHARS: usize = $max;

            pub fn parse(raw: &str) -> Result<String, String> {
                if visible_ascii(raw, Self::MAX_CHARS) {
                    Ok(raw.to_string())
                } else {
                    Err(Self::invalid())
                }
            }

            /// The message for a value that is not 1–`MAX_CHARS` visible ASCII characters.
            pub fn invalid() -> String {
                format!(
                    "{} must be 1-{} visible ASCII characters",
                    Self::HEADER,
                    Self::MAX_CHARS
                )
            }

            fn schema() -> MetaSchema {
                string_schema(Some(1), Self::MAX_CHARS, Some(VISIBLE_ASCII))
            }
        }

        string_input!($ty);

        impl ParseFromParameter for $ty {
            fn parse_from_parameter(value: &str) -> ParseResult<Self> {
                Self::parse(value).map(Self).map_err(ParseError::custom)
            }
        }
    };
}

ascii_header!(
    /// Makes a write safe to retry: a second request under the same key replays the first.
    IdempotencyKey,
    "Idempotency-Key",
    255
);
ascii_header!(
    /// The installation (machine) an agent's key is issued to.
    InstallationId,
    "X-Installation-Id",
    128
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert!(IdempotencyKey::parse_from_parameter("abc-123").is_ok());
        assert!(IdempotencyKey::parse_from_parameter(&"k".repeat(255)).is_ok());
        for bad in ["", "a b", "é", &"k".repeat(256)] {
            let err = IdempotencyKey::parse_from_parameter(bad).unwrap_err();
            assert!(
                err.message().contains("Idempotency-Key"),
                "{}",
                err.message()
            );
        }
        assert!(InstallationId::parse(&"i".repeat(129)).is_err());
    }
}

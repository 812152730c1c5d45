//! The machinery every input rule shares. A rule is a newtype whose `parse` is the only way
//! in and whose `schema` states the same bounds to the OpenAPI document, so changing a bound
//! is one edit that changes both what the server accepts and what the spec says.

use poem_openapi::registry::MetaSchema;

/// Text shown to people: at least one character that is not whitespace, and no control
/// character anywhere (the same set as [`char::is_control`]).
pub const VISIBLE_TEXT: &str =
    r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$";

/// Prose: like [`VISIBLE_TEXT`], but tab and line breaks are allowed.
pub const PROSE: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";

/// Header values: visible ASCII, no spaces.
pub const VISIBLE_ASCII: &str = r"^[\x21-\x7e]+$";

/// A string schema with the given bounds, as poem-openapi's validators would write it.
pub fn string_schema(
    min_length: Option<usize>,
    max_length: usize,
    pattern: Option<&str>,
) -> MetaSchema {
    MetaSchema {
        min_length,
        max_length: Some(max_length),
        pattern: pattern.map(str::to_string),
        ..MetaSchema::new("string")
    }
}

/// Whether `value` has more than `max` characters (the unit of the spec's `maxLength`).
pub fn too_long(value: &str, max: usize) -> bool {
    value.chars().nth(max).is_some()
}

/// [`VISIBLE_TEXT`] of at most `max` characters, trimmed; the message names `field`.
pub fn visible_text(field: &str, value: &str, max: usize) -> Result<String, String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(format!("{field} must not be empty"));
    }
    if too_long(value, max) {
        return Err(format!("{field} must be at most {max} characters"));
    }
    // Before trimming: U+0085 is both whitespace and a control character.
    if value.chars().any(char::is_control) {
        return Err(format!("{field} must not contain control characters"));
    }
    Ok(trimmed.to_string())
}

/// Not blank, at most `max` characters, no control character but tab and line breaks.
/// `Err` holds which of the three failed, so each kind of prose words its own message.
pub fn prose(value: &str, max: usize) -> Result<(), ProseError> {
    if value.trim().is_empty() {
        Err(ProseError::Blank)
    } else if too_long(value, max) {
        Err(ProseError::TooLong)
    } else if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Err(ProseError::Control)
    } else {
        Ok(())
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum ProseError {
    Blank,
    TooLong,
    Control,
}

/// 1–`max` visible ASCII characters ([`VISIBLE_ASCII`]).
pub fn visible_ascii(value: &str, max: usize) -> bool {
    !value.is_empty() && value.len() <= max && value.bytes().all(|b| b.is_ascii_graphic())
}

/// The poem-openapi side of a string rule `$ty(String)` with an inherent
/// `fn parse(&str) -> Result<String, String>` (the message names the field) and
/// `fn schema() -> MetaSchema`: a JSON value parses only through `parse`, and the spec shows
/// `schema`. The value reads as a `&str` (`Deref`, `as_str`).
macro_rules! string_input {
    ($ty:ident) => {
        impl std::ops::Deref for $ty {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl $ty {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl poem_openapi::types::Type for $ty {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> std::borrow::Cow<'static, str> {
                "string".into()
            }

            fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
                poem_openapi::registry::MetaSchemaRef::Inline(Box::new(Self::schema()))
            }

            fn as_raw_value(&self) -> Option<&Self> {
                Some(self)
            }

            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
                Box::new(std::iter::once(self))
            }

            fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl poem_openapi::types::ParseFromJSON for $ty {
            fn parse_from_json(
                value: Option<serde_json::Value>,
            ) -> poem_openapi::types::ParseResult<Self> {
                use poem_openapi::types::ParseError;
                match value.unwrap_or_default() {
                    serde_json::Value::String(s) => {
                        Self::parse(&s).map(Self).map_err(ParseError::custom)
                    }
                    other => Err(ParseError::expected_type(other)),
                }
            }
        }

        impl poem_openapi::types::ToJSON for $ty {
            fn to_json(&self) -> Option<serde_json::Value> {
                Some(serde_json::Value::String(self.0.clone()))
            }
        }
    };
}

/// `string_path_id!(Name)`: in a path, a value that `Name::parse` refuses names nothing, so
/// it fails with `Name::NOT_FOUND`, which `error::to_detail` answers as that 404.
macro_rules! string_path_id {
    ($ty:ident) => {
        impl poem_openapi::types::ParseFromParameter for $ty {
            fn parse_from_parameter(value: &str) -> poem_openapi::types::ParseResult<Self> {
                Self::parse(value)
                    .map(Self)
                    .map_err(|_| poem_openapi::types::ParseError::custom(Self::NOT_FOUND))
            }
        }
    };
}

/// A kind of [`visible_text`]: `visible_text_type!(Name, "field", max)`.
macro_rules! visible_text_type {
    ($(#[$doc:meta])* $ty:ident, $field:literal, $max:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $ty(String);

        impl $ty {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(raw: &str) -> Result<String, String> {
                $crate::domain::input::visible_text($field, raw, Self::MAX_CHARS)
            }

            fn schema() -> poem_openapi::registry::MetaSchema {
                use $crate::domain::input::{VISIBLE_TEXT, string_schema};
                string_schema(Some(1), Self::MAX_CHARS, Some(VISIBLE_TEXT))
            }
        }

        $crate::domain::input::string_input!($ty);
    };
}

pub(crate) use {string_input, string_path_id, visible_text_type};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_text_is_trimmed_and_bounded() {
        assert_eq!(visible_text("name", "  Acme ", 10).unwrap(), "Acme");
        assert_eq!(
            visible_text("name", "   ", 10).unwrap_err(),
            "name must not be empty"
        );
        assert!(visible_text("name", "", 10).is_err());
        assert!(visible_text("name", &"x".repeat(10), 10).is_ok());
        assert!(visible_text("name", &"x".repeat(11), 10).is_err());
        assert!(visible_text("name", "a\u{0}b", 10).is_err());
        assert!(visible_text("name", "a\u{85}b", 10).is_err());
        assert!(visible_text("name", "a\nb", 10).is_err());
    }

    #[test]
    fn prose_keeps_layout_characters() {
        assert_eq!(prose("a\n\tb\r\n", 10), Ok(()));
        assert_eq!(prose(" \n\t", 10), Err(ProseError::Blank));
        assert_eq!(prose("", 10), Err(ProseError::Blank));
        assert_eq!(prose(&"x".repeat(11), 10), Err(ProseError::TooLong));
        assert_eq!(prose("a\u{0}b", 10), Err(ProseError::Control));
        assert_eq!(prose("a\u{7f}b", 10), Err(ProseError::Control));
    }

    #[test]
    fn visible_ascii_headers() {
        assert!(visible_ascii("abc-123", 255));
        assert!(!visible_ascii("", 255));
        assert!(!visible_ascii("a b", 255));
        assert!(!visible_ascii("é", 255));
        assert!(!visible_ascii(&"k".repeat(256), 255));
    }

    /// The patterns the spec shows accept exactly what the rules accept.
    #[test]
    fn patterns_agree_with_the_rules() {
        let visible = regex::Regex::new(VISIBLE_TEXT).unwrap();
        let prose_re = regex::Regex::new(PROSE).unwrap();
        let ascii = regex::Regex::new(VISIBLE_ASCII).unwrap();
        for s in [
            "a",
            " a ",
            "",
            " ",
            "\t",
            "a\tb",
            "a\nb",
            "\u{0}",
            "a\u{85}",
            "ü",
            "\u{a0}",
            "a\r\n",
            "x\u{2028}y",
            "\u{7f}",
        ] {
            assert_eq!(
                visible.is_match(s),
                visible_text("f", s, 100).is_ok(),
                "{s:?}"
            );
            assert_eq!(prose_re.is_match(s), prose(s, 100).is_ok(), "{s:?}");
            assert_eq!(ascii.is_match(s), visible_ascii(s, 100), "{s:?}");
        }
    }
}

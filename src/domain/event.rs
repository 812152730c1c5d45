//! What an event says and who says it.

use poem_openapi::registry::MetaSchema;

use super::input::{PROSE, ProseError, prose, string_input, string_schema};

/// An event's text: 1–32768 characters, not blank, kept exactly as sent (line breaks and
/// indentation matter); control characters other than tab and line breaks are refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventText(String);

impl EventText {
    pub const MAX_CHARS: usize = 32768;

    pub fn parse(raw: &str) -> Result<String, String> {
        match prose(raw, Self::MAX_CHARS) {
            Ok(()) => Ok(raw.to_string()),
            Err(ProseError::Blank) => Err("text must not be empty".into()),
            Err(ProseError::TooLong) => Err(format!(
                "text must be at most {} characters",
                Self::MAX_CHARS
            )),
            Err(ProseError::Control) => Err(
                "text must not contain control characters other than tab and line breaks".into(),
            ),
        }
    }

    fn schema() -> MetaSchema {
        string_schema(Some(1), Self::MAX_CHARS, Some(PROSE))
    }
}

string_input!(EventText);

/// `human`, `agent`, `transcript`, `system`, or a custom type; the four named types match
/// the pattern too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpeakerType(String);

impl SpeakerType {
    pub const MAX_CHARS: usize = 32;
    const PATTERN: &str = "^[a-z][a-z0-9_-]{0,31}$";

    pub fn parse(raw: &str) -> Result<String, String> {
        let valid = raw.len() <= Self::MAX_CHARS
            && raw.starts_with(|c: char| c.is_ascii_lowercase())
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'));
        if valid {
            Ok(raw.to_string())
        } else {
            Err(format!(
                "speaker_type must be human, agent, transcript, system, or a custom type of 1-32 \
                 characters matching {}",
                Self::PATTERN
            ))
        }
    }

    fn schema() -> MetaSchema {
        string_schema(None, Self::MAX_CHARS, Some(Self::PATTERN))
    }
}

string_input!(SpeakerType);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_keep_their_layout() {
        assert_eq!(EventText::parse("  a\n\tb ").unwrap(), "  a\n\tb ");
        assert_eq!(
            EventText::parse(" \n ").unwrap_err(),
            "text must not be empty"
        );
        assert!(EventText::parse("").is_err());
        assert!(EventText::parse("a\u{0}b").is_err());
        assert!(EventText::parse(&"x".repeat(EventText::MAX_CHARS)).is_ok());
        assert!(EventText::parse(&"x".repeat(EventText::MAX_CHARS + 1)).is_err());
    }

    #[test]
    fn speaker_types() {
        for ok in [
            "human",
            "agent",
            "transcript",
            "system",
            "bot_2",
            "a",
            &"x".repeat(32),
        ] {
            assert!(SpeakerType::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Human", "1bot", "-x", "a b", &"x".repeat(33), "ü"] {
            assert!(SpeakerType::parse(bad).is_err(), "{bad}");
        }
        let pattern = regex::Regex::new(SpeakerType::PATTERN).unwrap();
        for s in ["human", "bot_2", "Human", "1bot", "a-", &"x".repeat(33)] {
            assert_eq!(pattern.is_match(s), SpeakerType::parse(s).is_ok(), "{s:?}");
        }
    }
}

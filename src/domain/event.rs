//! What an event says and who says it.

use poem_openapi::registry::MetaSchema;

use super::{
    input::{PROSE, ProseError, prose, string_input, string_schema, too_long},
    uri::{self, UriError},
};

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

/// An artifact URI of any scheme (`urn:`, `s3:`, `https:` …), at most 2048 characters;
/// trimmed. Schemes that run script when a link is followed are refused ([`uri`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference(String);

impl Reference {
    pub const MAX_CHARS: usize = 2048;
    const PATTERN: &str = r"^\s*[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x1f\x7f-\x9f]*$";

    pub fn parse(raw: &str) -> Result<String, String> {
        // The shape PATTERN states: a scheme after any leading whitespace, no control
        // character after it.
        let body = raw.trim_start();
        let scheme_len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')))
            .unwrap_or(body.len());
        let shaped = body.starts_with(|c: char| c.is_ascii_alphabetic())
            && body[scheme_len..].starts_with(':')
            && !body.chars().any(char::is_control);
        let reference = raw.trim();
        let shown = || reference.chars().take(100).collect::<String>();
        let well_formed =
            shaped && !too_long(raw, Self::MAX_CHARS) && reference.len() <= Self::MAX_CHARS;
        match well_formed.then(|| uri::check_linkable(reference)) {
            Some(Ok(_)) => Ok(reference.to_string()),
            Some(Err(UriError::ScriptCapable)) => Err(format!(
                "references must not use the javascript:, vbscript: or data: scheme: {:?}",
                shown()
            )),
            _ => Err(format!(
                "references must be absolute URIs of at most {} characters: {:?} is not",
                Self::MAX_CHARS,
                shown()
            )),
        }
    }

    fn schema() -> MetaSchema {
        string_schema(None, Self::MAX_CHARS, Some(Self::PATTERN))
    }
}

string_input!(Reference);

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

    #[test]
    fn references() {
        assert_eq!(Reference::parse(" urn:isbn:123 ").unwrap(), "urn:isbn:123");
        assert!(
            Reference::parse(" JavaScript:alert(1)")
                .unwrap_err()
                .contains("javascript:")
        );
        assert!(Reference::parse(&format!("https://a.example/{}", "x".repeat(2048))).is_err());
        let pattern = regex::Regex::new(Reference::PATTERN).unwrap();
        for s in [
            "urn:isbn:123",
            "https://a.example/x",
            " s3://b/k",
            "relative/path",
            "1abc:x",
            "a b:c",
            "https://a.example/\u{0}",
            "\turn:x",
            "urn:x\t",
        ] {
            assert_eq!(pattern.is_match(s), Reference::parse(s).is_ok(), "{s:?}");
        }
    }
}

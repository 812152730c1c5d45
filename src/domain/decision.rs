//! The prose of a decision: its text and its resolution.

use poem_openapi::registry::MetaSchema;

use super::input::{PROSE, ProseError, prose, string_input, string_schema};

/// Longest decision text and resolution, in characters.
pub const MAX_DECISION_CHARS: usize = 4000;

/// [`prose`] of at most [`MAX_DECISION_CHARS`], trimmed; the message names `field`.
fn decision_prose(field: &str, raw: &str) -> Result<String, String> {
    match prose(raw, MAX_DECISION_CHARS) {
        Ok(()) => Ok(raw.trim().to_string()),
        Err(ProseError::Blank) => Err(format!("{field} must not be empty")),
        Err(ProseError::TooLong) => Err(format!(
            "{field} must be at most {MAX_DECISION_CHARS} characters"
        )),
        Err(ProseError::Control) => Err(format!(
            "{field} must not contain control characters other than line breaks and tabs"
        )),
    }
}

fn schema() -> MetaSchema {
    string_schema(Some(1), MAX_DECISION_CHARS, Some(PROSE))
}

/// What a decision proposes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionText(String);

impl DecisionText {
    pub fn parse(raw: &str) -> Result<String, String> {
        decision_prose("text", raw)
    }

    fn schema() -> MetaSchema {
        schema()
    }
}

string_input!(DecisionText);

/// The outcome of a decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution(String);

impl Resolution {
    pub fn parse(raw: &str) -> Result<String, String> {
        decision_prose("resolution", raw)
    }

    fn schema() -> MetaSchema {
        schema()
    }
}

string_input!(Resolution);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_prose_is_trimmed_and_names_its_field() {
        assert_eq!(DecisionText::parse(" a\n\tb \n").unwrap(), "a\n\tb");
        assert_eq!(
            Resolution::parse(" \n").unwrap_err(),
            "resolution must not be empty"
        );
        assert!(
            DecisionText::parse(&"x".repeat(4001))
                .unwrap_err()
                .contains("text")
        );
        assert!(DecisionText::parse("a\u{0}").is_err());
    }
}

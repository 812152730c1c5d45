//! Names and labels shown to people: each is [`super::input::visible_text`] with its own
//! field name and bound, trimmed once parsed.

use poem_openapi::registry::MetaSchema;

use super::input::{string_input, string_path_id, string_schema, too_long, visible_text_type};

visible_text_type!(
    /// An actor's display name.
    DisplayName,
    "display_name",
    200
);
visible_text_type!(
    /// An agent's type, e.g. `claude-code`.
    AgentProfile,
    "agent_profile",
    100
);
visible_text_type!(
    /// Who an event is from, when the caller names a source.
    SpeakerId,
    "speaker_id",
    128
);
visible_text_type!(
    /// The display name an event is shown with.
    SpeakerName,
    "speaker_name",
    200
);
visible_text_type!(
    /// Who proposed a decision, when not the caller.
    ProposedBy,
    "proposed_by",
    256
);
visible_text_type!(
    /// Who resolved or rejected a decision, when not the caller.
    ResolvedBy,
    "resolved_by",
    256
);
visible_text_type!(
    /// What a space is about.
    SpaceDescription,
    "description",
    2000
);
visible_text_type!(
    /// A thread's subject.
    ThreadSubject,
    "subject",
    200
);
visible_text_type!(
    /// A personal access token's label.
    PatName,
    "name",
    64
);
visible_text_type!(
    /// A tenant's name (its schema name is derived from it).
    TenantName,
    "name",
    200
);
visible_text_type!(
    /// How an agent is connected to a space, e.g. `mcp`.
    AgentAdapter,
    "agent_adapter",
    64
);

/// A plausible e-mail address: one `@` with text on both sides, no spaces or control
/// characters, at most 254 characters; trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_CHARS: usize = 254;
    const PATTERN: &str = r"^\s*[^\s@\x00-\x1f\x7f-\x9f]+@[^\s@\x00-\x1f\x7f-\x9f]+\s*$";

    pub fn parse(raw: &str) -> Result<String, String> {
        let email = raw.trim();
        let valid = email.len() <= Self::MAX_CHARS
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && matches!(email.split_once('@'), Some((local, domain))
                if !local.is_empty() && !domain.is_empty() && !domain.contains('@'));
        if valid {
            Ok(email.to_string())
        } else {
            Err("email must be a valid e-mail address".to_string())
        }
    }

    fn schema() -> MetaSchema {
        string_schema(None, Self::MAX_CHARS, Some(Self::PATTERN))
    }
}

string_input!(Email);

/// Whom a mentions query asks about (`metadata.mentions` holds actor ids): 1–256 characters,
/// none of them a control character, taken as given (not trimmed). A value outside the rule
/// is in no event's mentions (PostgreSQL cannot even store U+0000), so a path holding one
/// answers the 404 `error::to_detail` gives every path id that does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParticipantId(String);

impl ParticipantId {
    pub const MAX_CHARS: usize = 256;
    const PATTERN: &str = r"^[^\x00-\x1f\x7f-\x9f]+$";
    pub const NOT_FOUND: &str = "Participant not found";

    pub fn parse(raw: &str) -> Result<String, String> {
        if raw.is_empty() || too_long(raw, Self::MAX_CHARS) || raw.chars().any(char::is_control) {
            return Err(format!(
                "participant_id must be 1-{} characters, none of them a control character",
                Self::MAX_CHARS
            ));
        }
        Ok(raw.to_string())
    }

    fn schema() -> MetaSchema {
        string_schema(Some(1), Self::MAX_CHARS, Some(Self::PATTERN))
    }
}

string_input!(ParticipantId);
string_path_id!(ParticipantId);

#[cfg(test)]
mod tests {
    use poem_openapi::types::ParseFromJSON;
    use serde_json::json;

    use super::*;

    #[test]
    fn names_parse_trimmed_and_say_which_field_failed() {
        let name = DisplayName::parse_from_json(Some(json!("  Alice "))).unwrap();
        assert_eq!(name.as_str(), "Alice");
        for bad in [
            json!(""),
            json!("  "),
            json!("x".repeat(201)),
            json!("a\u{0}"),
        ] {
            let err = DisplayName::parse_from_json(Some(bad)).unwrap_err();
            assert!(err.message().contains("display_name"), "{}", err.message());
        }
        assert!(DisplayName::parse_from_json(Some(json!(42))).is_err());
        assert!(SpeakerId::parse(&"x".repeat(128)).is_ok());
        assert!(SpeakerId::parse(&"x".repeat(129)).is_err());
    }

    #[test]
    fn participant_ids() {
        assert_eq!(ParticipantId::parse(" agt 1 ").unwrap(), " agt 1 ");
        assert!(ParticipantId::parse(&"x".repeat(256)).is_ok());
        for bad in [
            String::new(),
            "x".repeat(257),
            "a\u{0}b".into(),
            "a\u{85}".into(),
        ] {
            assert!(ParticipantId::parse(&bad).is_err(), "{bad:?}");
        }
        let pattern = regex::Regex::new(ParticipantId::PATTERN).unwrap();
        assert!(pattern.is_match("agt 1") && !pattern.is_match("a\u{1}") && !pattern.is_match(""));
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" alice@example.com ").unwrap(),
            "alice@example.com"
        );
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "a b@c.d",
            "a@b@c",
            "a\u{0}@b",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        let pattern = regex::Regex::new(Email::PATTERN).unwrap();
        for s in [
            "alice@example.com",
            " a@b ",
            "a b@c",
            "a@b@c",
            "@b",
            "a\u{1}@b",
        ] {
            assert_eq!(pattern.is_match(s), Email::parse(s).is_ok(), "{s:?}");
        }
    }
}

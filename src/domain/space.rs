//! Rules for space ids and links.

use std::collections::HashSet;

use poem_openapi::{
    registry::MetaSchema,
    types::{ParseError, ParseFromParameter, ParseResult},
};

use super::{
    Str,
    input::{string_input, string_schema},
};

pub const MAX_LINKS: usize = 50;
pub const MAX_LINK_CHARS: usize = 2048;

/// A space id: 1–128 characters of `A-Z a-z 0-9 . _ -`, starting with a letter or digit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpaceId(String);

impl SpaceId {
    pub const MAX_CHARS: usize = 128;
    const PATTERN: &str = "^[A-Za-z0-9][A-Za-z0-9._-]*$";
    /// What a path with a malformed id answers: no such space can exist.
    pub const NOT_FOUND: &str = "Space not found";

    pub fn parse(id: &str) -> Result<String, String> {
        let valid = !id.is_empty()
            && id.len() <= Self::MAX_CHARS
            && id.starts_with(|c: char| c.is_ascii_alphanumeric())
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if valid {
            Ok(id.to_string())
        } else {
            Err(format!(
                "space_id must be 1-{} characters of letters, digits, '.', '_' or '-', starting with a letter or digit",
                Self::MAX_CHARS
            ))
        }
    }

    fn schema() -> MetaSchema {
        string_schema(Some(1), Self::MAX_CHARS, Some(Self::PATTERN))
    }
}

string_input!(SpaceId);

/// In a path, a malformed id names no space: [`crate::error::to_detail`] answers the
/// message as a 404.
impl ParseFromParameter for SpaceId {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Self::parse(value)
            .map(Self)
            .map_err(|_| ParseError::custom(Self::NOT_FOUND))
    }
}

/// Why a list of links was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum LinksError {
    /// Malformed: 400.
    Invalid(String),
    /// The same link twice: 409, as the contract lists "duplicate link" among conflicts.
    Duplicate(String),
}

/// At most 50 absolute http(s) URLs of at most 2048 characters, each once.
pub fn check_links(links: Vec<Str>) -> Result<Vec<String>, LinksError> {
    if links.len() > MAX_LINKS {
        return Err(LinksError::Invalid(format!(
            "links must have at most {MAX_LINKS} entries"
        )));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(links.len());
    for Str(link) in links {
        let link = link.trim().to_string();
        let valid = link.len() <= MAX_LINK_CHARS
            && url::Url::parse(&link)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
        if !valid {
            return Err(LinksError::Invalid(format!(
                "links must be absolute http(s) URLs of at most {MAX_LINK_CHARS} characters: {:?} is not",
                link.chars().take(100).collect::<String>()
            )));
        }
        if !seen.insert(link.clone()) {
            return Err(LinksError::Duplicate(format!("Duplicate link: {link}")));
        }
        out.push(link);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_ids() {
        let pattern = regex::Regex::new(SpaceId::PATTERN).unwrap();
        for ok in ["sprint-planning", "a", "Q3.review_2", &"x".repeat(128)] {
            assert!(SpaceId::parse(ok).is_ok(), "{ok}");
            assert!(pattern.is_match(ok), "{ok}");
            assert_eq!(SpaceId::parse_from_parameter(ok).unwrap().as_str(), ok);
        }
        for bad in [
            "",
            "-a",
            "a b",
            "a/b",
            "ü",
            &"x".repeat(129),
            "a;drop",
            "ro\u{0}om",
        ] {
            assert!(SpaceId::parse(bad).is_err(), "{bad}");
            let err = SpaceId::parse_from_parameter(bad).unwrap_err();
            assert!(
                err.message().ends_with(": Space not found"),
                "{}",
                err.message()
            );
        }
    }

    #[test]
    fn links() {
        let s = |v: &[&str]| v.iter().map(|x| Str(x.to_string())).collect::<Vec<_>>();
        assert_eq!(
            check_links(s(&["https://a.example/x"])).unwrap(),
            vec!["https://a.example/x"]
        );
        assert!(matches!(
            check_links(s(&["not a url"])),
            Err(LinksError::Invalid(_))
        ));
        assert!(matches!(
            check_links(s(&["ftp://a.example"])),
            Err(LinksError::Invalid(_))
        ));
        assert!(matches!(
            check_links(s(&["https://a.example", "https://a.example"])),
            Err(LinksError::Duplicate(_))
        ));
        assert!(check_links(s(&vec!["https://a.example"; 51])).is_err());
    }
}

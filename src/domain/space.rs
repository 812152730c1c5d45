//! Rules for space ids and links.

use std::collections::HashSet;

use poem_openapi::registry::MetaSchema;

use super::input::{string_input, string_path_id, string_schema, too_long};

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
string_path_id!(SpaceId);

/// An external http(s) URL attached to a space: absolute, with a host, at most 2048
/// characters; trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link(String);

impl Link {
    pub const MAX_CHARS: usize = 2048;
    const PATTERN: &str = r"^\s*[Hh][Tt][Tt][Pp][Ss]?://[^\s\x00-\x1f\x7f-\x9f/?#]+([/?#][^\s\x00-\x1f\x7f-\x9f]*)?\s*$";

    pub fn parse(raw: &str) -> Result<String, String> {
        let link = raw.trim();
        let after_scheme = ["https://", "http://"].iter().find_map(|scheme| {
            link.get(..scheme.len())
                .filter(|head| head.eq_ignore_ascii_case(scheme))
                .map(|_| &link[scheme.len()..])
        });
        // The shape PATTERN states: a host right after the scheme, no whitespace or control
        // character inside (a URL has none; PostgreSQL could not even store U+0000).
        let shaped = after_scheme.is_some_and(|rest| {
            !rest.is_empty()
                && !rest.starts_with(['/', '?', '#'])
                && !rest.chars().any(|c| c.is_whitespace() || c.is_control())
        });
        let valid = shaped
            && !too_long(raw, Self::MAX_CHARS)
            && link.len() <= Self::MAX_CHARS
            && url::Url::parse(link)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
        if valid {
            Ok(link.to_string())
        } else {
            Err(format!(
                "links must be absolute http(s) URLs of at most {} characters: {:?} is not",
                Self::MAX_CHARS,
                link.chars().take(100).collect::<String>()
            ))
        }
    }

    fn schema() -> MetaSchema {
        string_schema(None, Self::MAX_CHARS, Some(Self::PATTERN))
    }
}

string_input!(Link);

/// The links in order, or the message of the 409 for the first one given twice (the
/// contract lists "duplicate link" among conflicts).
pub fn distinct_links(links: Vec<Link>) -> Result<Vec<String>, String> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(links.len());
    for link in links {
        if !seen.insert(link.0.clone()) {
            return Err(format!("Duplicate link: {link}"));
        }
        out.push(link.0);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::ParseFromParameter;

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
        assert_eq!(
            Link::parse(" https://a.example/x ").unwrap(),
            "https://a.example/x"
        );
        let pattern = regex::Regex::new(Link::PATTERN).unwrap();
        for s in [
            "https://a.example/x",
            "HTTP://a.example?q=1",
            " http://a.example ",
            "not a url",
            "ftp://a.example",
            "https:///x",
            "https://a b",
            "https://",
            "https://a.example/\u{1}",
            "https://a.example/\u{0}x",
            "https://a\u{0}b.example",
            "https://a.example/\u{85}",
        ] {
            assert_eq!(pattern.is_match(s), Link::parse(s).is_ok(), "{s:?}");
        }
        assert!(Link::parse(&format!("https://a.example/{}", "x".repeat(2048))).is_err());
        let l = |s: &str| Link(s.to_string());
        assert_eq!(
            distinct_links(vec![l("https://a.example"), l("https://b.example")]).unwrap(),
            vec!["https://a.example", "https://b.example"]
        );
        assert!(distinct_links(vec![l("https://a.example"), l("https://a.example")]).is_err());
    }
}

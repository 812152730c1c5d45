//! Rules for space ids and links.

use std::collections::HashSet;

use super::Str;

pub const MAX_SPACE_ID_CHARS: usize = 128;
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
pub const MAX_LINKS: usize = 50;
pub const MAX_LINK_CHARS: usize = 2048;

/// A space id: 1–128 characters of `A-Z a-z 0-9 . _ -`, starting with a letter or digit.
pub fn check_space_id(id: &str) -> Result<String, String> {
    let valid = !id.is_empty()
        && id.len() <= MAX_SPACE_ID_CHARS
        && id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(id.to_string())
    } else {
        Err(format!(
            "space_id must be 1-{MAX_SPACE_ID_CHARS} characters of letters, digits, '.', '_' or '-', starting with a letter or digit"
        ))
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
        for ok in ["sprint-planning", "a", "Q3.review_2", &"x".repeat(128)] {
            assert!(check_space_id(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-a", "a b", "a/b", "ü", &"x".repeat(129), "a;drop"] {
            assert!(check_space_id(bad).is_err(), "{bad}");
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

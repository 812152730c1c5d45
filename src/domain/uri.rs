//! URIs that clients render as links. Event references are "artifact URIs" of any scheme
//! (`urn:`, `s3:`, `https:` …), but clients show them as clickable links, so a scheme that runs
//! code when followed would let one member plant script in another's browser. Those schemes
//! are refused, judged the way a browser reads the text: the `url` crate implements the WHATWG
//! URL parser, which drops leading and trailing C0 controls and spaces, removes tabs and line
//! breaks anywhere, and lowercases the scheme — so ` \tJava\nScript:` is `javascript:` here
//! exactly as it would be in a link's `href`.

use url::Url;

/// Schemes whose URLs execute or render active content in the page that follows them.
const SCRIPT_CAPABLE: [&str; 3] = ["javascript", "vbscript", "data"];

/// Why a URI was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum UriError {
    /// Not an absolute URI.
    NotAbsolute,
    /// An absolute URI whose scheme runs script when followed.
    ScriptCapable,
}

/// `text` as an absolute URI that is safe to render as a link.
pub fn check_linkable(text: &str) -> Result<Url, UriError> {
    let url = Url::parse(text).map_err(|_| UriError::NotAbsolute)?;
    if SCRIPT_CAPABLE.contains(&url.scheme()) {
        return Err(UriError::ScriptCapable);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_capable_schemes_are_refused_as_browsers_read_them() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "JAVASCRIPT:alert(1)",
            " javascript:alert(1)",
            "\u{1}\u{1f}javascript:alert(1)",
            "\tjava\tscript:alert(1)",
            "java\nscript:alert(1)",
            "jav\rascript:alert(1)",
            "vbscript:msgbox(1)",
            "VBScript:msgbox(1)",
            "data:text/html,<script>alert(1)</script>",
            "Data:text/html;base64,PHNjcmlwdD4=",
        ] {
            assert_eq!(check_linkable(bad), Err(UriError::ScriptCapable), "{bad:?}");
        }
    }

    #[test]
    fn other_absolute_uris_pass() {
        for ok in [
            "https://github.com/org/repo/pull/42",
            "urn:isbn:123",
            "mailto:a@example.com",
            "s3://bucket/key",
            "javascripts://example.com",
            "x-data:abc",
        ] {
            assert!(check_linkable(ok).is_ok(), "{ok}");
        }
        assert_eq!(check_linkable("relative/path"), Err(UriError::NotAbsolute));
    }
}

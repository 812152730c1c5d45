//! `{"detail"}` bodies for the error responses hyper writes by itself.
//!
//! A request head hyper cannot parse never reaches the application: hyper answers it with
//! an empty `400`, `414` or `431` (too many or too large headers) and closes the
//! connection. The API promises `{"detail": …}` on every error, so the connection's io
//! recognises those responses (the first write after a request was read, one of these
//! status lines, `content-length: 0`: the application's own errors always have a body) and
//! writes this module's instead.

use std::sync::LazyLock;

/// The responses replaced: hyper's status line and the detail sent instead.
const REPLACED: [(&str, &str); 3] = [
    (
        "HTTP/1.1 400 Bad Request\r\n",
        "The request could not be parsed",
    ),
    (
        "HTTP/1.1 414 URI Too Long\r\n",
        "The request URI is too long",
    ),
    (
        "HTTP/1.1 431 Request Header Fields Too Large\r\n",
        "The request has too many header fields or header fields that are too large",
    ),
];

/// How hyper's automatic responses announce their empty body.
const EMPTY_BODY: &[u8] = b"\r\ncontent-length: 0\r\n";

static RESPONSES: LazyLock<Vec<(&'static str, Vec<u8>)>> = LazyLock::new(|| {
    REPLACED
        .iter()
        .map(|(status_line, detail)| {
            let body = serde_json::json!({ "detail": detail }).to_string();
            let response = format!(
                "{status_line}content-type: application/json; charset=utf-8\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            (*status_line, response.into_bytes())
        })
        .collect()
});

/// What to write instead of `head`, if it is one of hyper's automatic error responses.
pub fn replacement(head: &[u8]) -> Option<&'static [u8]> {
    let (status_line, response) = RESPONSES
        .iter()
        .find(|(status_line, _)| head.starts_with(status_line.as_bytes()))?;
    let rest = &head[status_line.len() - 2..];
    let head_end = rest
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(rest.len(), |end| end + 2);
    rest[..head_end]
        .windows(EMPTY_BODY.len())
        .any(|w| w.eq_ignore_ascii_case(EMPTY_BODY))
        .then_some(response.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_empty_bodied_parse_error_responses_are_replaced() {
        let hyper = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\
                      date: x\r\n\r\n";
        let replaced = String::from_utf8(replacement(hyper).unwrap().to_vec()).unwrap();
        let (head, body) = replaced.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("content-length: {}", body.len())));
        assert!(body.starts_with(r#"{"detail":"#));
        let bad = b"HTTP/1.1 400 Bad Request\r\ndate: x\r\ncontent-length: 0\r\n\r\n";
        assert!(replacement(bad).is_some());
        let app = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 20\r\n\r\n{\"detail\":\"x\"}";
        assert!(replacement(app).is_none(), "the application's own errors");
        assert!(replacement(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
    }
}

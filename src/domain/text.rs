//! Bounds on free text, e-mail addresses and metadata objects.

use serde_json::Value;

/// Trim `value` and require 1..=`max` characters without control characters.
pub fn bounded_text(field: &str, value: &str, max: usize) -> Result<String, String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(format!("{field} must not be empty"));
    }
    if trimmed.chars().count() > max {
        return Err(format!("{field} must be at most {max} characters"));
    }
    if trimmed.chars().any(|c| c.is_control()) {
        return Err(format!("{field} must not contain control characters"));
    }
    Ok(trimmed.to_string())
}

/// A plausible e-mail address: one `@` with text on both sides, no spaces, at most 254 bytes.
pub fn check_email(value: &str) -> Result<String, String> {
    let email = value.trim();
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@'));
    if valid {
        Ok(email.to_string())
    } else {
        Err("email must be a valid e-mail address".to_string())
    }
}

/// Largest metadata object accepted, serialised.
pub const MAX_METADATA_BYTES: usize = 16 * 1024;

/// Metadata must be a JSON object of bounded size (`null` means none).
pub fn check_metadata(value: Option<Value>) -> Result<Value, String> {
    match value {
        None | Some(Value::Null) => Ok(Value::Object(Default::default())),
        Some(Value::Object(map)) => {
            let value = Value::Object(map);
            if has_nul(&value) {
                // PostgreSQL's jsonb cannot store U+0000: refuse it here rather than fail there.
                Err("metadata must not contain NUL characters".to_string())
            } else if value.to_string().len() > MAX_METADATA_BYTES {
                Err(format!(
                    "metadata must be at most {MAX_METADATA_BYTES} bytes of JSON"
                ))
            } else {
                Ok(value)
            }
        }
        Some(_) => Err("metadata must be a JSON object".to_string()),
    }
}

fn has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(bounded_text("name", "  Acme ", 10).unwrap(), "Acme");
        assert!(
            bounded_text("name", "   ", 10)
                .unwrap_err()
                .contains("name")
        );
        assert!(bounded_text("name", &"x".repeat(11), 10).is_err());
        assert!(bounded_text("name", "a\u{0}b", 10).is_err());
    }

    #[test]
    fn emails() {
        assert!(check_email("alice@example.com").is_ok());
        for bad in ["", "alice", "@example.com", "alice@", "a b@c.d", "a@b@c"] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn metadata_must_be_a_small_object() {
        assert_eq!(check_metadata(None).unwrap(), json!({}));
        assert!(check_metadata(Some(json!([1]))).is_err());
        assert!(check_metadata(Some(json!({"a": ["x\u{0}"]}))).is_err());
        assert!(check_metadata(Some(json!({"\u{0}": 1}))).is_err());
        assert!(check_metadata(Some(json!({"a": "x".repeat(MAX_METADATA_BYTES)}))).is_err());
        assert_eq!(
            check_metadata(Some(json!({"a": 1}))).unwrap(),
            json!({"a": 1})
        );
    }
}

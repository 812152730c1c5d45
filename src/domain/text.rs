//! Bounds on metadata objects.

use serde_json::Value;

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

//! A JSON string that is only a string. poem-openapi's `String` silently accepts `42` and
//! `true` as `"42"` and `"true"`; request bodies use [`Str`] so a wrong type is a 400.

use poem_openapi::registry::MetaSchema;

use super::input::string_input;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Str(pub String);

impl Str {
    /// Any string: only the JSON type is checked.
    pub fn parse(raw: &str) -> Result<String, String> {
        Ok(raw.to_string())
    }

    fn schema() -> MetaSchema {
        MetaSchema::new("string")
    }
}

string_input!(Str);

#[cfg(test)]
mod tests {
    use poem_openapi::types::ParseFromJSON;
    use serde_json::json;

    use super::*;

    #[test]
    fn only_strings_parse() {
        assert_eq!(
            Str::parse_from_json(Some(json!("a"))).unwrap(),
            Str("a".into())
        );
        for bad in [json!(42), json!(true), json!(null), json!([]), json!({})] {
            assert!(Str::parse_from_json(Some(bad)).is_err());
        }
    }
}

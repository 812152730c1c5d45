//! Route templates for logs, metrics and spans, as the API documents them
//! (`/api/spaces/{space_id}/events`). poem-openapi routes on renamed parameters
//! (`/api/spaces/:param0/events`), so the template is looked up by operation id in the
//! service's own OpenAPI spec, once per process.

use std::{collections::HashMap, sync::LazyLock};

use serde_json::Value;

static BY_OPERATION: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| by_operation(&crate::api::service().spec()));

/// The documented template of `operation`, else poem's `pattern`, else `unmatched`.
pub fn resolve<'a>(operation: Option<&str>, pattern: Option<&'a str>) -> &'a str {
    if let Some(template) = operation.and_then(|id| BY_OPERATION.get(id)) {
        return template;
    }
    pattern.filter(|p| !p.is_empty()).unwrap_or("unmatched")
}

/// `operationId` → path, from an OpenAPI document.
fn by_operation(spec: &str) -> HashMap<String, String> {
    let spec: Value = serde_json::from_str(spec).unwrap_or_default();
    let mut templates = HashMap::new();
    for (path, operations) in spec["paths"].as_object().into_iter().flatten() {
        for operation in operations.as_object().into_iter().flat_map(|o| o.values()) {
            if let Some(id) = operation["operationId"].as_str() {
                templates.insert(id.to_string(), path.clone());
            }
        }
    }
    templates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_use_the_documented_parameter_names() {
        assert_eq!(
            resolve(Some("add_speech"), Some("/api/spaces/:param0/speech")),
            "/api/spaces/{space_id}/speech"
        );
        assert_eq!(resolve(None, Some("/metrics")), "/metrics");
        assert_eq!(resolve(Some("no_such_operation"), None), "unmatched");
    }
}

//! The route table, read once per process from the service's own OpenAPI document.
//!
//! - Route templates for logs, metrics and spans, as the API documents them
//!   (`/api/spaces/{space_id}/events`): poem-openapi routes on renamed parameters
//!   (`/api/spaces/:param0/events`), so the template is looked up by operation id.
//! - The methods of a path, for the `Allow` header RFC 9110 requires on a 405.

use std::{
    collections::HashMap,
    sync::{Arc, LazyLock},
};

use poem::{
    Endpoint, IntoResponse, Request, Response,
    http::{HeaderValue, StatusCode, header},
};
use serde_json::Value;

use crate::error::to_detail;

struct Routes {
    /// `operationId` → path template.
    by_operation: HashMap<String, String>,
    /// Each path template as segments (`None` for a parameter), with its methods.
    methods: Vec<(Vec<Option<String>>, Vec<String>)>,
}

static ROUTES: LazyLock<Routes> = LazyLock::new(|| routes(&crate::api::service().spec()));

/// The documented template of `operation`, else poem's `pattern`, else `unmatched`.
pub fn resolve<'a>(operation: Option<&str>, pattern: Option<&'a str>) -> &'a str {
    if let Some(template) = operation.and_then(|id| ROUTES.by_operation.get(id)) {
        return template;
    }
    pattern.filter(|p| !p.is_empty()).unwrap_or("unmatched")
}

/// The `Allow` value for `path`: the methods of the route the router would pick, where a
/// literal segment beats a parameter at the first position they differ (HEAD wherever GET
/// is, as the router serves it).
pub fn allowed_methods(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    ROUTES
        .methods
        .iter()
        .filter(|(template, _)| {
            template.len() == segments.len()
                && template.iter().zip(&segments).all(|(t, s)| match t {
                    Some(literal) => literal == s,
                    None => !s.is_empty(),
                })
        })
        .max_by_key(|(template, _)| template.iter().map(Option::is_some).collect::<Vec<_>>())
        .map(|(_, methods)| methods.join(", "))
}

/// Adds the `Allow` header RFC 9110 requires on a 405: the methods the path's route answers,
/// read from the OpenAPI document (HEAD wherever GET is, as the router serves it).
pub async fn allow_on_405<E: Endpoint>(next: Arc<E>, req: Request) -> poem::Result<Response> {
    let path = req.uri().path().to_string();
    let mut resp = match next.call(req).await {
        Ok(resp) => resp.into_response(),
        Err(err) if err.status() == StatusCode::METHOD_NOT_ALLOWED => to_detail(err).await,
        Err(err) => return Err(err),
    };
    if resp.status() == StatusCode::METHOD_NOT_ALLOWED
        && let Some(allow) = allowed_methods(&path)
        && let Ok(value) = HeaderValue::from_str(&allow)
    {
        resp.headers_mut().insert(header::ALLOW, value);
    }
    Ok(resp)
}

fn routes(spec: &str) -> Routes {
    let spec: Value = serde_json::from_str(spec).unwrap_or_default();
    let mut routes = Routes {
        by_operation: HashMap::new(),
        methods: Vec::new(),
    };
    for (path, operations) in spec["paths"].as_object().into_iter().flatten() {
        let mut methods = Vec::new();
        for (method, operation) in operations.as_object().into_iter().flatten() {
            methods.push(method.to_uppercase());
            if let Some(id) = operation["operationId"].as_str() {
                routes.by_operation.insert(id.to_string(), path.clone());
            }
        }
        if methods.iter().any(|m| m == "GET") {
            methods.push("HEAD".to_string());
        }
        methods.sort();
        let segments = path
            .split('/')
            .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
            .collect();
        routes.methods.push((segments, methods));
    }
    routes
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

    #[test]
    fn allow_lists_the_methods_of_the_route_the_router_picks() {
        assert_eq!(allowed_methods("/health").as_deref(), Some("GET, HEAD"));
        assert_eq!(
            allowed_methods("/api/actors/abc").as_deref(),
            Some("DELETE, PATCH")
        );
        // The literal `stream` wins over the `{event_id}` parameter.
        assert_eq!(
            allowed_methods("/api/spaces/s/events/stream").as_deref(),
            Some("GET, HEAD")
        );
        assert_eq!(allowed_methods("/api/nothing"), None);
    }
}

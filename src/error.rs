//! The one error type of the API. Every error leaves the server as `{"detail": "..."}` with
//! the status of `shared/api/errors.md`; the internals of a 5xx are logged, never sent.
//!
//! See docs/architecture.md#errors.

use poem::{IntoResponse, Response, http::StatusCode};
use poem_openapi::{ApiResponse, Object, payload::Json};

use crate::domain::{EventId, SpaceId, ThreadId, append::Refusal};

/// The body of every error response.
#[derive(Object, Debug, Clone, PartialEq, Eq)]
pub struct ErrorBody {
    /// Human-readable error message.
    pub detail: String,
}

/// An error an operation can return. Clone, so that one failure of a batch of writes can
/// answer every request in it.
#[derive(ApiResponse, Debug, Clone)]
pub enum ApiError {
    /// Bad request: a required field is missing, a value is invalid, or the body cannot be parsed.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// Authentication required: no valid API key was provided.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// Forbidden: the caller may not do this (wrong tenant, wrong actor type, tenant suspended).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// Not found, or its existence is not disclosed.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// Conflict with the current state.
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The request body is larger than the server accepts.
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// Too many requests or open streams for this actor, too many failed credential checks,
    /// or an hourly quota is used up.
    #[oai(status = 429)]
    TooManyRequests(Json<ErrorBody>),
    /// Unexpected server error; the details are in the server log.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    /// The database is unreachable; retry with backoff.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
}

fn body(detail: impl Into<String>) -> Json<ErrorBody> {
    Json(ErrorBody {
        detail: detail.into(),
    })
}

impl ApiError {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::BadRequest(body(detail))
    }
    pub fn unauthorized() -> Self {
        Self::Unauthorized(body("Authentication required"))
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::Forbidden(body(detail))
    }
    pub fn tenant_suspended() -> Self {
        Self::forbidden("Tenant is suspended")
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::NotFound(body(detail))
    }
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::Conflict(body(detail))
    }
    pub fn payload_too_large(limit: usize) -> Self {
        Self::PayloadTooLarge(body(format!("Request body is larger than {limit} bytes")))
    }
    pub fn too_many_requests(detail: impl Into<String>) -> Self {
        Self::TooManyRequests(body(detail))
    }
    pub fn unavailable() -> Self {
        Self::Unavailable(body("Database unavailable, retry later"))
    }
    /// More work is waiting than the server accepts; retry with backoff.
    pub fn busy(detail: impl Into<String>) -> Self {
        Self::Unavailable(body(detail))
    }
    /// Log the cause with an id and send only the id.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let id = uuid::Uuid::new_v4();
        tracing::error!(error_id = %id, "internal error: {cause}");
        Self::Internal(body(format!("Internal server error (id {id})")))
    }
}

impl From<tokio_postgres::Error> for ApiError {
    fn from(err: tokio_postgres::Error) -> Self {
        if is_connection_error(&err) {
            tracing::warn!("database connection error: {err}");
            return Self::unavailable();
        }
        if err.code() == Some(&tokio_postgres::error::SqlState::QUERY_CANCELED) {
            tracing::warn!("statement timed out: {}", db_message(&err));
            return Self::unavailable();
        }
        // Text PostgreSQL cannot store (U+0000). Every input rule of `crate::domain` refuses
        // it before a query runs, so reaching this is a gap in a rule: still the caller's bad
        // input (400, never a 500), but logged so that the rule gets fixed.
        if matches!(err.code().map(|c| c.code()), Some("22021" | "22P05")) {
            tracing::warn!(
                "an input rule let through text PostgreSQL cannot store: {}",
                db_message(&err)
            );
            return Self::bad_request("Text must not contain NUL characters");
        }
        Self::internal(db_message(&err))
    }
}

/// The database went away (closed connection, I/O failure), as opposed to a query error.
fn is_connection_error(err: &tokio_postgres::Error) -> bool {
    use std::error::Error;
    err.is_closed()
        || err
            .source()
            .is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some())
}

impl From<deadpool_postgres::PoolError> for ApiError {
    fn from(err: deadpool_postgres::PoolError) -> Self {
        tracing::warn!("no database connection: {err}");
        Self::unavailable()
    }
}

/// The PostgreSQL message behind a driver error (its Display says only "db error").
pub fn db_message(err: &tokio_postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => err.to_string(),
    }
}

pub fn space_not_found() -> ApiError {
    ApiError::not_found(SpaceId::NOT_FOUND)
}

/// A write into a paused or archived space (errors.md: "Space not active").
pub fn space_not_active() -> ApiError {
    ApiError::conflict("Space is not active")
}

pub fn event_not_found() -> ApiError {
    ApiError::not_found(EventId::NOT_FOUND)
}

pub fn thread_not_found() -> ApiError {
    ApiError::not_found(ThreadId::NOT_FOUND)
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::KeyReused => {
                ApiError::conflict("Idempotency-Key was already used for a different request")
            }
            Refusal::SpaceMissing => space_not_found(),
            Refusal::EventMissing => event_not_found(),
            Refusal::ThreadMissing => thread_not_found(),
            Refusal::SpaceInactive => space_not_active(),
            Refusal::NotReturned => ApiError::internal("an appended event was not returned"),
        }
    }
}

/// Turns every error that did not come from a handler (body parse errors, bad parameters,
/// unknown routes, auth extraction) into `{"detail": ...}`. Errors already carrying a crafted
/// response (an [`ApiError`], or the structured 409 of rotate-key) pass through unchanged.
pub async fn to_detail(err: poem::Error) -> Response {
    if err.is_from_response() {
        return err.into_response();
    }
    if let Some(path) = err.downcast_ref::<poem_openapi::error::ParsePathError>() {
        return ApiError::not_found(path_not_found(&path.reason)).into_response();
    }
    let status = err.status();
    let detail = match status {
        StatusCode::UNAUTHORIZED => "Authentication required".to_string(),
        StatusCode::NOT_FOUND => "Not Found".to_string(),
        StatusCode::METHOD_NOT_ALLOWED => "Method Not Allowed".to_string(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "Request body must be JSON (Content-Type: application/json)".to_string()
        }
        StatusCode::PAYLOAD_TOO_LARGE => "Request body is too large".to_string(),
        s if s.is_server_error() => {
            return ApiError::internal(err).into_response();
        }
        _ => {
            let detail = err.to_string();
            match rule_message(&detail) {
                Some(message) => message.to_string(),
                None => detail,
            }
        }
    };
    // Every malformed input is a 400, including a body of the wrong media type.
    let status = if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
        StatusCode::BAD_REQUEST
    } else {
        status
    };
    let body = serde_json::json!({ "detail": detail });
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(body.to_string())
}

/// A path parameter that does not parse names nothing, so it is a 404, as an unknown id is:
/// the path types of `crate::domain` (`SpaceId`, `EventId`, …) fail with the detail of that
/// 404, which poem-openapi reports as `failed to parse "<type>": <detail>`.
fn path_not_found(reason: &str) -> &str {
    reason
        .split_once("\": ")
        .map_or("Not Found", |(_, detail)| detail)
}

/// The message of an input rule of `crate::domain` that refused a value, without what
/// poem-openapi wraps around it (`parse request payload error: failed to parse "string":
/// <message> (occurred while parsing "SpeechRequest")`): the message names the field
/// already. The rules are the only string types whose parse fails with a custom message.
fn rule_message(detail: &str) -> Option<&str> {
    let (_, mut message) = detail.split_once("failed to parse \"string\": ")?;
    while let Some(rest) = message.strip_suffix("\")")
        && let Some((inner, _)) = rest.rsplit_once(" (occurred while parsing \"")
    {
        message = inner;
    }
    Some(message)
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::ParseFromParameter;

    use super::*;

    /// The detail is read back from poem-openapi's wording of a parse error: this breaks
    /// loudly if a poem-openapi upgrade rewords it.
    #[test]
    fn a_rule_message_is_the_detail() {
        let wrapped = "parse request payload error: failed to parse \"string\": speaker_name \
            must be at most 200 characters (occurred while parsing \"optional_string\") \
            (occurred while parsing \"SpeechRequest\")";
        assert_eq!(
            rule_message(wrapped),
            Some("speaker_name must be at most 200 characters")
        );
        let shown = "failed to parse \"string\": references must not use the javascript:, \
            vbscript: or data: scheme: \"javascript:(\\\")\" (occurred while parsing \"list_string\")";
        assert!(
            rule_message(shown)
                .unwrap()
                .ends_with(r#"scheme: "javascript:(\")""#)
        );
        let poems_own = "parse request payload error: Expected input type \"string\", found 42. \
            (occurred while parsing \"SpeechRequest\")";
        assert_eq!(rule_message(poems_own), None);
    }

    #[test]
    fn a_path_id_that_does_not_parse_is_its_not_found() {
        let event = EventId::parse_from_parameter("x")
            .unwrap_err()
            .into_message();
        assert_eq!(path_not_found(&event), "Event not found");
        let space = SpaceId::parse_from_parameter("a b")
            .unwrap_err()
            .into_message();
        assert_eq!(path_not_found(&space), "Space not found");
        assert_eq!(path_not_found("anything else"), "Not Found");
    }
}

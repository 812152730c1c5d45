//! The one error type of the API. Every error leaves the server as `{"detail": "..."}` with
//! the status of `shared/api/errors.md`; the internals of a 5xx are logged, never sent.

use poem::{IntoResponse, Response, http::StatusCode};
use poem_openapi::{ApiResponse, Object, payload::Json};

use crate::domain::append::Refusal;

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
        // Text PostgreSQL cannot store (U+0000, in a path segment or anywhere else that
        // reached a query) is bad input, not a server fault.
        if matches!(err.code().map(|c| c.code()), Some("22021" | "22P05")) {
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
    ApiError::not_found("Space not found")
}

pub fn event_not_found() -> ApiError {
    ApiError::not_found("Event not found")
}

pub fn thread_not_found() -> ApiError {
    ApiError::not_found("Thread not found")
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
            Refusal::SpaceInactive => ApiError::conflict("Space is not active"),
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
        _ => err.to_string(),
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

//! Resolves the credential of every `/api` request once, before routing to a handler.
//!
//! A credential that is present must be valid (401 otherwise) and its tenant active (403
//! otherwise), on every route. A request without one passes through; operations that need
//! authentication then answer 401 through their security scheme (`auth/scheme.rs`).
//! Tokens are never logged: the request log records the path without the query.
//!
//! `/api/admin` is skipped: it takes platform-operator tokens, not API keys, verified by its
//! own security scheme ([`super::operator`]).

use std::sync::Arc;

use poem::{
    Endpoint, IntoResponse, Request, Response,
    http::{
        HeaderValue,
        header::{AUTHORIZATION, RETRY_AFTER},
    },
};
use serde::Deserialize;

use super::{AuthFailure, Authenticator, client_address::ClientAddresses};
use crate::error::ApiError;

pub async fn resolve_principal<E: Endpoint>(
    next: Arc<E>,
    mut req: Request,
    auth: Arc<Authenticator>,
    addresses: ClientAddresses,
) -> poem::Result<Response> {
    let path = req.uri().path();
    if !path.starts_with("/api/") || is_admin_path(path) {
        return next.call(req).await.map(IntoResponse::into_response);
    }
    let token = match presented_credential(&req) {
        Ok(Some(token)) => token,
        Ok(None) => return next.call(req).await.map(IntoResponse::into_response),
        Err(()) => {
            crate::metrics::METRICS.auth_failures.inc();
            return Err(ApiError::unauthorized().into());
        }
    };
    let client = addresses.of(&req);
    match auth.authenticate(&token, client).await {
        Ok(principal) if principal.suspended => Err(ApiError::tenant_suspended().into()),
        Ok(principal) if !stream_token_allows(&principal, &req) => Err(ApiError::forbidden(
            "A stream token is valid only for the event stream of its own space",
        )
        .into()),
        Ok(principal) => {
            let span = tracing::Span::current();
            span.record("convo.actor", tracing::field::display(principal.actor_id));
            span.record("convo.tenant", principal.schema.as_str());
            req.set_data(principal);
            next.call(req).await.map(IntoResponse::into_response)
        }
        Err(AuthFailure::Invalid) => {
            crate::metrics::METRICS.auth_failures.inc();
            Err(ApiError::unauthorized().into())
        }
        Err(AuthFailure::Unavailable) => Err(ApiError::unavailable().into()),
        Err(AuthFailure::Busy) => {
            Err(ApiError::busy("Too many credentials are being checked; retry later").into())
        }
        Err(AuthFailure::Throttled { retry_after }) => {
            crate::metrics::METRICS.auth_failures.inc();
            let secs = retry_after.as_secs_f64().ceil().max(1.0) as u64;
            let mut resp = ApiError::too_many_requests(format!(
                "Too many failed attempts with this credential or from this address; \
                 retry in {secs} s"
            ))
            .into_response();
            resp.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
            Ok(resp)
        }
    }
}

fn is_admin_path(path: &str) -> bool {
    path == "/api/admin" || path.starts_with("/api/admin/")
}

/// A stream token opens its own space's event stream and nothing else.
fn stream_token_allows(principal: &super::Principal, req: &Request) -> bool {
    match &principal.stream_space {
        None => true,
        Some(space) => {
            req.method() == poem::http::Method::GET
                && req.uri().path() == format!("/api/spaces/{space}/events/stream")
        }
    }
}

/// The bearer token of the Authorization header, else the `token` query parameter.
/// `Err` for an Authorization header that is not a bearer token.
fn presented_credential(req: &Request) -> Result<Option<String>, ()> {
    if let Some(header) = req.headers().get(AUTHORIZATION) {
        let value = header.to_str().map_err(|_| ())?;
        let (scheme, token) = value.trim().split_once(' ').ok_or(())?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(());
        }
        return Ok(Some(token.trim().to_string()));
    }
    #[derive(Deserialize)]
    struct TokenParam {
        token: Option<String>,
    }
    Ok(req.params::<TokenParam>().ok().and_then(|p| p.token))
}

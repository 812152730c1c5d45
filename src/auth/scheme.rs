//! The security schemes operations declare, so the spec documents both ways to pass a key.
//! The credential itself was already checked by [`super::middleware::resolve_principal`]; the checkers
//! only pick up its result.

use poem::Request;
use poem_openapi::{
    SecurityScheme,
    auth::{ApiKey, Bearer},
};

use super::Principal;
use crate::error::ApiError;

/// `Authorization: Bearer convo_…`
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "principal_from_bearer")]
pub struct BearerKey(Principal);

/// `?token=convo_…`, for SSE and browser clients that cannot set headers.
#[derive(SecurityScheme)]
#[oai(
    ty = "api_key",
    key_name = "token",
    key_in = "query",
    checker = "principal_from_query"
)]
pub struct QueryKey(Principal);

async fn principal_from_bearer(req: &Request, _: Bearer) -> poem::Result<Principal> {
    resolved(req)
}

async fn principal_from_query(req: &Request, _: ApiKey) -> poem::Result<Principal> {
    resolved(req)
}

fn resolved(req: &Request) -> poem::Result<Principal> {
    req.data::<Principal>()
        .cloned()
        .ok_or_else(|| ApiError::unauthorized().into())
}

/// An API key, as a bearer header or a `token` query parameter.
#[derive(SecurityScheme)]
pub enum ApiKeyAuth {
    Bearer(BearerKey),
    Query(QueryKey),
}

impl ApiKeyAuth {
    pub fn principal(&self) -> &Principal {
        match self {
            ApiKeyAuth::Bearer(BearerKey(p)) | ApiKeyAuth::Query(QueryKey(p)) => p,
        }
    }
}

/// An API key if one is given; anonymous otherwise.
#[derive(SecurityScheme)]
pub enum OptionalApiKeyAuth {
    Bearer(BearerKey),
    Query(QueryKey),
    #[oai(fallback)]
    Anonymous,
}

impl OptionalApiKeyAuth {
    pub fn principal(&self) -> Option<&Principal> {
        match self {
            OptionalApiKeyAuth::Bearer(BearerKey(p)) | OptionalApiKeyAuth::Query(QueryKey(p)) => {
                Some(p)
            }
            OptionalApiKeyAuth::Anonymous => None,
        }
    }
}

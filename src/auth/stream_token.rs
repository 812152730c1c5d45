//! Stream tokens: short-lived HS256 JWTs that let a browser open one space's event stream
//! without putting a long-lived API key in a URL. A token is bound to the key that minted it
//! (revoking the key revokes the token), to the tenant schema and to the space.
//!
//! See docs/architecture.md#stream-tokens.

use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Principal;

pub const AUDIENCE: &str = "convo-stream";

#[derive(Debug, Serialize, Deserialize)]
pub struct StreamClaims {
    /// The actor.
    pub sub: Uuid,
    /// The API key that minted the token.
    pub kid: Uuid,
    /// The tenant schema the space lives in.
    pub sch: String,
    /// The space whose stream the token opens.
    pub spc: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

pub struct StreamTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl: Duration,
}

impl StreamTokens {
    pub fn new(secret: &[u8], ttl: Duration) -> StreamTokens {
        StreamTokens {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ttl,
        }
    }

    pub fn mint(&self, caller: &Principal, space_id: &str) -> (String, DateTime<Utc>) {
        let now = Utc::now();
        let expires = now + self.ttl;
        let claims = StreamClaims {
            sub: caller.actor_id,
            kid: caller.key_id,
            sch: caller.schema.as_str().to_string(),
            spc: space_id.to_string(),
            aud: AUDIENCE.to_string(),
            iat: now.timestamp(),
            exp: expires.timestamp(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing of plain claims cannot fail");
        (token, expires)
    }

    /// The claims of a token signed by us, for our audience, not expired (no leeway).
    pub fn verify(&self, token: &str) -> Option<StreamClaims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "aud", "sub"]);
        validation.leeway = 0;
        decode::<StreamClaims>(token, &self.decoding, &validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// Whether a credential has the shape of a JWT rather than an API key.
pub fn looks_like_jwt(token: &str) -> bool {
    token.split('.').count() == 3 && token.len() < 4096
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{domain::ActorType, tenancy::SchemaName};

    fn principal() -> Principal {
        Principal {
            actor_id: Uuid::new_v4(),
            actor_type: ActorType::Human,
            display_name: "A".into(),
            tenant_id: None,
            schema: SchemaName::default_tenant(),
            suspended: false,
            key_id: Uuid::new_v4(),
            stream_space: None,
        }
    }

    #[test]
    fn round_trip_and_refusals() {
        let tokens = StreamTokens::new(b"secret-one", Duration::from_secs(60));
        let p = principal();
        let (token, _) = tokens.mint(&p, "room");
        assert!(looks_like_jwt(&token));
        let claims = tokens.verify(&token).unwrap();
        assert_eq!(
            (claims.sub, claims.kid, claims.spc.as_str()),
            (p.actor_id, p.key_id, "room")
        );
        // Another secret, or an expired token, is refused.
        assert!(
            StreamTokens::new(b"secret-two", Duration::from_secs(60))
                .verify(&token)
                .is_none()
        );
        let expired = StreamTokens::new(b"secret-one", Duration::ZERO);
        let (old, _) = expired.mint(&p, "room");
        std::thread::sleep(Duration::from_millis(1100));
        assert!(tokens.verify(&old).is_none());
    }
}

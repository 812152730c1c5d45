//! Platform-operator tokens for the admin API (`/api/admin`): JWTs signed by the platform
//! with HS256 (a shared secret) or RS256/ES256 (verified with a PEM public key), carrying a
//! required `exp` and the configured `aud`, and honouring `nbf` when present (a token issued
//! for later must not open the admin API now). They are not API keys: the request middleware
//! skips `/api/admin`, and the [`OperatorAuth`] scheme verifies the bearer token itself.
//! Tokens are never logged.
//!
//! See docs/architecture.md#operator-tokens-and-the-admin-api.

use std::sync::Arc;

use anyhow::{Context, bail};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use poem::Request;
use poem_openapi::{SecurityScheme, auth::Bearer};
use serde::Deserialize;

use crate::{config::Secret, error::ApiError};

/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECS: u64 = 5;

/// What an operator token says about its bearer.
#[derive(Clone, Debug, Deserialize)]
pub struct OperatorClaims {
    /// The operator, if the issuer names one (logged with admin actions).
    #[serde(default)]
    pub sub: Option<String>,
    pub exp: i64,
}

/// Verifies operator tokens; with no key configured, refuses every token.
pub struct OperatorVerifier {
    key: Option<(DecodingKey, Algorithm)>,
    audience: String,
}

impl OperatorVerifier {
    /// From the configured secret or PEM public key (inline, or `@/path`). Both at once is a
    /// configuration error; neither disables the admin API.
    pub fn from_config(
        secret: Option<&Secret>,
        public_key: Option<&Secret>,
        audience: &str,
    ) -> anyhow::Result<OperatorVerifier> {
        let key = match (secret, public_key) {
            (Some(_), Some(_)) => bail!(
                "set either CONVO_OPERATOR_JWT_SECRET or CONVO_OPERATOR_JWT_PUBLIC_KEY, not both"
            ),
            (Some(secret), None) => {
                if secret.0.is_empty() {
                    bail!("CONVO_OPERATOR_JWT_SECRET is empty");
                }
                Some((
                    DecodingKey::from_secret(secret.0.as_bytes()),
                    Algorithm::HS256,
                ))
            }
            (None, Some(pem)) => Some(public_key_from_pem(&read_pem(&pem.0)?)?),
            (None, None) => None,
        };
        if audience.is_empty() {
            bail!("CONVO_OPERATOR_JWT_AUDIENCE is empty");
        }
        Ok(OperatorVerifier {
            key,
            audience: audience.to_string(),
        })
    }

    pub fn enabled(&self) -> bool {
        self.key.is_some()
    }

    /// The algorithm tokens must be signed with, when enabled.
    pub fn algorithm(&self) -> Option<Algorithm> {
        self.key.as_ref().map(|(_, alg)| *alg)
    }

    /// The claims of a token signed with the configured key and algorithm, for our audience,
    /// already valid (`nbf`) and not expired. `None` for anything else (including when
    /// disabled).
    pub fn verify(&self, token: &str) -> Option<OperatorClaims> {
        let (key, alg) = self.key.as_ref()?;
        let mut validation = Validation::new(*alg);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "aud"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        decode::<OperatorClaims>(token, key, &validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// The PEM text itself, or the contents of the file after `@`.
fn read_pem(value: &str) -> anyhow::Result<String> {
    match value.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("reading the operator public key from {path}")),
        None => Ok(value.to_string()),
    }
}

/// RSA keys verify RS256, EC keys ES256.
fn public_key_from_pem(pem: &str) -> anyhow::Result<(DecodingKey, Algorithm)> {
    if let Ok(key) = DecodingKey::from_rsa_pem(pem.as_bytes()) {
        return Ok((key, Algorithm::RS256));
    }
    if let Ok(key) = DecodingKey::from_ec_pem(pem.as_bytes()) {
        return Ok((key, Algorithm::ES256));
    }
    bail!("CONVO_OPERATOR_JWT_PUBLIC_KEY is not a PEM RSA or EC public key")
}

/// `Authorization: Bearer <operator JWT>`, for `/api/admin`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "operator_from_bearer")]
pub struct OperatorAuth(pub OperatorClaims);

async fn operator_from_bearer(req: &Request, bearer: Bearer) -> poem::Result<OperatorClaims> {
    let operator = req
        .data::<Arc<OperatorVerifier>>()
        .expect("the operator verifier is attached to every route");
    operator
        .verify(bearer.token.trim())
        .ok_or_else(|| ApiError::unauthorized().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;

    fn token(secret: &[u8], claims: serde_json::Value) -> String {
        encode(
            &Header::default(),
            &claims,
            &EncodingKey::from_secret(secret),
        )
        .unwrap()
    }

    fn in_secs(secs: i64) -> i64 {
        chrono::Utc::now().timestamp() + secs
    }

    #[test]
    fn hs256_checks_signature_expiry_and_audience() {
        let v = OperatorVerifier::from_config(Some(&Secret("s3cret".into())), None, "convo-admin")
            .unwrap();
        assert!(v.enabled());
        let good = token(
            b"s3cret",
            json!({"sub": "ops", "aud": "convo-admin", "exp": in_secs(60)}),
        );
        assert_eq!(v.verify(&good).unwrap().sub.as_deref(), Some("ops"));
        for bad in [
            token(b"other", json!({"aud": "convo-admin", "exp": in_secs(60)})),
            token(
                b"s3cret",
                json!({"aud": "convo-admin", "exp": in_secs(-30)}),
            ),
            token(b"s3cret", json!({"aud": "other", "exp": in_secs(60)})),
            token(b"s3cret", json!({"exp": in_secs(60)})),
            token(b"s3cret", json!({"aud": "convo-admin"})),
            "convo_notajwt".to_string(),
        ] {
            assert!(v.verify(&bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn not_before_is_enforced() {
        let v = OperatorVerifier::from_config(Some(&Secret("s3cret".into())), None, "convo-admin")
            .unwrap();
        let with_nbf = |nbf: i64| {
            token(
                b"s3cret",
                json!({"aud": "convo-admin", "exp": in_secs(600), "nbf": nbf}),
            )
        };
        assert!(v.verify(&with_nbf(in_secs(300))).is_none());
        assert!(v.verify(&with_nbf(in_secs(-10))).is_some());
        // Within the clock-skew leeway.
        assert!(v.verify(&with_nbf(in_secs(2))).is_some());
    }

    #[test]
    fn disabled_refuses_everything_and_config_is_checked() {
        let v = OperatorVerifier::from_config(None, None, "convo-admin").unwrap();
        assert!(!v.enabled());
        assert!(
            v.verify(&token(
                b"",
                json!({"aud": "convo-admin", "exp": in_secs(60)})
            ))
            .is_none()
        );
        let s = Secret("x".into());
        assert!(OperatorVerifier::from_config(Some(&s), Some(&s), "a").is_err());
        assert!(OperatorVerifier::from_config(None, Some(&s), "a").is_err());
        assert!(OperatorVerifier::from_config(Some(&Secret(String::new())), None, "a").is_err());
    }
}

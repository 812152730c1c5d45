//! API keys: `convo_` + 12 characters of non-secret lookup (9 random bytes) + 43 characters of
//! secret (32 random bytes), all URL-safe base64. The lookup part finds the row without
//! hashing; the whole key is stored only as an argon2id hash.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngExt;

pub const PREFIX: &str = "convo_";
const LOOKUP_LEN: usize = 12;
const SECRET_LEN: usize = 43;

/// A freshly minted key. `plaintext` is shown to the caller once and never stored.
pub struct NewKey {
    pub plaintext: String,
    pub lookup: String,
    pub hash: String,
}

/// Mint a key and hash it. CPU-heavy (argon2): call on a hashing thread (`super::hasher`).
pub fn generate() -> NewKey {
    let mut bytes = [0u8; 9 + 32];
    rand::rng().fill(&mut bytes[..]);
    let body = URL_SAFE_NO_PAD.encode(bytes);
    let plaintext = format!("{PREFIX}{body}");
    let hash = super::argon::hash(&plaintext);
    NewKey {
        lookup: body[..LOOKUP_LEN].to_string(),
        plaintext,
        hash,
    }
}

/// The lookup part of a well-formed key; `None` for anything that cannot be a key, which is
/// then rejected without touching the database or hashing.
pub fn lookup_of(token: &str) -> Option<&str> {
    let body = token.strip_prefix(PREFIX)?;
    let well_formed = body.len() == LOOKUP_LEN + SECRET_LEN
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    well_formed.then(|| &body[..LOOKUP_LEN])
}

/// Check `token` against a stored PHC hash (argon2 compares in constant time). CPU-heavy.
pub fn verify(token: &str, phc: &str) -> bool {
    super::argon::verify(token, phc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_and_verify() {
        let key = generate();
        assert!(key.plaintext.starts_with(PREFIX));
        assert_eq!(lookup_of(&key.plaintext), Some(key.lookup.as_str()));
        assert!(key.hash.starts_with("$argon2id$"));
        assert!(!key.hash.contains(&key.plaintext));
        assert!(verify(&key.plaintext, &key.hash));
        let mut wrong = key.plaintext.clone();
        wrong.pop();
        wrong.push(if key.plaintext.ends_with('A') {
            'B'
        } else {
            'A'
        });
        assert!(!verify(&wrong, &key.hash));
    }

    #[test]
    fn malformed_keys_have_no_lookup() {
        let good = generate().plaintext;
        for bad in [
            "",
            "convo_",
            "Bearer x",
            &good[1..],
            &format!("{good}x"),
            &good.replace('_', "!"),
        ] {
            assert_eq!(lookup_of(bad), None, "{bad}");
        }
    }
}

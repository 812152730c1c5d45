//! Personal access tokens: `mootup_pat_` + 60 lowercase hex characters (30 random bytes).
//! The first 16 hex characters (8 bytes) are the non-secret lookup part, stored in clear and
//! indexed; the first 8 of those are shown to the owner as `token_prefix`. The remaining 44
//! (176 bits) are secret; the whole token is stored only as an argon2id hash.

use rand::RngExt;
use uuid::Uuid;

pub const PREFIX: &str = "mootup_pat_";
/// Hex characters after [`PREFIX`].
const BODY_LEN: usize = 60;
const LOOKUP_LEN: usize = 16;
const DISPLAY_PREFIX_LEN: usize = 8;
/// Prefix of the public id of a token (`pat_` + 32 hex characters of a UUID).
pub const ID_PREFIX: &str = "pat_";

/// A freshly minted token. `plaintext` is shown to the caller once and never stored.
pub struct NewPat {
    pub plaintext: String,
    pub lookup: String,
    pub hash: String,
}

impl NewPat {
    /// What the owner sees to tell tokens apart: the first 8 hex characters after the prefix.
    pub fn token_prefix(&self) -> &str {
        display_prefix(&self.lookup)
    }
}

/// The `token_prefix` shown for a stored lookup part.
pub fn display_prefix(lookup: &str) -> &str {
    &lookup[..DISPLAY_PREFIX_LEN.min(lookup.len())]
}

/// Mint a token and hash it. CPU-heavy (argon2): call on a hashing thread (`super::hasher`).
pub fn generate() -> NewPat {
    let mut bytes = [0u8; BODY_LEN / 2];
    rand::rng().fill(&mut bytes[..]);
    let body: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let plaintext = format!("{PREFIX}{body}");
    let hash = super::argon::hash(&plaintext);
    NewPat {
        lookup: body[..LOOKUP_LEN].to_string(),
        plaintext,
        hash,
    }
}

/// The lookup part of a well-formed token; `None` for anything that cannot be a PAT.
pub fn lookup_of(token: &str) -> Option<&str> {
    let body = token.strip_prefix(PREFIX)?;
    let well_formed = body.len() == BODY_LEN
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    well_formed.then(|| &body[..LOOKUP_LEN])
}

/// Check `token` against a stored PHC hash (argon2 compares in constant time). CPU-heavy.
pub fn verify(token: &str, phc: &str) -> bool {
    super::argon::verify(token, phc)
}

/// The public id of a token: `pat_` + the 32 hex characters of its UUID.
pub fn public_id(id: Uuid) -> String {
    format!("{ID_PREFIX}{}", id.simple())
}

/// The UUID behind a public id; `None` for anything else (which is then simply not found).
pub fn parse_id(public: &str) -> Option<Uuid> {
    let hex = public.strip_prefix(ID_PREFIX)?;
    let well_formed = hex.len() == 32
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    well_formed.then(|| Uuid::try_parse(hex).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_have_the_documented_shape() {
        let pat = generate();
        let body = pat.plaintext.strip_prefix(PREFIX).unwrap();
        assert_eq!(body.len(), 60);
        assert!(
            body.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert_eq!(lookup_of(&pat.plaintext), Some(pat.lookup.as_str()));
        assert!(body.starts_with(&pat.lookup));
        assert_eq!(pat.token_prefix(), &body[..8]);
        assert!(pat.hash.starts_with("$argon2id$"));
        assert!(!pat.hash.contains(body));
    }

    #[test]
    fn tokens_verify_only_against_their_own_hash() {
        let pat = generate();
        assert!(verify(&pat.plaintext, &pat.hash));
        let mut wrong = pat.plaintext.clone();
        let last = wrong.pop().unwrap();
        wrong.push(if last == 'a' { 'b' } else { 'a' });
        assert!(!verify(&wrong, &pat.hash));
        assert!(!verify(&generate().plaintext, &pat.hash));
    }

    #[test]
    fn malformed_tokens_have_no_lookup() {
        let good = generate().plaintext;
        for bad in [
            "",
            PREFIX,
            "convo_abc",
            &good[1..],
            &format!("{good}0"),
            &good[..good.len() - 1],
            &good.to_uppercase(),
            &format!("{}{}", &good[..good.len() - 1], 'g'),
            &good.replace("mootup_pat_", "mootup_pak_"),
        ] {
            assert_eq!(lookup_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn public_ids_round_trip() {
        let id = Uuid::now_v7();
        let public = public_id(id);
        assert!(public.starts_with("pat_") && public.len() == 36);
        assert_eq!(parse_id(&public), Some(id));
        for bad in [
            "",
            "pat_",
            &id.to_string(),
            &public.to_uppercase(),
            &format!("{public}0"),
            &format!("pat_{}", id.hyphenated()),
        ] {
            assert_eq!(parse_id(bad), None, "{bad}");
        }
    }
}

//! Argon2id hashing and verification with one working-memory block per thread, reused.
//!
//! `argon2`'s own `hash_password`/`verify_password` allocate 19 MiB per call. glibc serves
//! that from the arena of the calling thread and, after the first free, keeps it: measured
//! here, a 100-registration burst left four or five arenas of up to 57 MiB each (250 MB RSS)
//! even with only two hashing threads, because threads move between arenas under contention.
//! Allocating the block once per hashing thread ([`super::hasher`]) and reusing it bounds
//! argon2 memory to `threads × 19 MiB` with no allocator churn at all.
//!
//! The PHC strings written and read are exactly those of the `argon2` crate
//! (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`), so stored hashes stay valid both ways.

use std::cell::RefCell;

use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use base64::{Engine, engine::general_purpose::STANDARD_NO_PAD};
use rand::RngExt;
use subtle::ConstantTimeEq;

/// Salt bytes of a new hash (the `argon2` crate's default).
const SALT_LEN: usize = 16;

thread_local! {
    /// This thread's working memory, grown to the largest `m_cost` it has seen.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Compute argon2 into `out` with this thread's reused working memory.
fn compute(argon: &Argon2<'_>, secret: &[u8], salt: &[u8], out: &mut [u8]) -> bool {
    MEMORY.with_borrow_mut(|memory| {
        let blocks = argon.params().block_count();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        argon
            .hash_password_into_with_memory(secret, salt, out, &mut memory[..blocks])
            .is_ok()
    })
}

/// A PHC string of `secret` with the default parameters (argon2id, m=19456, t=2, p=1).
pub fn hash(secret: &str) -> String {
    let params = Params::DEFAULT;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut salt = [0u8; SALT_LEN];
    rand::rng().fill(&mut salt[..]);
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    assert!(
        compute(&argon, secret.as_bytes(), &salt, &mut out),
        "argon2 with default parameters hashes any input"
    );
    format!(
        "$argon2id$v=19$m={},t={},p={}${}${}",
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(out)
    )
}

/// Whether `secret` matches the PHC string `phc` (compared in constant time).
pub fn verify(secret: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let argon = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    compute(&argon, secret.as_bytes(), salt, &mut out) && bool::from(out.ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use argon2::{PasswordHasher, PasswordVerifier};

    use super::*;

    #[test]
    fn hashes_are_interchangeable_with_the_argon2_crates() {
        let ours = hash("convo_secret");
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            Argon2::default()
                .verify_password(b"convo_secret", ours.as_str())
                .is_ok()
        );
        assert!(verify("convo_secret", &ours));
        assert!(!verify("convo_secreT", &ours));
        let theirs = Argon2::default()
            .hash_password(b"convo_secret")
            .unwrap()
            .to_string();
        assert!(verify("convo_secret", &theirs));
        assert!(!verify("other", &theirs));
        for garbage in ["", "$argon2id$", "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$"] {
            assert!(!verify("convo_secret", garbage), "{garbage}");
        }
    }
}

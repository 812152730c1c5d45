//! How much memory each pooled backend spends on caches: the `CacheMemoryContext` subtree of
//! `pg_backend_memory_contexts` (catalog caches, relcache entries with their index info, and
//! cached plans), which grows with every tenant schema a backend has served.

use std::sync::atomic::{AtomicBool, Ordering};

use super::Pool;

/// `CacheMemoryContext` and every context below it: contexts come out depth-first, so the
/// subtree is the run of rows after it that are deeper than it.
const CACHE_BYTES: &str = "
WITH c AS (
    SELECT m.name, m.level, m.total_bytes, m.n
    FROM pg_get_backend_memory_contexts() WITH ORDINALITY
        AS m(name, ident, parent, level, total_bytes, total_nblocks, free_bytes,
             free_chunks, used_bytes, n)
), root AS (
    SELECT n, level FROM c WHERE name = 'CacheMemoryContext' ORDER BY n LIMIT 1
), after AS (
    SELECT min(c.n) AS n FROM c, root WHERE c.n > root.n AND c.level <= root.level
)
SELECT coalesce(sum(c.total_bytes), 0)::int8
FROM c, root, after
WHERE c.n >= root.n AND (after.n IS NULL OR c.n < after.n)";

/// A look in progress: `/metrics` is unauthenticated, so callers must not be able to pile
/// looks up and hold the pool's idle connections between them.
static LOOKING: AtomicBool = AtomicBool::new(false);

/// The cache bytes of each idle pooled backend, smallest first; `None` when another look is
/// under way. Busy connections are skipped (a look must never wait behind a request), and so
/// are backends that fail to answer. The idle connections are asked at once, so each is out
/// of the pool for about one query, not for the whole look.
pub async fn cache_bytes(pool: &Pool) -> Option<Vec<i64>> {
    if LOOKING.swap(true, Ordering::Acquire) {
        return None;
    }
    let _looking = Looking;
    let looks = pool.try_idle().into_iter().map(|conn| async move {
        conn.query_one(CACHE_BYTES, &[])
            .await
            .ok()
            .map(|row| row.get::<_, i64>(0))
    });
    let mut bytes: Vec<i64> = futures::future::join_all(looks)
        .await
        .into_iter()
        .flatten()
        .collect();
    bytes.sort_unstable();
    Some(bytes)
}

/// Ends the look when dropped (also when the look's future is dropped mid-way).
struct Looking;

impl Drop for Looking {
    fn drop(&mut self) {
        LOOKING.store(false, Ordering::Release);
    }
}

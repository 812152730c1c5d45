//! How much memory each pooled backend spends on caches: the `CacheMemoryContext` subtree of
//! `pg_backend_memory_contexts` (catalog caches, relcache entries with their index info, and
//! cached plans), which grows with every tenant schema a backend has served.

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

/// The cache bytes of each idle pooled backend, smallest first. Busy connections are skipped
/// (a look must never wait behind a request), and so are backends that fail to answer.
pub async fn cache_bytes(pool: &Pool) -> Vec<i64> {
    let mut bytes = Vec::new();
    for conn in pool.try_idle() {
        if let Ok(row) = conn.query_one(CACHE_BYTES, &[]).await {
            bytes.push(row.get(0));
        }
    }
    bytes.sort_unstable();
    bytes
}

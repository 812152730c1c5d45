//! How much memory one caller can make the server hold, as settings.
//!
//! What a tenant stores is bounded only per event (about 250 KB at most), so anything that
//! holds "all the events of …" in memory grows with the data, and a member reading their
//! own space back in bulk could take the server down. Every read of events therefore goes
//! through pages bounded in bytes (responses are written page by page, streams replay page
//! by page), the per-space broadcast keeps only small batches, and the append queues are
//! bounded in bytes. These are the constants that bound memory per request and per stream.
//!
//! See docs/architecture.md#memory-bounds.

use clap::Args;

/// Memory bounds per request, per stream and per append queue.
#[derive(Args, Clone, Debug)]
pub struct MemoryBounds {
    /// Most bytes of events one database read holds: a page of a transcript, thread or
    /// activity response (written out before the next is read) or of a stream's replay.
    #[arg(long, env = "CONVO_READ_PAGE_BYTES", default_value_t = 1024 * 1024)]
    pub read_page_bytes: usize,

    /// Most bytes of new events a space's live broadcast shares in one batch; larger batches
    /// are read by each stream from the database instead, so a stream that stops reading
    /// pins at most 64 such batches.
    #[arg(long, env = "CONVO_STREAM_SHARED_BATCH_BYTES", default_value_t = 64 * 1024)]
    pub stream_shared_batch_bytes: usize,

    /// Most bytes of appends waiting for one space on one replica; more get 503.
    #[arg(long, env = "CONVO_APPEND_QUEUE_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub append_queue_bytes: usize,

    /// Most bytes of appends waiting on one replica, all spaces together; more get 503.
    #[arg(long, env = "CONVO_APPEND_QUEUES_TOTAL_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub append_queues_total_bytes: usize,

    /// Most bytes of events stored in one group-commit transaction (at least one event).
    #[arg(long, env = "CONVO_APPEND_BATCH_BYTES", default_value_t = 4 * 1024 * 1024)]
    pub append_batch_bytes: usize,
}

impl Default for MemoryBounds {
    fn default() -> Self {
        MemoryBounds {
            read_page_bytes: 1024 * 1024,
            stream_shared_batch_bytes: 64 * 1024,
            append_queue_bytes: 8 * 1024 * 1024,
            append_queues_total_bytes: 64 * 1024 * 1024,
            append_batch_bytes: 4 * 1024 * 1024,
        }
    }
}

//! Events read in pages bounded in bytes as well as in rows.
//!
//! An event can be about 250 KB, so a page of "200 events" may be 50 MB: every read that
//! can return many events (responses, stream replays, the live feed) takes a page whose
//! rows add up to at most a byte budget. The query is the plain page (`ORDER BY seq LIMIT
//! n`, sent with `query_raw`); its rows are taken from the [`RowStream`] one by one as they
//! arrive, each counted by the bytes received for it
//! ([`Row::raw_size_bytes`](tokio_postgres::Row::raw_size_bytes): every value as sent, JSON
//! as its text, so a compressed (TOASTed) value counts at its expanded size) plus a fixed
//! allowance for what rendering adds. Rows are taken while their sum is below the budget:
//! the row that reaches it is the last one (and the first row is always taken, so a page is
//! never empty while events remain). JSON escaping can still make a string up to six times
//! longer than counted.
//!
//! The database used to do the counting (a size expression per row, a running sum over a
//! window, the page cut in an outer query): the same bound, but every read, the hot cursor
//! read of a few small events included, paid for the expressions, the window and the extra
//! query level. Counted here, the bound costs an addition per row, and the count is of what
//! is actually held. Stopping early is safe for memory: tokio-postgres hands a response
//! over in batches of what one socket read brought, the next only once the previous one was
//! taken, and discards the rest of a response whose stream was dropped; each row is turned
//! into its JSON ([`EventJson`]: the stored body with the sequence and time in front) as it
//! comes, so the page never holds the raw rows as well.
//!
//! The rows after the cut are still produced by the database, sent and discarded, so a page
//! must not ask for many more rows than fit: [`PageSize`] adapts the row limit to what the
//! previous page held (twice what fit after a page cut by bytes, doubling after one cut by
//! rows).

use std::pin::pin;

use crate::tenancy::TenantTx;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use tokio_postgres::{RowStream, types::ToSql};
use uuid::Uuid;

use super::event_json::{self, EventJson};

/// What an event takes in a page beyond its row as received: the sequence and timestamp
/// written in front of its stored JSON, and the page's bookkeeping.
const ROW_OVERHEAD: usize = 256;

/// How many rows and bytes the next page may hold.
#[derive(Clone, Copy, Debug)]
pub struct PageSize {
    rows: i64,
    max_rows: i64,
    max_bytes: i64,
}

impl PageSize {
    pub fn new(max_rows: i64, max_bytes: usize) -> PageSize {
        PageSize {
            rows: max_rows.max(1),
            max_rows: max_rows.max(1),
            max_bytes: i64::try_from(max_bytes).unwrap_or(i64::MAX).max(1),
        }
    }

    /// The byte budget of a page.
    pub fn max_bytes(&self) -> i64 {
        self.max_bytes
    }

    /// At most `rows` rows from now on (what is left of a caller's own limit).
    pub fn at_most(&mut self, rows: i64) {
        self.max_rows = self.max_rows.min(rows.max(1));
        self.rows = self.rows.min(self.max_rows);
    }

    /// Learn from a page: how many rows it returned and whether bytes cut it short.
    fn adapt(&mut self, returned: usize, cut_by_bytes: bool) {
        let returned = returned as i64;
        self.rows = if cut_by_bytes {
            (returned * 2).clamp(1, self.max_rows)
        } else if returned >= self.rows {
            (self.rows * 2).min(self.max_rows)
        } else {
            self.rows
        };
    }
}

/// Consecutive events, and whether more may follow them.
pub struct Page {
    pub events: Vec<EventJson>,
    pub more: bool,
}

/// Which events of a space a page reads.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    /// Every event.
    All,
    /// Events stored between the two times (inclusive, each optional).
    Between(Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    /// The events posted into a thread.
    Thread(Uuid),
}

/// The next page of `scope` in `space_id`: events with a sequence above `after` and at most
/// `through`, in sequence order.
pub async fn after(
    db: &TenantTx,
    space_id: &str,
    scope: Scope,
    after: i64,
    through: i64,
    size: &mut PageSize,
) -> Result<Page, tokio_postgres::Error> {
    let db = db.client();
    let filter = match scope {
        Scope::All => "TRUE",
        Scope::Between(..) => {
            "($5::timestamptz IS NULL OR created_at >= $5)
             AND ($6::timestamptz IS NULL OR created_at <= $6)"
        }
        Scope::Thread(_) => "thread_id = $5",
    };
    let stmt = db
        .prepare_cached(&format!(
            "SELECT {} FROM events
             WHERE space_id = $1 AND seq > $2 AND seq <= $3 AND {filter}
             ORDER BY seq LIMIT $4",
            event_json::columns()
        ))
        .await?;
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&space_id, &after, &through, &size.rows];
    let (start, end, thread);
    match scope {
        Scope::All => {}
        Scope::Between(s, e) => {
            (start, end) = (s, e);
            params.extend([&start as &(dyn ToSql + Sync), &end]);
        }
        Scope::Thread(t) => {
            thread = t;
            params.push(&thread);
        }
    }
    let rows = db.query_raw(&stmt, params).await?;
    page(rows, size).await
}

/// The SQL of [`after_event`], the cursor page: `benches/pgbench/read.sql` runs it too (a
/// test compares them).
pub fn after_event_sql() -> String {
    format!(
        "SELECT {} FROM events
             WHERE space_id = $1 AND seq > COALESCE(
                 (SELECT seq FROM events WHERE space_id = $1 AND event_id = $2), 0)
             ORDER BY seq LIMIT $3",
        event_json::columns()
    )
}

/// The first page of the events of `space_id` after the event `after` (from the start
/// without one, or when it is not in the space); the cursor is looked up in the same
/// statement, so a page costs one round trip.
pub async fn after_event(
    db: &TenantTx,
    space_id: &str,
    after: Option<Uuid>,
    size: &mut PageSize,
) -> Result<Page, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db.prepare_cached(&after_event_sql()).await?;
    let params: [&(dyn ToSql + Sync); 3] = [&space_id, &after, &size.rows];
    let rows = db.query_raw(&stmt, params).await?;
    page(rows, size).await
}

/// The next page of the events of `space_id` with the sequence numbers `seqs`, in that
/// order: `Page::events.len()` of them are read, the caller continues with the rest.
pub async fn of_seqs(
    db: &TenantTx,
    space_id: &str,
    seqs: &[i64],
    size: &mut PageSize,
) -> Result<Page, tokio_postgres::Error> {
    let db = db.client();
    let stmt = db
        .prepare_cached(&format!(
            "SELECT {}
             FROM unnest($2::bigint[]) WITH ORDINALITY AS wanted(seq, n)
             JOIN events USING (seq)
             WHERE space_id = $1
             ORDER BY n LIMIT $3",
            event_json::columns()
        ))
        .await?;
    let params: [&(dyn ToSql + Sync); 3] = [&space_id, &seqs, &size.rows];
    let rows = db.query_raw(&stmt, params).await?;
    let mut page = page(rows, size).await?;
    page.more |= page.events.len() < seqs.len();
    Ok(page)
}

/// The page `rows` holds within the byte budget of `size`: rows are taken as they arrive
/// until their size reaches the budget (the one that reaches it included), and the rest of
/// the response is left to be discarded.
async fn page(rows: RowStream, size: &mut PageSize) -> Result<Page, tokio_postgres::Error> {
    let mut rows = pin!(rows);
    let mut events = Vec::with_capacity(usize::try_from(size.rows).unwrap_or(0).min(256));
    let mut bytes: i64 = 0;
    let mut cut_by_bytes = false;
    while let Some(row) = rows.try_next().await? {
        let own = row.raw_size_bytes().saturating_add(ROW_OVERHEAD);
        bytes = bytes.saturating_add(i64::try_from(own).unwrap_or(i64::MAX));
        events.push(EventJson::from_row(&row));
        if bytes >= size.max_bytes {
            cut_by_bytes = true;
            break;
        }
    }
    let more = cut_by_bytes || events.len() as i64 >= size.rows;
    size.adapt(events.len(), cut_by_bytes);
    Ok(Page { events, more })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The benchmark compares the server with pgbench running the server's own SQL.
    #[test]
    fn pgbench_reads_the_page_the_server_reads() {
        let words = |sql: &str| {
            sql.replace('(', " ( ")
                .replace(')', " ) ")
                .replace(',', " , ")
                .split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        for script in [
            include_str!("../../benches/pgbench/read.sql"),
            include_str!("../../benches/pgbench/read_spread.sql"),
        ] {
            let start = script.find("SELECT event_id").expect("the page query");
            let page = &script[start..];
            let page = &page[..page.find(';').unwrap()];
            let page = page
                .replace(":space", "$1")
                .replace(":cursor", "$2")
                .replace("LIMIT 50", "LIMIT $3");
            assert_eq!(words(&page), words(&after_event_sql()));
        }
    }

    #[test]
    fn the_row_limit_follows_what_fits() {
        let mut size = PageSize::new(200, 1 << 20);
        size.adapt(3, true);
        assert_eq!(size.rows, 6);
        size.adapt(6, false);
        assert_eq!(size.rows, 12);
        size.adapt(2, false);
        assert_eq!(size.rows, 12, "a short last page changes nothing");
        for _ in 0..10 {
            size.adapt(size.rows as usize, false);
        }
        assert_eq!(size.rows, 200);
        size.adapt(0, true);
        assert_eq!(size.rows, 1, "never below one row");
        size.at_most(0);
        assert_eq!((size.rows, size.max_rows), (1, 1));
    }
}

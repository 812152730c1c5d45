//! Events read in pages bounded in bytes as well as in rows.
//!
//! An event can be about 250 KB, so a page of "200 events" may be 50 MB: every read that
//! can return many events (responses, stream replays, the live feed) asks for a page whose
//! rows add up to at most a byte budget. The database does the counting: a running sum of
//! each row's size over the page, in sequence order, keeps the rows that start within the
//! budget (the first row always, so a page is never empty while events remain). The size is
//! that of the stored text and JSON, uncompressed, so compressible content cannot slip past
//! (JSON escaping can still make a string up to six times longer than counted).
//!
//! Measuring a compressed row costs the database a conversion of its JSON to text, so a page
//! must not ask for many more rows than fit: [`PageSize`] adapts the row limit to what the
//! previous page held (twice what fit after a page cut by bytes, doubling after one cut by
//! rows).

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::{Row, types::ToSql};
use uuid::Uuid;

use super::events::{COLUMNS, EventRow};

/// About the bytes a row takes once rendered as JSON, minus the fixed fields. A JSON column
/// is measured by its stored (binary) size when it is not compressed, which costs nothing;
/// a compressed one is measured as text, since its stored size says nothing of what it
/// expands to.
const ROW_BYTES: &str = "(octet_length(text) + octet_length(speaker_id) \
     + octet_length(speaker_name) + 256 \
     + CASE WHEN pg_column_compression(refs) IS NULL THEN pg_column_size(refs) \
            ELSE octet_length(refs::text) END \
     + CASE WHEN pg_column_compression(metadata) IS NULL THEN pg_column_size(metadata) \
            ELSE octet_length(metadata::text) END)";

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
    pub events: Vec<EventRow>,
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
    db: &impl GenericClient,
    space_id: &str,
    scope: Scope,
    after: i64,
    through: i64,
    size: &mut PageSize,
) -> Result<Page, tokio_postgres::Error> {
    let filter = match scope {
        Scope::All => "TRUE",
        Scope::Between(..) => {
            "($6::timestamptz IS NULL OR created_at >= $6)
             AND ($7::timestamptz IS NULL OR created_at <= $7)"
        }
        Scope::Thread(_) => "thread_id = $6",
    };
    let stmt = db
        .prepare_cached(&bounded(
            &format!(
                "SELECT {COLUMNS}, {ROW_BYTES} AS own
                 FROM events
                 WHERE space_id = $1 AND seq > $2 AND seq <= $3 AND {filter}
                 ORDER BY seq LIMIT $4"
            ),
            "seq",
            "$5",
        ))
        .await?;
    let mut params: Vec<&(dyn ToSql + Sync)> =
        vec![&space_id, &after, &through, &size.rows, &size.max_bytes];
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
    let rows = db.query(&stmt, &params).await?;
    Ok(page(&rows, size))
}

/// The first page of the events of `space_id` after the event `after` (from the start
/// without one, or when it is not in the space); the cursor is looked up in the same
/// statement, so a page costs one round trip.
pub async fn after_event(
    db: &impl GenericClient,
    space_id: &str,
    after: Option<Uuid>,
    size: &mut PageSize,
) -> Result<Page, tokio_postgres::Error> {
    let stmt = db
        .prepare_cached(&bounded(
            &format!(
                "SELECT {COLUMNS}, {ROW_BYTES} AS own
                 FROM events
                 WHERE space_id = $1 AND seq > COALESCE(
                     (SELECT seq FROM events WHERE space_id = $1 AND event_id = $2), 0)
                 ORDER BY seq LIMIT $3"
            ),
            "seq",
            "$4",
        ))
        .await?;
    let rows = db
        .query(&stmt, &[&space_id, &after, &size.rows, &size.max_bytes])
        .await?;
    Ok(page(&rows, size))
}

/// The next page of the events of `space_id` with the sequence numbers `seqs`, in that
/// order: `Page::events.len()` of them are read, the caller continues with the rest.
pub async fn of_seqs(
    db: &impl GenericClient,
    space_id: &str,
    seqs: &[i64],
    size: &mut PageSize,
) -> Result<Page, tokio_postgres::Error> {
    let stmt = db
        .prepare_cached(&bounded(
            &format!(
                "SELECT {COLUMNS}, {ROW_BYTES} AS own, n
                 FROM unnest($2::bigint[]) WITH ORDINALITY AS wanted(seq, n)
                 JOIN events USING (seq)
                 WHERE space_id = $1
                 ORDER BY n LIMIT $3"
            ),
            "n",
            "$4",
        ))
        .await?;
    let rows = db
        .query(&stmt, &[&space_id, &seqs, &size.rows, &size.max_bytes])
        .await?;
    let mut page = page(&rows, size);
    page.more |= page.events.len() < seqs.len();
    Ok(page)
}

/// `inner` (limited, with an `own` size column) in `order`, cut where its running size
/// reaches the `budget` parameter, keeping the first row; `running` tells the caller where
/// the page ended.
fn bounded(inner: &str, order: &str, budget: &str) -> String {
    format!(
        "SELECT {COLUMNS}, running FROM (
             SELECT *, sum(own) OVER (ORDER BY {order} ROWS UNBOUNDED PRECEDING) AS running
             FROM ({inner}) limited
         ) page
         WHERE running - own < {budget}
         ORDER BY {order}"
    )
}

fn page(rows: &[Row], size: &mut PageSize) -> Page {
    let running = rows.last().map_or(0, |r| r.get::<_, i64>("running"));
    let cut_by_bytes = running >= size.max_bytes;
    let more = cut_by_bytes || rows.len() as i64 >= size.rows;
    size.adapt(rows.len(), cut_by_bytes);
    Page {
        events: rows.iter().map(EventRow::from_row).collect(),
        more,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

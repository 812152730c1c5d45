//! Splitting a migration into its statements and sending them one at a time: Citus refuses
//! `CREATE INDEX` and `ALTER TABLE … ADD CONSTRAINT` inside a multi-statement query string
//! ("cannot insert multiple commands into a prepared statement", citus #6608).
//!
//! A `;` ends a statement only in code: not inside a string (`'…'`, `E'…'` with backslash
//! escapes), a quoted identifier (`"…"`), a dollar-quoted body (`$$…$$`, `$tag$…$tag$`), or a
//! comment (`-- …`, `/* … */`, which nest). SQL-standard function bodies (`BEGIN ATOMIC … END`)
//! hold bare `;` and are not supported: write the body dollar-quoted (tests/sql_rules.rs
//! refuses them in migrations).

use refinery::Migration;
use tokio_postgres::Transaction;

/// The statements of a migration, in order, to be sent one at a time.
pub fn statements(migration: &Migration) -> Vec<String> {
    split(migration.sql().unwrap_or_default())
}

/// Run `migration` in `tx`, one statement at a time. Recording it in the history is the
/// caller's part.
pub async fn apply(
    tx: &Transaction<'_>,
    migration: &Migration,
) -> Result<(), tokio_postgres::Error> {
    for statement in statements(migration) {
        tx.batch_execute(&statement).await?;
    }
    Ok(())
}

/// The statements of `sql` in order, each without its terminating `;`, leading and trailing
/// whitespace trimmed; a piece with nothing but comments and whitespace is no statement.
pub fn split(sql: &str) -> Vec<String> {
    let code = mask(sql);
    let mut statements = Vec::new();
    let mut start = 0;
    let ends = code
        .match_indices(';')
        .map(|(i, _)| i)
        .chain(std::iter::once(sql.len()));
    for end in ends {
        if !code[start..end].trim().is_empty() {
            statements.push(sql[start..end].trim().to_string());
        }
        start = (end + 1).min(sql.len());
    }
    statements
}

/// `sql` with comments and the insides of strings, quoted identifiers and dollar-quoted
/// bodies replaced by spaces, byte for byte (the delimiters stay): what is left is code, at
/// the same offsets. Whatever is masked is whole characters between ASCII delimiters, so the
/// result is valid UTF-8.
pub fn mask(sql: &str) -> String {
    let bytes = sql.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        // The run at `i`: its opening and closing delimiters (kept) and its whole length.
        let (open, close, len) = if rest.starts_with(b"--") {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            (0, 0, end)
        } else if rest.starts_with(b"/*") {
            (0, 0, block_comment_len(rest))
        } else if rest[0] == b'\'' {
            let escapes = i > 0
                && matches!(bytes[i - 1], b'E' | b'e')
                && (i < 2 || !is_ident_byte(bytes[i - 2]));
            quoted(rest, b'\'', escapes)
        } else if rest[0] == b'"' {
            quoted(rest, b'"', false)
        } else if let Some(tag) = dollar_tag(bytes, i) {
            let t = tag.len();
            match find(&rest[t..], tag) {
                Some(at) => (t, t, t + at + t),
                None => (t, 0, rest.len()),
            }
        } else {
            i += 1;
            continue;
        };
        for b in &mut out[i + open..i + len - close] {
            *b = b' ';
        }
        i += len;
    }
    String::from_utf8(out).expect("only ASCII-delimited runs were masked")
}

/// The length of a `/* … */` comment at the start of `rest`, nesting as PostgreSQL does.
fn block_comment_len(rest: &[u8]) -> usize {
    let (mut depth, mut i) = (0usize, 0);
    while i < rest.len() {
        if rest[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if rest[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    rest.len()
}

/// The quoted run at the start of `rest` (opened by `quote`) as (open, close, length): a
/// doubled quote is an escaped one, as is a backslashed one in `E'…'`; unterminated, it runs
/// to the end.
fn quoted(rest: &[u8], quote: u8, backslash_escapes: bool) -> (usize, usize, usize) {
    let mut i = 1;
    while i < rest.len() {
        match rest[i] {
            b'\\' if backslash_escapes => i += 2,
            b if b == quote && rest.get(i + 1) == Some(&quote) => i += 2,
            b if b == quote => return (1, 1, i + 1),
            _ => i += 1,
        }
    }
    (1, 0, rest.len())
}

/// The `$tag$` opening a dollar-quoted body at `i`, if one does: not after an identifier
/// character (`a$b$` is an identifier) and not a parameter (`$1`).
fn dollar_tag(bytes: &[u8], i: usize) -> Option<&[u8]> {
    if bytes[i] != b'$' || (i > 0 && is_ident_byte(bytes[i - 1])) {
        return None;
    }
    let rest = &bytes[i + 1..];
    if rest.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let len = rest.iter().position(|&b| !is_ident_byte(b) || b == b'$')?;
    (rest[len] == b'$').then(|| &bytes[i..i + len + 2])
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_semicolons_in_code() {
        let sql = "CREATE TABLE a (x int);\nCREATE INDEX a_x ON a (x);\n\n-- the end\n";
        assert_eq!(
            split(sql),
            ["CREATE TABLE a (x int)", "CREATE INDEX a_x ON a (x)"]
        );
        assert_eq!(split("SELECT 1"), ["SELECT 1"], "no final semicolon");
        assert!(split("  ;\n-- nothing ; here\n/* nor ; here */;").is_empty());
    }

    #[test]
    fn keeps_semicolons_in_strings_identifiers_and_comments() {
        let sql = "INSERT INTO t VALUES ('a;b', 'it''s; fine');\n\
                   ALTER TABLE \"odd;name\" ADD COLUMN x int; -- done; really\n\
                   /* a ; /* nested ; */ still ; comment */ SELECT E'\\'; no end';\n\
                   SELECT 2";
        assert_eq!(
            split(sql),
            [
                "INSERT INTO t VALUES ('a;b', 'it''s; fine')",
                "ALTER TABLE \"odd;name\" ADD COLUMN x int",
                "-- done; really\n/* a ; /* nested ; */ still ; comment */ SELECT E'\\'; no end'",
                "SELECT 2",
            ]
        );
    }

    #[test]
    fn keeps_dollar_quoted_bodies_whole() {
        let body = "DO $$\nBEGIN\n  EXECUTE 'SELECT 1; SELECT 2';\n  PERFORM 3;\nEND\n$$";
        let tagged = "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$\n\
                      BEGIN RETURN $1 + (SELECT $$;$$::text = ';')::int; END\n$fn$";
        let sql = format!("{body};\n{tagged};\nSELECT a$b FROM t WHERE x = $1;");
        assert_eq!(
            split(&sql),
            [body, tagged, "SELECT a$b FROM t WHERE x = $1"]
        );
    }

    #[test]
    fn masks_only_what_is_not_code() {
        let sql = "ALTER TABLE \"a,b\" ADD CONSTRAINT c CHECK (x <> 'y,z'); -- a, b\n";
        let masked = mask(sql);
        assert_eq!(masked.len(), sql.len());
        assert_eq!(
            masked,
            "ALTER TABLE \"   \" ADD CONSTRAINT c CHECK (x <> '   ');        \n"
        );
        let text = "café — ok";
        assert_eq!(
            mask(&format!("SELECT '{text}'")),
            format!("SELECT '{}'", " ".repeat(text.len()))
        );
        // Unterminated runs mask to the end rather than panic.
        assert_eq!(mask("SELECT 'open"), "SELECT '    ");
        assert_eq!(mask("DO $x$ open"), "DO $x$     ");
    }

    /// Every migration that ships splits into statements that each parse back to the same
    /// text: nothing is lost between them.
    #[test]
    fn shipped_migrations_lose_nothing() {
        for dir in ["migrations", "tenant_migrations"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_none_or(|e| e != "sql") {
                    continue;
                }
                let sql = std::fs::read_to_string(&path).unwrap();
                let statements = split(&sql);
                assert!(!statements.is_empty(), "{}", path.display());
                let code: String = mask(&sql).split_whitespace().collect();
                let rejoined: String = statements
                    .iter()
                    .map(|s| mask(&format!("{s};")))
                    .collect::<String>()
                    .split_whitespace()
                    .collect();
                assert_eq!(code, rejoined, "{}", path.display());
            }
        }
    }
}

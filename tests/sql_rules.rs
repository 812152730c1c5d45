//! Time is a parameter (DESIGN.md, 2026-12-01): SQL never reads a clock or another volatile
//! function itself; the server reads the clock once and binds it. This keeps every statement
//! valid on Citus, which refuses volatile functions in distributed modifications and
//! non-immutable ones inside `CASE`/`COALESCE` of an `UPDATE` or `ON CONFLICT … DO UPDATE`,
//! and it makes the ordering explicit. Checked here on every SQL string literal under `src/`
//! (inside macros too) and on every migration, where only a column's `DEFAULT now()` is allowed.

use std::path::Path;

use proc_macro2::{TokenStream, TokenTree};
use regex::Regex;
use syn::visit::Visit;

/// Functions whose value changes within a statement or a transaction.
fn forbidden() -> Regex {
    Regex::new(
        r"(?i)\b(now|clock_timestamp|statement_timestamp|transaction_timestamp|timeofday|random|gen_random_uuid)\s*\(|\b(current_timestamp|current_time|current_date|localtimestamp|localtime)\b",
    )
    .unwrap()
}

/// The string literals of a Rust file, including those inside macro calls such as `format!`,
/// and excluding attributes (doc comments are prose, not SQL).
fn literals(source: &str) -> Vec<String> {
    struct Collect(Vec<String>);
    impl Visit<'_> for Collect {
        fn visit_lit_str(&mut self, lit: &syn::LitStr) {
            self.0.push(lit.value());
        }
        fn visit_attribute(&mut self, _: &syn::Attribute) {}
        fn visit_macro(&mut self, mac: &syn::Macro) {
            tokens(mac.tokens.clone(), &mut self.0);
        }
    }
    fn tokens(stream: TokenStream, out: &mut Vec<String>) {
        for tree in stream {
            match tree {
                TokenTree::Group(group) => tokens(group.stream(), out),
                TokenTree::Literal(lit) => {
                    if let Ok(lit) = syn::parse_str::<syn::LitStr>(&lit.to_string()) {
                        out.push(lit.value());
                    }
                }
                _ => {}
            }
        }
    }
    let file = syn::parse_file(source).expect("every file under src/ parses");
    let mut collect = Collect(Vec::new());
    collect.visit_file(&file);
    collect.0
}

/// The literals of `source` that call a forbidden function, or that modify rows and add or
/// subtract an `interval` (`timestamptz ± interval` is only stable: Citus refuses it in
/// `UPDATE … SET` and `ON CONFLICT … DO UPDATE SET`; compare a difference of two times, which
/// is immutable, with the interval instead).
fn offending_literals(source: &str) -> Vec<String> {
    let forbidden = forbidden();
    let update =
        Regex::new(r#"(?i)\bUPDATE\s+(ONLY\s+)?[\w."]+(\s+(AS\s+)?\w+)?\s+SET\b|\bDO\s+UPDATE\b"#)
            .unwrap();
    let interval = Regex::new(r"(?i)[-+]\s*interval\s*'|\binterval\s*'[^']*'\s*[-+]").unwrap();
    literals(source)
        .into_iter()
        .filter(|lit| forbidden.is_match(lit) || (update.is_match(lit) && interval.is_match(lit)))
        .collect()
}

/// The lines of a migration that call a forbidden function other than as a column default.
fn offending_lines(sql: &str) -> Vec<String> {
    let forbidden = forbidden();
    let default = Regex::new(r"(?i)\bDEFAULT\s+now\(\)").unwrap();
    sql.lines()
        .map(|line| line.split("--").next().unwrap_or_default())
        .filter(|line| forbidden.is_match(&default.replace_all(line, "")))
        .map(str::to_string)
        .collect()
}

fn files(dir: &Path, extension: &str, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, extension, out);
        } else if path.extension().is_some_and(|e| e == extension) {
            out.push(path);
        }
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn sql_in_src_reads_no_clock() {
    let mut paths = Vec::new();
    files(&root().join("src"), "rs", &mut paths);
    assert!(paths.len() > 50, "the walk found src/");
    let mut found = Vec::new();
    for path in paths {
        for lit in offending_literals(&std::fs::read_to_string(&path).unwrap()) {
            found.push(format!("{}: {lit}", path.display()));
        }
    }
    assert!(
        found.is_empty(),
        "SQL that reads a clock or another volatile function (bind the value instead):\n{}",
        found.join("\n---\n")
    );
}

#[test]
fn migrations_read_no_clock_but_in_column_defaults() {
    let mut paths = Vec::new();
    files(&root().join("migrations"), "sql", &mut paths);
    files(&root().join("tenant_migrations"), "sql", &mut paths);
    assert!(paths.len() >= 4, "the walk found the migrations");
    let mut found = Vec::new();
    for path in paths {
        for line in offending_lines(&std::fs::read_to_string(&path).unwrap()) {
            found.push(format!("{}: {line}", path.display()));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The checks find what they are for, so the tests above cannot pass by finding nothing.
#[test]
fn the_checks_find_clock_reads() {
    let source = r#"
        /// Doc comments may say now() freely.
        fn f() {
            let a = "UPDATE t SET at = now() WHERE id = $1";
            let b = format!("UPDATE t SET at = CLOCK_TIMESTAMP() WHERE {}", 1);
            let c = "SELECT * FROM t WHERE at < current_timestamp";
            let d = "UPDATE t SET at = $2 WHERE id = $1";
            let e = chrono::Utc::now();
            let f = "utcnow() is not SQL";
            let g = "INSERT INTO k VALUES ($1) ON CONFLICT (id) DO UPDATE SET at =
                         CASE WHEN k.at < $2 - interval '1 day' THEN $2 ELSE k.at END";
            let h = "SELECT * FROM t WHERE at > $1 - interval '1 day' FOR UPDATE";
            let i = "UPDATE convo.t AS x SET at = $1 + interval '1 day'";
            let j = "UPDATE t SET x = CASE WHEN $1 - at > interval '1 day' THEN 1 ELSE x END";
        }
    "#;
    let found = offending_literals(source);
    assert_eq!(found.len(), 5, "{found:?}");
    assert!(found[3].contains("DO UPDATE"), "{found:?}");
    assert!(found[1].starts_with("UPDATE t SET at = CLOCK_TIMESTAMP()"));
    let sql = "created_at timestamptz NOT NULL DEFAULT now(),\n\
               UPDATE x SET at = now(); -- a backfill\n\
               -- a comment may say now()\n";
    assert_eq!(offending_lines(sql), ["UPDATE x SET at = now(); "]);
}

//! Migrations that Citus can run on a distributed schema (docs/citus.md): every constraint an
//! `ALTER TABLE` adds is named ("all constraints in Citus must have explicit names"), an
//! `ALTER TABLE` has one subcommand ("cannot execute ADD CONSTRAINT command with other
//! subcommands"), every index is named, and no function body is SQL-standard (`BEGIN ATOMIC`
//! holds bare `;`, which the statement splitter would cut). Statements are read as the runner
//! sends them ([`migrations::split`]), with comments and quoted text masked; SQL run from
//! inside a dollar-quoted body (`DO $$ … $$`, `EXECUTE`) is text to them and is not read.
//!
//! A shipped migration cannot be edited (its checksum is recorded), so a control-plane one
//! that breaks a rule is listed in [`EXCEPTIONS`] with the reason it can never meet Citus's
//! distributed schemas. Tenant migrations have no exceptions.

use std::path::{Path, PathBuf};

use convo::tenancy::migrations;

/// Files that break a rule and why that is safe, relative to the crate root.
const EXCEPTIONS: &[(&str, &str)] = &[(
    "migrations/V3__installations.sql",
    "control plane: the `convo` schema is created and migrated with \
     citus.enable_schema_based_sharding off, so its tables stay plain tables on the \
     coordinator, where PostgreSQL's own rules apply; shipped, so it cannot change",
)];

/// A statement's code at parenthesis depth 0, in upper case: words, `,` and other
/// punctuation, each parenthesised group as one `()`.
fn tokens(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut depth = 0usize;
    let mut quote = None;
    for c in code.chars() {
        // A quoted name or string (masked inside) is one word, spaces and all.
        if let Some(q) = quote {
            if depth == 0 {
                word.push(c);
            }
            if c == q {
                quote = None;
            }
            continue;
        }
        if matches!(c, '"' | '\'') {
            quote = Some(c);
        }
        let in_word = c.is_alphanumeric() || matches!(c, '_' | '$' | '"' | '\'' | '.');
        if depth == 0 && in_word {
            word.push(c.to_ascii_uppercase());
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        match c {
            '(' => {
                if depth == 0 {
                    out.push("()".to_string());
                }
                depth += 1;
            }
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 && !c.is_whitespace() => out.push(c.to_string()),
            _ => {}
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Keywords that begin a constraint (a `REFERENCES` after `FOREIGN KEY (…)` continues one).
const CONSTRAINT_STARTS: &[&str] = &[
    "CHECK",
    "UNIQUE",
    "PRIMARY",
    "FOREIGN",
    "EXCLUDE",
    "REFERENCES",
];

/// The constraints among `tokens` (one subcommand) not preceded by `CONSTRAINT <name>`.
fn unnamed_constraints(tokens: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if !CONSTRAINT_STARTS.contains(&token.as_str()) {
            continue;
        }
        if token == "REFERENCES" && i >= 3 && tokens[i - 3..i] == ["FOREIGN", "KEY", "()"] {
            continue;
        }
        if i < 2 || tokens[i - 2] != "CONSTRAINT" {
            found.push(format!(
                "an unnamed {token} constraint (name it: ADD CONSTRAINT <name> …)"
            ));
        }
    }
    found
}

/// What Citus would refuse in one statement.
fn statement_problems(statement: &str) -> Vec<String> {
    let tokens = tokens(&migrations::mask(statement));
    let starts = |words: &[&str]| tokens.len() >= words.len() && tokens[..words.len()] == *words;
    let mut problems = Vec::new();
    if starts(&["ALTER", "TABLE"]) {
        let subcommands: Vec<&[String]> = tokens.split(|t| t == ",").collect();
        if subcommands.len() > 1 {
            problems.push(format!(
                "an ALTER TABLE with {} subcommands (one per statement)",
                subcommands.len()
            ));
        }
        for subcommand in subcommands {
            problems.extend(unnamed_constraints(subcommand));
        }
    }
    if starts(&["CREATE", "INDEX"]) || starts(&["CREATE", "UNIQUE", "INDEX"]) {
        let name = tokens
            .iter()
            .skip_while(|t| *t != "INDEX")
            .skip(1)
            .find(|t| !matches!(t.as_str(), "CONCURRENTLY" | "IF" | "NOT" | "EXISTS"));
        if name.is_none_or(|t| t == "ON") {
            problems.push("an index without a name".to_string());
        }
    }
    if tokens.windows(2).any(|w| w == ["BEGIN", "ATOMIC"]) {
        problems.push("a BEGIN ATOMIC body (write the body dollar-quoted)".to_string());
    }
    problems
}

/// Every problem of a migration file, with the statement it is in.
fn file_problems(sql: &str) -> Vec<String> {
    migrations::split(sql)
        .iter()
        .flat_map(|statement| {
            statement_problems(statement)
                .into_iter()
                .map(move |problem| format!("{problem}:\n    {statement}"))
        })
        .collect()
}

fn migration_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<PathBuf> = ["migrations", "tenant_migrations"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).unwrap())
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "sql"))
        .collect();
    paths.sort();
    paths
}

fn relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root).unwrap().display().to_string()
}

#[test]
fn migrations_follow_the_citus_rules() {
    let paths = migration_files();
    assert!(paths.len() >= 9, "the walk found the migrations");
    let mut found = Vec::new();
    for path in &paths {
        let name = relative(path);
        let problems = file_problems(&std::fs::read_to_string(path).unwrap());
        let excepted = EXCEPTIONS.iter().any(|(file, _)| *file == name);
        if excepted {
            // An exception that no longer applies is removed, so the list stays true.
            assert!(
                !problems.is_empty(),
                "{name} is listed as an exception but passes"
            );
        } else {
            found.extend(problems.into_iter().map(|p| format!("{name}: {p}")));
        }
    }
    assert!(
        found.is_empty(),
        "migrations Citus cannot run on a distributed schema (docs/citus.md):\n{}",
        found.join("\n")
    );
}

#[test]
fn only_control_plane_migrations_are_excepted() {
    for (file, reason) in EXCEPTIONS {
        assert!(
            file.starts_with("migrations/"),
            "{file}: tenant schemas are distributed"
        );
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(file).exists(),
            "{file}"
        );
        assert!(!reason.is_empty());
    }
}

/// The rules find what they are for, so the test above cannot pass by finding nothing.
#[test]
fn the_rules_refuse_bad_migrations() {
    let bad = [
        ("ALTER TABLE t ADD COLUMN a int, ADD COLUMN b int", 1),
        ("ALTER TABLE t ADD CHECK (a > 0)", 1),
        ("ALTER TABLE t ADD UNIQUE (a, b)", 1),
        ("ALTER TABLE t ADD PRIMARY KEY (a)", 1),
        ("ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES p (a)", 1),
        ("alter table t add column a int references p", 1),
        (
            "ALTER TABLE t ADD COLUMN a int NOT NULL DEFAULT 0 CHECK (a IN (0, 1))",
            1,
        ),
        // Two subcommands, one of them an unnamed constraint: both reported.
        (
            "ALTER TABLE t ADD COLUMN a int, ADD CONSTRAINT c CHECK (a > 0)",
            1,
        ),
        (
            "ALTER TABLE t ADD COLUMN a int CHECK (a > 0), ADD COLUMN b int",
            2,
        ),
        ("CREATE INDEX ON t (a)", 1),
        ("CREATE UNIQUE INDEX CONCURRENTLY ON t (a)", 1),
        (
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END",
            1,
        ),
    ];
    for (sql, count) in bad {
        let problems: Vec<String> = migrations::split(sql)
            .iter()
            .flat_map(|s| statement_problems(s))
            .collect();
        assert!(problems.len() >= count, "{sql} passed: {problems:?}");
    }
    let good = [
        "ALTER TABLE t ADD COLUMN a int",
        "ALTER TABLE t ADD COLUMN a numeric(10, 2) NOT NULL DEFAULT 0",
        "ALTER TABLE t ADD CONSTRAINT t_a_positive CHECK (a > 0 AND b IN (1, 2)) NOT VALID",
        "ALTER TABLE t ADD COLUMN a int CONSTRAINT t_a_fk REFERENCES p (a) ON DELETE CASCADE",
        "ALTER TABLE t ADD CONSTRAINT t_fk FOREIGN KEY (a, b) REFERENCES p (a, b)",
        "ALTER TABLE t ADD CONSTRAINT \"odd, name\" UNIQUE (a)",
        "ALTER TABLE t ALTER COLUMN a SET DEFAULT 'x, check'",
        "ALTER TABLE t VALIDATE CONSTRAINT t_a_positive",
        "ALTER TABLE t DROP CONSTRAINT t_a_positive -- , ADD CHECK (a > 0)",
        "CREATE TABLE t (a int PRIMARY KEY, b int UNIQUE CHECK (b > 0), c int REFERENCES p)",
        "CREATE INDEX t_a_idx ON t (a)",
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_a_idx ON t (a)",
    ];
    for sql in good {
        let problems: Vec<String> = migrations::split(sql)
            .iter()
            .flat_map(|s| statement_problems(s))
            .collect();
        assert!(problems.is_empty(), "{sql}: {problems:?}");
    }
    // A whole file as the test above reads it.
    let file =
        "-- adds a column\nALTER TABLE t ADD COLUMN a int;\nALTER TABLE t ADD CHECK (a > 0);\n";
    let problems = file_problems(file);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("unnamed CHECK"), "{problems:?}");
}

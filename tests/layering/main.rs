//! The module graph of src/ is a DAG and follows the layer table: a module imports only
//! modules in layers below its own. Written on `syn` rather than `cargo modules` so CI does not
//! compile a tool; `src/lib.rs`'s module map mirrors the table.

mod graph;

use std::collections::BTreeSet;
use std::path::Path;

use graph::{Graph, ModPath, show};

/// Top-level modules, highest layer first. A module may import modules in later rows only;
/// modules in one row are peers and do not import each other.
const LAYERS: &[&[&str]] = &[
    &["main"],
    &["cli"],
    &["app"],
    &["route_template"],
    &["api"],
    &["tenant_lifecycle"],
    &["auth", "group_commit", "summary", "connection"],
    &["realtime"],
    &["store"],
    &["tenancy"],
    &["db", "telemetry"],
    &["config"],
    &["error", "metrics", "memory_bounds"],
    &["domain"],
];

fn layer_of(top: &str) -> Option<usize> {
    LAYERS.iter().position(|row| row.contains(&top))
}

fn top(module: &ModPath) -> &str {
    module.first().map_or("crate", String::as_str)
}

/// Imports that go up the table or sideways within a row, and modules missing from it.
fn layer_violations(graph: &Graph) -> Vec<String> {
    let mut problems = BTreeSet::new();
    for (from, targets) in &graph.edges {
        if from.is_empty() {
            continue;
        }
        let Some(from_layer) = layer_of(top(from)) else {
            problems.insert(format!("`{}` is not in the layer table", top(from)));
            continue;
        };
        for to in targets {
            if top(to) == top(from) {
                continue;
            }
            match layer_of(top(to)) {
                None => problems.insert(format!("`{}` is not in the layer table", top(to))),
                Some(to_layer) if to_layer <= from_layer => problems.insert(format!(
                    "{} imports {}: `{}` is not below `{}` in the layer table",
                    show(from),
                    show(to),
                    top(to),
                    top(from)
                )),
                Some(_) => false,
            };
        }
    }
    problems.into_iter().collect()
}

fn read_sources(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src/")
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            read_sources(&path, root, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let relative = path.strip_prefix(root).expect("under src/");
            let source = std::fs::read_to_string(&path).expect("read a source file");
            out.push((relative.to_string_lossy().replace('\\', "/"), source));
        }
    }
}

fn crate_graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = Vec::new();
    read_sources(&src, &src, &mut sources);
    graph::build(&sources).expect("every file under src/ parses")
}

#[test]
fn the_module_graph_has_no_cycle() {
    let cycles = graph::cycles(&crate_graph());
    let shown: Vec<String> = cycles
        .iter()
        .map(|(cycle, files)| {
            let cycle: Vec<String> = cycle.iter().map(show).collect();
            let files: Vec<String> = files.iter().map(show).collect();
            format!(
                "{}\n  (all {} files of this cycle: {})",
                cycle.join(" → "),
                files.len(),
                files.join(", ")
            )
        })
        .collect();
    assert!(
        shown.is_empty(),
        "import cycles between modules:\n{}",
        shown.join("\n")
    );
}

#[test]
fn every_import_goes_down_the_layer_table() {
    let problems = layer_violations(&crate_graph());
    assert!(
        problems.is_empty(),
        "layering violations:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_crate_map_lists_the_layers() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("read src/lib.rs");
    for row in LAYERS {
        let line = row
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ");
        assert!(
            lib.contains(&line),
            "src/lib.rs's layer map lacks the row {line}"
        );
    }
}

#[cfg(test)]
mod checker {
    use super::*;

    fn graph_of(files: &[(&str, &str)]) -> Graph {
        let sources: Vec<(String, String)> = files
            .iter()
            .map(|(p, s)| (p.to_string(), s.to_string()))
            .collect();
        graph::build(&sources).expect("the sources parse")
    }

    fn edges(graph: &Graph) -> Vec<String> {
        let mut out = Vec::new();
        for (from, targets) in &graph.edges {
            for to in targets {
                out.push(format!("{} -> {}", show(from), show(to)));
            }
        }
        out
    }

    #[test]
    fn a_cycle_through_a_re_export_is_found() {
        let graph = graph_of(&[
            ("lib.rs", "pub mod a; pub mod b;"),
            ("a/mod.rs", "mod inner; pub use inner::Thing;"),
            ("a/inner.rs", "pub struct Thing(crate::b::Other);"),
            (
                "b.rs",
                "use crate::a::Thing; pub struct Other; fn f(_: Thing) {}",
            ),
        ]);
        let cycles = graph::cycles(&graph);
        assert_eq!(cycles.len(), 1, "{:?}", edges(&graph));
        let shown: Vec<String> = cycles[0].0.iter().map(show).collect();
        assert_eq!(shown.first(), shown.last());
        assert!(shown.contains(&"a::inner".to_owned()) && shown.contains(&"b".to_owned()));
    }

    #[test]
    fn a_clean_graph_passes_and_mod_declarations_are_not_edges() {
        let graph = graph_of(&[
            ("lib.rs", "pub mod a; pub mod b;"),
            ("a/mod.rs", "mod inner; pub fn f() { inner::g(); }"),
            (
                "a/inner.rs",
                "use super::super::b::{self, Low}; pub fn g() { b::h(); }",
            ),
            (
                "b.rs",
                "pub struct Low; pub fn h() { let _ = format!(\"{}\", 1); }",
            ),
        ]);
        assert!(graph::cycles(&graph).is_empty());
        assert_eq!(edges(&graph), ["a -> a::inner", "a::inner -> b"]);
    }

    #[test]
    fn paths_in_code_macros_and_nested_groups_are_edges() {
        let graph = graph_of(&[
            ("lib.rs", "pub mod a; pub mod b; pub mod c; pub mod d;"),
            (
                "a.rs",
                "use crate::{b::{X, self as bee}, c::*}; fn f() { matches!(1, crate::d::K); }",
            ),
            ("b.rs", "pub struct X;"),
            ("c.rs", "pub struct Y;"),
            (
                "d.rs",
                "pub const K: u8 = 1; mod tests { use super::super::a; }",
            ),
        ]);
        assert_eq!(edges(&graph), ["a -> b", "a -> c", "a -> d", "d -> a"]);
        assert_eq!(graph::cycles(&graph).len(), 1);
    }

    #[test]
    fn an_import_up_the_table_is_refused() {
        let graph = graph_of(&[
            ("lib.rs", "pub mod api; pub mod store;"),
            ("api.rs", "pub struct Page;"),
            ("store.rs", "use crate::api::Page;"),
        ]);
        let problems = layer_violations(&graph);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("store imports api"), "{problems:?}");
    }
}

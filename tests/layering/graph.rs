//! The crate's module graph, built from source with `syn`: one node per file, an edge for
//! every `use` and every path that names another file's module (through `pub use`
//! re-exports to where the item is defined). Declaring `mod child;` is not an edge.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// A module path from the crate root, e.g. `["api", "event"]`; the root is `[]`.
pub type ModPath = Vec<String>;

/// Re-export chains longer than this are taken as a loop in the resolver, not in the crate.
const MAX_ALIAS_DEPTH: usize = 16;

#[derive(Default)]
struct Scope {
    /// `use` leaves in this module: the name they bind → the absolute path they name.
    aliases: HashMap<String, ModPath>,
}

pub struct Graph {
    /// Every file module, e.g. `["api", "event"]` for src/api/event.rs.
    pub files: BTreeSet<ModPath>,
    /// file → the files it imports (never itself).
    pub edges: BTreeMap<ModPath, BTreeSet<ModPath>>,
}

/// The module a source file defines: `lib.rs` is the root, `a/mod.rs` and `a.rs` are `a`.
/// `main.rs` is the binary: a node of its own, `main`, whose `convo::` paths name the library.
pub fn file_module(relative: &str) -> ModPath {
    let without_ext = relative.trim_end_matches(".rs");
    let mut parts: ModPath = without_ext.split('/').map(str::to_owned).collect();
    if parts
        .last()
        .is_some_and(|last| last == "mod" || last == "lib")
    {
        parts.pop();
    }
    parts
}

/// Builds the graph from `(path relative to src/, source)` pairs.
pub fn build(sources: &[(String, String)]) -> Result<Graph, String> {
    let mut parsed = Vec::new();
    for (relative, source) in sources {
        let file = syn::parse_file(source).map_err(|err| format!("{relative}: {err}"))?;
        parsed.push((file_module(relative), file));
    }
    let mut modules = BTreeSet::new();
    let mut scopes: HashMap<ModPath, Scope> = HashMap::new();
    let mut references: Vec<(ModPath, ModPath)> = Vec::new();
    for (module, file) in &parsed {
        let mut collector = Collector {
            stack: vec![module.clone()],
            modules: &mut modules,
            scopes: &mut scopes,
            references: &mut references,
        };
        collector.modules.insert(module.clone());
        collector.visit_file(file);
    }
    let files: BTreeSet<ModPath> = parsed.iter().map(|(module, _)| module.clone()).collect();
    let resolver = Resolver {
        modules: &modules,
        scopes: &scopes,
        files: &files,
    };
    let mut edges: BTreeMap<ModPath, BTreeSet<ModPath>> =
        files.iter().map(|f| (f.clone(), BTreeSet::new())).collect();
    for (scope, path) in &references {
        let Some(absolute) = resolver.absolute(scope, path) else {
            continue;
        };
        let Some(target) = resolver.locate(&absolute, 0) else {
            continue;
        };
        let from = resolver.file_of(scope);
        if target != from && !target.is_empty() {
            edges
                .get_mut(&from)
                .expect("every scope lies in a file")
                .insert(target);
        }
    }
    Ok(Graph { files, edges })
}

/// Walks one file: records its (inline) modules, the names its `use`s bind, and every path.
struct Collector<'a> {
    stack: Vec<ModPath>,
    modules: &'a mut BTreeSet<ModPath>,
    scopes: &'a mut HashMap<ModPath, Scope>,
    references: &'a mut Vec<(ModPath, ModPath)>,
}

impl Collector<'_> {
    fn current(&self) -> ModPath {
        self.stack.last().expect("the file scope").clone()
    }

    fn reference(&mut self, path: ModPath) {
        let scope = self.current();
        self.references.push((scope, path));
    }

    fn use_tree(&mut self, prefix: &ModPath, tree: &syn::UseTree) {
        let mut path = prefix.clone();
        match tree {
            syn::UseTree::Path(p) => {
                path.push(p.ident.to_string());
                self.use_tree(&path, &p.tree);
            }
            syn::UseTree::Name(n) => {
                let name = n.ident.to_string();
                if name != "self" {
                    path.push(name.clone());
                }
                let bound = if name == "self" {
                    prefix.last().cloned().unwrap_or_default()
                } else {
                    name
                };
                self.bind(bound, path);
            }
            syn::UseTree::Rename(r) => {
                if r.ident != "self" {
                    path.push(r.ident.to_string());
                }
                self.bind(r.rename.to_string(), path);
            }
            syn::UseTree::Glob(_) => self.reference(path),
            syn::UseTree::Group(g) => {
                for item in &g.items {
                    self.use_tree(prefix, item);
                }
            }
        }
    }

    fn bind(&mut self, name: String, path: ModPath) {
        let scope = self.current();
        self.scopes
            .entry(scope)
            .or_default()
            .aliases
            .insert(name, path.clone());
        self.reference(path);
    }

    /// Paths inside macro calls (`format!`, `matches!`, `#[oai(...)]`…) are plain tokens.
    fn macro_tokens(&mut self, tokens: TokenStream) {
        let mut flat = Vec::new();
        flatten(tokens, &mut flat);
        let mut i = 0;
        while i < flat.len() {
            let starts_path = matches!(&flat[i], Flat::Ident(_))
                && (i < 2 || !matches!((&flat[i - 2], &flat[i - 1]), (Flat::Colon, Flat::Colon)));
            if !starts_path {
                i += 1;
                continue;
            }
            let mut path = Vec::new();
            let mut j = i;
            while let Flat::Ident(name) = &flat[j] {
                path.push(name.clone());
                let colons = matches!(flat.get(j + 1), Some(Flat::Colon))
                    && matches!(flat.get(j + 2), Some(Flat::Colon));
                if !colons || !matches!(flat.get(j + 3), Some(Flat::Ident(_))) {
                    break;
                }
                j += 3;
            }
            if path.len() > 1 {
                self.reference(path);
            }
            i = j + 1;
        }
    }
}

enum Flat {
    Ident(String),
    Colon,
    Other,
}

fn flatten(tokens: TokenStream, out: &mut Vec<Flat>) {
    for token in tokens {
        match token {
            TokenTree::Group(group) => {
                out.push(Flat::Other);
                flatten(group.stream(), out);
                out.push(Flat::Other);
            }
            TokenTree::Ident(ident) => out.push(Flat::Ident(ident.to_string())),
            TokenTree::Punct(punct) if punct.as_char() == ':' => out.push(Flat::Colon),
            _ => out.push(Flat::Other),
        }
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        let mut module = self.current();
        module.push(item.ident.to_string());
        self.modules.insert(module.clone());
        if let Some((_, items)) = &item.content {
            self.stack.push(module);
            for attr in &item.attrs {
                self.visit_attribute(attr);
            }
            for inner in items {
                self.visit_item(inner);
            }
            self.stack.pop();
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.reference(segments);
        syn::visit::visit_path(self, path);
    }

    // `pub(in crate::x)` limits who may see an item; it does not use `x`.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.macro_tokens(mac.tokens.clone());
        syn::visit::visit_macro(self, mac);
    }

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        if let syn::Meta::List(list) = &attr.meta {
            self.macro_tokens(list.tokens.clone());
        }
    }
}

struct Resolver<'a> {
    modules: &'a BTreeSet<ModPath>,
    scopes: &'a HashMap<ModPath, Scope>,
    files: &'a BTreeSet<ModPath>,
}

impl Resolver<'_> {
    /// The path from the crate root that `path`, written in module `scope`, names; `None` for
    /// paths into other crates, the prelude, generics or locals.
    fn absolute(&self, scope: &ModPath, path: &ModPath) -> Option<ModPath> {
        self.absolute_within(scope, path, 0)
    }

    fn absolute_within(&self, scope: &ModPath, path: &ModPath, depth: usize) -> Option<ModPath> {
        let first = path.first()?;
        let mut base = match first.as_str() {
            "crate" => Vec::new(),
            "convo" if scope.first().is_some_and(|s| s == "main") => Vec::new(),
            "self" => scope.clone(),
            "super" => {
                let mut base = scope.clone();
                let mut rest = path.iter().peekable();
                while rest.peek().is_some_and(|s| *s == "super") {
                    base.pop()?;
                    rest.next();
                }
                base.extend(rest.cloned());
                return Some(base);
            }
            _ => {
                let mut child = scope.clone();
                child.push(first.clone());
                if self.modules.contains(&child) {
                    child.extend(path[1..].iter().cloned());
                    return Some(child);
                }
                let alias = self.scopes.get(scope)?.aliases.get(first)?;
                // `use anyhow::anyhow;`: a `use` path never starts at the name it binds.
                if depth >= MAX_ALIAS_DEPTH || alias.first() == Some(first) {
                    return None;
                }
                let mut target = self.absolute_within(scope, alias, depth + 1)?;
                target.extend(path[1..].iter().cloned());
                return Some(target);
            }
        };
        base.extend(path[1..].iter().cloned());
        Some(base)
    }

    /// The file that defines what an absolute path names, following re-exports.
    fn locate(&self, path: &[String], depth: usize) -> Option<ModPath> {
        let mut current: ModPath = Vec::new();
        for (i, segment) in path.iter().enumerate() {
            let mut child = current.clone();
            child.push(segment.clone());
            if self.modules.contains(&child) {
                current = child;
                continue;
            }
            let alias = self
                .scopes
                .get(&current)
                .and_then(|s| s.aliases.get(segment));
            if let Some(alias) = alias.filter(|_| depth < MAX_ALIAS_DEPTH) {
                let mut target = self.absolute(&current, alias)?;
                target.extend(path[i + 1..].iter().cloned());
                return self
                    .locate(&target, depth + 1)
                    .or(Some(self.file_of(&current)));
            }
            break;
        }
        Some(self.file_of(&current))
    }

    fn file_of(&self, module: &ModPath) -> ModPath {
        let mut module = module.clone();
        while !self.files.contains(&module) && !module.is_empty() {
            module.pop();
        }
        module
    }
}

/// Every strongly connected component with more than one file: a shortest cycle through
/// its first file, and all its files.
pub fn cycles(graph: &Graph) -> Vec<(Vec<ModPath>, Vec<ModPath>)> {
    let mut found = Vec::new();
    let mut seen: BTreeSet<&ModPath> = BTreeSet::new();
    for start in &graph.files {
        if seen.contains(start) {
            continue;
        }
        let reach_from = reachable(graph, start, false);
        let reach_to = reachable(graph, start, true);
        let component: BTreeSet<&ModPath> = reach_from.intersection(&reach_to).copied().collect();
        seen.extend(component.iter().copied());
        if component.len() > 1 {
            let files = component.iter().map(|&f| f.clone()).collect();
            found.push((cycle_through(graph, start, &component), files));
        }
    }
    found
}

fn reachable<'g>(graph: &'g Graph, start: &'g ModPath, reverse: bool) -> BTreeSet<&'g ModPath> {
    let mut seen = BTreeSet::from([start]);
    let mut todo = vec![start];
    while let Some(node) = todo.pop() {
        let next: Vec<&ModPath> = if reverse {
            graph
                .edges
                .iter()
                .filter(|(_, to)| to.contains(node))
                .map(|(from, _)| from)
                .collect()
        } else {
            graph.edges[node].iter().collect()
        };
        for n in next {
            if seen.insert(n) {
                todo.push(n);
            }
        }
    }
    seen
}

/// A shortest cycle from `start` back to itself inside its component (breadth first).
fn cycle_through(graph: &Graph, start: &ModPath, component: &BTreeSet<&ModPath>) -> Vec<ModPath> {
    let mut parent: HashMap<&ModPath, &ModPath> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for next in &graph.edges[node] {
            if !component.contains(next) {
                continue;
            }
            if next == start {
                let mut cycle = vec![node.clone()];
                let mut at = node;
                while at != start {
                    at = parent[at];
                    cycle.push(at.clone());
                }
                cycle.reverse();
                cycle.push(start.clone());
                return cycle;
            }
            if !parent.contains_key(next) && next != start {
                parent.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    unreachable!("a component with more than one node has a cycle through each node")
}

/// `api::events` for display; the crate root is `crate`.
pub fn show(module: &ModPath) -> String {
    if module.is_empty() {
        "crate".to_owned()
    } else {
        module.join("::")
    }
}

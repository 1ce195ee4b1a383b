//! Table dependencies as a graph: the cycles, for diagnostics.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Table;

/// Each elementary cycle found by a depth-first search, as table names in edge order,
/// rotated to start at its smallest name; sorted and without repeats.
pub fn cycles(tables: &[Table]) -> Vec<Vec<String>> {
    let edges: BTreeMap<&str, Vec<&str>> = tables
        .iter()
        .map(|t| {
            (
                t.name.as_str(),
                t.depends_on.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    let mut found: BTreeSet<Vec<String>> = BTreeSet::new();
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    for start in edges.keys() {
        let mut path = Vec::new();
        visit(start, &edges, &mut state, &mut path, &mut found);
    }
    found.into_iter().collect()
}

fn visit<'a>(
    node: &'a str,
    edges: &BTreeMap<&'a str, Vec<&'a str>>,
    state: &mut BTreeMap<&'a str, u8>,
    path: &mut Vec<&'a str>,
    found: &mut BTreeSet<Vec<String>>,
) {
    match state.get(node) {
        Some(2) => return,
        Some(1) => {
            let at = path.iter().position(|n| *n == node).expect("on the path");
            let mut cycle: Vec<String> = path[at..].iter().map(|s| s.to_string()).collect();
            let min = cycle
                .iter()
                .enumerate()
                .min_by_key(|(_, n)| n.as_str())
                .map_or(0, |(i, _)| i);
            cycle.rotate_left(min);
            found.insert(cycle);
            return;
        }
        _ => {}
    }
    state.insert(node, 1);
    path.push(node);
    for next in edges.get(node).into_iter().flatten() {
        if edges.contains_key(next) {
            visit(next, edges, state, path, found);
        }
    }
    path.pop();
    state.insert(node, 2);
}

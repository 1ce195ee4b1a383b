//! Table dependencies as a graph: the cycles, for diagnostics. The walk is iterative, so
//! a chain of any length cannot overflow the stack.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Table;

/// Each cycle a depth-first search closes, as table names in edge order, rotated to
/// start at its smallest name; sorted and without repeats.
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
    // 1: on the current path, 2: finished.
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    for start in edges.keys() {
        if state.contains_key(start) {
            continue;
        }
        let mut path: Vec<(&str, usize)> = vec![(start, 0)];
        state.insert(start, 1);
        while let Some((node, next)) = path.last_mut() {
            let targets = &edges[*node];
            let Some(&target) = targets.get(*next) else {
                state.insert(node, 2);
                path.pop();
                continue;
            };
            *next += 1;
            match state.get(target) {
                _ if !edges.contains_key(target) => {}
                Some(2) => {}
                Some(_) => {
                    found.insert(cycle(&path, target));
                }
                None => {
                    state.insert(target, 1);
                    path.push((target, 0));
                }
            }
        }
    }
    found.into_iter().collect()
}

/// The cycle that `target` (on the path) closes, rotated to its smallest name.
fn cycle(path: &[(&str, usize)], target: &str) -> Vec<String> {
    let at = path
        .iter()
        .position(|(n, _)| *n == target)
        .expect("on the path");
    let mut cycle: Vec<String> = path[at..].iter().map(|(n, _)| n.to_string()).collect();
    let min = cycle
        .iter()
        .enumerate()
        .min_by_key(|(_, n)| n.as_str())
        .map_or(0, |(i, _)| i);
    cycle.rotate_left(min);
    cycle
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Period, Shape};

    fn table(name: &str, deps: &[&str]) -> Table {
        Table {
            name: name.into(),
            file: 0,
            pointer: String::new(),
            shape: Shape::Keyed,
            period: Period::Month,
            archive_before: 1,
            target_bucket: None,
            target_key: String::new(),
            depends_on: deps.iter().map(|d| d.to_string()).collect(),
            retention_acknowledged: None,
            lifecycles: Vec::new(),
        }
    }

    #[test]
    fn cycles_are_found_and_rotated() {
        let tables = [
            table("b", &["c"]),
            table("c", &["a"]),
            table("a", &["b"]),
            table("d", &["a"]),
        ];
        assert_eq!(cycles(&tables), vec![vec!["a", "b", "c"]]);
    }

    #[test]
    fn a_long_chain_does_not_overflow_the_stack() {
        let names: Vec<String> = (0..200_000).map(|i| format!("t{i:06}")).collect();
        let mut tables: Vec<Table> = names
            .windows(2)
            .map(|w| table(&w[0], &[w[1].as_str()]))
            .collect();
        tables.push(table(&names[names.len() - 1], &[names[0].as_str()]));
        let found = cycles(&tables);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].len(), 200_000);
    }
}

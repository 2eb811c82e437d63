//! Sorting borrowed `(name, value)` pairs without allocating: the signers' fast paths sort their
//! parameter and header lists on the stack, and spill to the heap only for long lists.

use std::cmp::Ordering;

/// A borrowed `(name, value)` pair.
pub(crate) type Pair<'a> = (&'a str, &'a str);

/// Lists of up to this many pairs are sorted on the stack.
pub(crate) const STACK_PAIRS: usize = 16;

/// Collects `pairs`, sorts them stably with `cmp` (equal pairs keep their order) and calls `f`
/// with the sorted, mutable list. Nothing is allocated for up to [`STACK_PAIRS`] pairs.
pub(crate) fn with_sorted_by<'a, R>(
    pairs: impl Iterator<Item = Pair<'a>>,
    cmp: impl FnMut(&Pair<'a>, &Pair<'a>) -> Ordering,
    f: impl FnOnce(&mut [Pair<'a>]) -> R,
) -> R {
    let mut stack: [Pair<'a>; STACK_PAIRS] = [("", ""); STACK_PAIRS];
    let mut heap: Vec<Pair<'a>> = Vec::new();
    let mut pairs = pairs;
    let mut n = 0;
    for pair in pairs.by_ref() {
        if n == STACK_PAIRS {
            heap.extend_from_slice(&stack);
            heap.push(pair);
            break;
        }
        stack[n] = pair;
        n += 1;
    }
    let list: &mut [Pair<'a>] = if heap.is_empty() {
        &mut stack[..n]
    } else {
        heap.extend(pairs);
        &mut heap
    };
    list.sort_by(cmp);
    f(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_lists_sort_stably() {
        let short = [("b", "1"), ("a", "2"), ("b", "0")];
        with_sorted_by(
            short.into_iter(),
            |x, y| x.0.cmp(y.0),
            |list| {
                assert_eq!(list, &[("a", "2"), ("b", "1"), ("b", "0")]);
            },
        );
        let names: Vec<String> = (0..40).map(|i| format!("n{:02}", 39 - i)).collect();
        let long = names.iter().map(|n| (n.as_str(), ""));
        let sorted = with_sorted_by(long, |x, y| x.0.cmp(y.0), |list| list.to_vec());
        let expected: Vec<String> = (0..40).map(|i| format!("n{i:02}")).collect();
        assert_eq!(
            sorted.iter().map(|p| p.0).collect::<Vec<_>>(),
            expected.iter().map(String::as_str).collect::<Vec<_>>()
        );
    }
}

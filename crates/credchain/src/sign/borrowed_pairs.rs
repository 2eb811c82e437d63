//! A short list of borrowed `(name, value)` pairs kept on the stack, so a signer can sort the
//! request's headers or parameters without copying them or allocating (longer lists spill to the
//! heap). Every signer's fast path sorts its lists with it (OSS, COS, RPC, Tencent API v1).

use std::cmp::Ordering;

/// A borrowed `(name, value)` pair.
pub(crate) type Pair<'a> = (&'a str, &'a str);

/// Pairs held inline by default; more than this move to a `Vec`.
pub(crate) const INLINE: usize = 16;

/// Up to `N` borrowed pairs on the stack, any number beyond on the heap.
pub(crate) struct BorrowedPairs<'a, const N: usize = INLINE> {
    inline: [(&'a str, &'a str); N],
    /// Pairs in `inline` (while nothing has spilled).
    len: usize,
    /// Every pair, once there were more than fit inline.
    spilled: Vec<(&'a str, &'a str)>,
}

impl<'a> BorrowedPairs<'a> {
    /// An empty list holding [`INLINE`] pairs on the stack (no allocation).
    pub(crate) fn new() -> Self {
        Self::with_inline()
    }
}

impl<'a, const N: usize> BorrowedPairs<'a, N> {
    /// An empty list holding `N` pairs on the stack (no allocation).
    pub(crate) fn with_inline() -> Self {
        BorrowedPairs {
            inline: [("", ""); N],
            len: 0,
            spilled: Vec::new(),
        }
    }

    /// Appends one pair.
    pub(crate) fn push(&mut self, pair: (&'a str, &'a str)) {
        if self.spilled.is_empty() && self.len < N {
            self.inline[self.len] = pair;
            self.len += 1;
            return;
        }
        if self.spilled.is_empty() {
            self.spilled.extend_from_slice(&self.inline[..self.len]);
        }
        self.spilled.push(pair);
    }

    /// The pairs, in the order pushed (or as last sorted).
    pub(crate) fn as_slice(&self) -> &[(&'a str, &'a str)] {
        if self.spilled.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.spilled
        }
    }

    /// The pairs, to sort in place.
    pub(crate) fn as_mut_slice(&mut self) -> &mut [(&'a str, &'a str)] {
        if self.spilled.is_empty() {
            &mut self.inline[..self.len]
        } else {
            &mut self.spilled
        }
    }

    /// Keeps the first of each run of consecutive pairs that `same` says are equal.
    pub(crate) fn dedup_by(&mut self, mut same: impl FnMut(&(&str, &str), &(&str, &str)) -> bool) {
        let items = self.as_mut_slice();
        let mut kept = 0;
        for i in 0..items.len() {
            if kept == 0 || !same(&items[kept - 1], &items[i]) {
                items[kept] = items[i];
                kept += 1;
            }
        }
        self.spilled.truncate(kept);
        self.len = self.len.min(kept);
    }

    /// Whether the list is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }
}

impl<'a, const N: usize> Extend<(&'a str, &'a str)> for BorrowedPairs<'a, N> {
    fn extend<I: IntoIterator<Item = (&'a str, &'a str)>>(&mut self, iter: I) {
        for pair in iter {
            self.push(pair);
        }
    }
}

/// Collects `pairs`, sorts them stably with `cmp` (equal pairs keep their order) and calls `f`
/// with the sorted, mutable list. Nothing is allocated for up to [`INLINE`] pairs.
pub(crate) fn with_sorted_by<'a, R>(
    pairs: impl Iterator<Item = Pair<'a>>,
    cmp: impl FnMut(&Pair<'a>, &Pair<'a>) -> Ordering,
    f: impl FnOnce(&mut [Pair<'a>]) -> R,
) -> R {
    let mut list = BorrowedPairs::new();
    list.extend(pairs);
    let items = list.as_mut_slice();
    items.sort_by(cmp);
    f(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_across_the_spill() {
        let names: Vec<String> = (0..40).map(|i| format!("n{i:02}")).collect();
        for count in [0, 1, INLINE, INLINE + 1, 40] {
            let mut pairs = BorrowedPairs::new();
            pairs.extend(names[..count].iter().map(|n| (n.as_str(), "v")));
            let got: Vec<&str> = pairs.as_slice().iter().map(|(k, _)| *k).collect();
            assert_eq!(
                got,
                names[..count]
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
            );
            pairs.as_mut_slice().reverse();
            assert_eq!(
                pairs.as_slice().first().map(|p| p.0),
                names[..count].last().map(String::as_str)
            );
            assert_eq!(pairs.is_empty(), count == 0);
        }
    }

    #[test]
    fn dedup_keeps_the_first_of_each_run() {
        for count in [3, INLINE + 4] {
            let mut pairs = BorrowedPairs::new();
            pairs.extend((0..count).map(|i| (if i % 4 < 2 { "a" } else { "b" }, "")));
            pairs.push(("b", "last"));
            pairs.dedup_by(|x, y| x.0 == y.0);
            let want: Vec<&str> = (0..count.div_ceil(2))
                .map(|i| if i % 2 == 0 { "a" } else { "b" })
                .collect();
            let got: Vec<&str> = pairs.as_slice().iter().map(|p| p.0).collect();
            assert_eq!(got, want, "{count}");
        }
    }

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

//! Stable sorts off the hot paths, with one compiled copy of the sort for all of them.
//!
//! Every `sort_by` with its own closure compiles its own copy of the standard library's sort,
//! about 4 KB of wasm each. Sorts of a few items to a few thousand (features, rules, a
//! provider's lines, a column's levels) go through [`stable_order`] instead, which compiles
//! once. The sorts of a million rows (binning, results order, curves, feature group-bys)
//! keep their own specialised copies.

use std::cmp::Ordering;

/// The positions `0..len` in the stable order of `compare` (which compares two positions):
/// equal positions keep their order.
#[inline(never)]
pub fn stable_order(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// Sorts `items` stably by `compare`, as `slice::sort_by` does.
pub fn sort_stable_by<T>(items: &mut Vec<T>, compare: &dyn Fn(&T, &T) -> Ordering) {
    let order = stable_order(items.len(), &|a, b| match (items.get(a), items.get(b)) {
        (Some(a), Some(b)) => compare(a, b),
        _ => Ordering::Equal,
    });
    let mut slots: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    items.extend(order.into_iter().filter_map(|idx| slots.get_mut(idx).and_then(Option::take)));
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn sorts_as_the_standard_stable_sort(pairs in prop::collection::vec((0u8..6, any::<u32>()), 0..300)) {
            let mut expected = pairs.clone();
            expected.sort_by_key(|pair| pair.0);
            let mut sorted = pairs.clone();
            sort_stable_by(&mut sorted, &|a, b| a.0.cmp(&b.0));
            prop_assert_eq!(&sorted, &expected);
            let order = stable_order(pairs.len(), &|a, b| pairs[b].0.cmp(&pairs[a].0));
            let reversed: Vec<(u8, u32)> = order.iter().map(|&idx| pairs[idx]).collect();
            let mut expected_reversed = pairs.clone();
            expected_reversed.sort_by_key(|pair| std::cmp::Reverse(pair.0));
            prop_assert_eq!(reversed, expected_reversed);
        }
    }
}

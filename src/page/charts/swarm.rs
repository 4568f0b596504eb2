//! The beeswarm's layout: deterministic vertical jitter within a row, and colour buckets
//! for feature-value ranks.

use crate::hashing::KeyedMap;

use super::scale::LinearScale;

/// How the beeswarm packs one feature's row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SwarmLayout {
    /// Dot radius in pixels.
    pub radius: f64,
    /// The farthest a dot moves up or down from the row's centre line, in pixels.
    pub max_offset: f64,
}

/// Where one beeswarm dot goes: `x` in pixels and `dy` from the row's centre line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SwarmDot {
    /// Horizontal position, clamped to the scale's range.
    pub x: f64,
    /// Vertical offset from the centre line; within `±max_offset`.
    pub dy: f64,
}

/// Places one feature row's dots: x from `shap` through `x`, and a deterministic vertical
/// jitter. Dots are binned by x in bins one diameter wide; within a bin they stack in input
/// order at 0, then 1 diameter up, 1 down, 2 up, 2 down, ..., and wrap back to the centre when the row is full.
/// The result lines up with `shap`; a non-finite value gives None.
pub fn swarm_layout(shap: &[f64], x: &LinearScale, layout: &SwarmLayout) -> Vec<Option<SwarmDot>> {
    let diameter = if layout.radius.is_finite() && layout.radius > 0.0 { 2.0 * layout.radius } else { 1.0 };
    let max_offset = if layout.max_offset.is_finite() { layout.max_offset.max(0.0) } else { 0.0 };
    let n_levels = (max_offset / diameter).floor().min(1e6) as usize;
    let n_slots = 2 * n_levels + 1;
    let mut filled: KeyedMap<i64, usize> = KeyedMap::default();
    shap.iter()
        .map(|&value| {
            if !value.is_finite() {
                return None;
            }
            let px = x.map_clamped(value);
            let count = filled.entry((px / diameter).floor() as i64).or_insert(0);
            let slot = *count % n_slots;
            *count += 1;
            let level = slot.div_ceil(2) as f64;
            let dy = if slot % 2 == 1 { -level * diameter } else { level * diameter };
            Some(SwarmDot { x: px, dy })
        })
        .collect()
}

/// The colour class index of a feature-value rank in [0, 1] among `n_buckets` classes (low
/// to high); None for a missing value (or no classes).
pub fn rank_bucket(rank: Option<f64>, n_buckets: usize) -> Option<usize> {
    let rank = rank.filter(|r| !r.is_nan())?;
    if n_buckets == 0 {
        return None;
    }
    Some(((rank.clamp(0.0, 1.0) * n_buckets as f64).floor() as usize).min(n_buckets - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swarm_dots_stack_alternately_and_stay_in_the_row() {
        let x = LinearScale::new((-1.0, 1.0), (0.0, 200.0));
        let layout = SwarmLayout { radius: 2.0, max_offset: 8.0 };
        let shap = [0.0, 0.001, 0.002, 0.003, 0.004, 0.005, 0.0, 0.9, f64::NAN];
        let dots = swarm_layout(&shap, &x, &layout);
        assert_eq!(dots.len(), shap.len());
        let dys: Vec<f64> = dots.iter().take(7).map(|d| d.unwrap().dy).collect();
        // Two levels fit in 8 px at a 4 px diameter: 0, up, down, up 2, down 2, then wrap.
        assert_eq!(dys, vec![0.0, -4.0, 4.0, -8.0, 8.0, 0.0, -4.0]);
        assert_eq!(dots[7], Some(SwarmDot { x: 190.0, dy: 0.0 }));
        assert_eq!(dots[8], None);
        assert!(dots.iter().flatten().all(|d| d.dy.abs() <= layout.max_offset));
        assert_eq!(swarm_layout(&shap, &x, &layout), dots, "deterministic");

        let no_room = swarm_layout(&[0.0, 0.0, 0.0], &x, &SwarmLayout { radius: 3.0, max_offset: 2.0 });
        assert!(no_room.iter().all(|d| d.unwrap().dy == 0.0));
        let silly = swarm_layout(&[0.0, 1e300, -f64::MAX], &x, &SwarmLayout { radius: f64::NAN, max_offset: -1.0 });
        assert!(silly.iter().all(|d| d.is_some_and(|d| d.x.is_finite() && d.dy == 0.0)));
        assert!(swarm_layout(&[], &x, &layout).is_empty());
    }

    #[test]
    fn ranks_fall_into_colour_buckets() {
        assert_eq!(rank_bucket(Some(0.0), 7), Some(0));
        assert_eq!(rank_bucket(Some(0.5), 7), Some(3));
        assert_eq!(rank_bucket(Some(1.0), 7), Some(6));
        assert_eq!(rank_bucket(Some(7.0), 7), Some(6));
        assert_eq!(rank_bucket(Some(-1.0), 7), Some(0));
        assert_eq!(rank_bucket(Some(f64::NAN), 7), None);
        assert_eq!(rank_bucket(None, 7), None);
        assert_eq!(rank_bucket(Some(0.5), 0), None);
    }
}

//! Latency sparklines: a bounded series of samples and the SVG path that draws it.

use std::collections::VecDeque;

use super::format::fixed;

/// Samples kept per zone: at one sample every few seconds, the last several minutes.
pub const MAX_SAMPLES: usize = 120;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// `None` marks a sample where the zone gave no latency (down): a gap in the line.
    samples: VecDeque<Option<f64>>,
}

impl Series {
    pub fn push(&mut self, v: Option<f64>) {
        if self.samples.len() == MAX_SAMPLES {
            self.samples.pop_front();
        }
        // A hostile or broken latency (negative, NaN, absurd) is a gap, not a spike to scale by.
        self.samples.push_back(v.filter(|x| x.is_finite() && *x >= 0.0 && *x < 600_000.0));
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    pub fn last(&self) -> Option<f64> {
        self.samples.back().copied().flatten()
    }

    pub fn max(&self) -> Option<f64> {
        self.samples.iter().flatten().copied().reduce(f64::max)
    }

    /// SVG path data in a `width × height` box: one `M…L…` run per stretch without gaps, x spread
    /// over the capacity so the line grows from the left as samples arrive.
    pub fn path(&self, width: f64, height: f64) -> String {
        let Some(max) = self.max() else { return String::new() };
        let scale = if max > 0.0 { max } else { 1.0 };
        let step = width / (MAX_SAMPLES.saturating_sub(1).max(1)) as f64;
        let mut d = String::new();
        let mut pen_down = false;
        for (i, s) in self.samples.iter().enumerate() {
            match s {
                Some(v) => {
                    let x = i as f64 * step;
                    let y = height - (v / scale) * (height - 1.0) - 0.5;
                    let cmd = if pen_down { "L" } else { "M" };
                    d.push_str(&format!("{cmd}{},{}", fixed(x, 1), fixed(y, 1)));
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_scales_to_the_box_and_breaks_at_gaps() {
        let mut s = Series::default();
        s.push(Some(10.0));
        s.push(Some(20.0));
        s.push(None);
        s.push(Some(20.0));
        let step = 100.0 / 119.0;
        assert_eq!(
            s.path(100.0, 21.0),
            format!("M0.0,10.5L{},0.5M{},0.5", fixed(step, 1), fixed(3.0 * step, 1))
        );
    }

    #[test]
    fn keeps_a_bounded_window_and_rejects_nonsense() {
        let mut s = Series::default();
        for i in 0..500 {
            s.push(Some(i as f64));
        }
        assert_eq!(s.len(), MAX_SAMPLES);
        assert_eq!(s.last(), Some(499.0));
        s.push(Some(-5.0));
        s.push(Some(f64::NAN));
        assert_eq!(s.last(), None);
        assert_eq!(s.max(), Some(499.0));
    }

    #[test]
    fn empty_or_all_gaps_draws_nothing() {
        let mut s = Series::default();
        assert_eq!(s.path(10.0, 10.0), "");
        s.push(None);
        assert_eq!(s.path(10.0, 10.0), "");
    }
}

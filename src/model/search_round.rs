//! One "Search server" round across regions: each region is asked at once (a hung region must not
//! hold back the other's results) and its answer lands in its own slot as it arrives; an answer
//! from a round the user has since replaced (a new search, or "back to all loaded") is dropped.

/// What one region's search came back with: its results, or why it has none.
#[derive(Debug, Clone, PartialEq)]
pub enum Slot<T> {
    Pending,
    Found(T),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchRound<T> {
    pub round: u64,
    pub query: String,
    pub slots: Vec<Slot<T>>,
}

impl<T> SearchRound<T> {
    pub fn new(round: u64, query: String, regions: usize) -> Self {
        SearchRound { round, query, slots: (0..regions).map(|_| Slot::Pending).collect() }
    }

    /// Record region `index`'s answer to round `round`. Returns false (and changes nothing) for
    /// an answer to another round or a region not in it.
    pub fn answer(&mut self, round: u64, index: usize, result: Result<T, String>) -> bool {
        if round != self.round {
            return false;
        }
        let Some(slot) = self.slots.get_mut(index) else { return false };
        *slot = match result {
            Ok(v) => Slot::Found(v),
            Err(e) => Slot::Failed(e),
        };
        true
    }

    pub fn pending(&self) -> usize {
        self.slots.iter().filter(|s| matches!(s, Slot::Pending)).count()
    }

    pub fn problems(&self) -> Vec<&str> {
        self.slots.iter().filter_map(|s| if let Slot::Failed(e) = s { Some(e.as_str()) } else { None }).collect()
    }

    pub fn found(&self, index: usize) -> Option<&T> {
        match self.slots.get(index) {
            Some(Slot::Found(v)) => Some(v),
            _ => None,
        }
    }
}

/// Answer `answer` to the round in `current`, if it is still that round.
pub fn apply_answer<T>(current: &mut Option<SearchRound<T>>, round: u64, index: usize, result: Result<T, String>) -> bool {
    current.as_mut().is_some_and(|c| c.answer(round, index, result))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_region_lands_as_it_answers_and_a_replaced_round_is_dropped() {
        let mut cur = Some(SearchRound::new(1, "db".into(), 2));
        // Frankfurt answers while Dallas hangs: its results are there at once.
        assert!(apply_answer(&mut cur, 1, 1, Ok(vec!["eu-1"])));
        let r = cur.as_ref().expect("a round");
        assert_eq!(r.found(1), Some(&vec!["eu-1"]));
        assert_eq!(r.pending(), 1);
        // The user searches again before Dallas answers the first round.
        cur = Some(SearchRound::new(2, "dbx".into(), 2));
        assert!(!apply_answer(&mut cur, 1, 0, Ok(vec!["stale"])), "an answer to round 1 is dropped");
        assert_eq!(cur.as_ref().map(|r| r.pending()), Some(2));
        assert!(apply_answer(&mut cur, 2, 0, Err("Dallas: timed out".into())));
        assert_eq!(cur.as_ref().map(|r| r.problems()), Some(vec!["Dallas: timed out"]));
        // "Back to all loaded secrets": no round; late answers change nothing.
        cur = None;
        assert!(!apply_answer(&mut cur, 2, 1, Ok(vec!["late"])));
    }
}

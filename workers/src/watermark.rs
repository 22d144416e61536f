//! The checkpoint of a worker that handles events concurrently: it may only move past a
//! position once everything at or before it is done, so a restart redoes what was in flight
//! (the aggregates refuse steps already taken) and never skips an event.

use std::collections::BTreeSet;

#[derive(Debug)]
pub struct Watermark {
    seen: i64,
    in_flight: BTreeSet<i64>,
}

impl Watermark {
    /// Everything up to `checkpoint` is done.
    pub fn new(checkpoint: i64) -> Self {
        Watermark { seen: checkpoint, in_flight: BTreeSet::new() }
    }

    /// The event at `position` was read; with `busy`, its work goes on in the background.
    pub fn saw(&mut self, position: i64, busy: bool) {
        self.seen = self.seen.max(position);
        if busy {
            self.in_flight.insert(position);
        }
    }

    pub fn finished(&mut self, position: i64) {
        self.in_flight.remove(&position);
    }

    /// The last position before which nothing is left to do.
    pub fn checkpoint(&self) -> i64 {
        match self.in_flight.first() {
            Some(&oldest) => oldest - 1,
            None => self.seen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checkpoint_waits_for_the_oldest_work_in_flight() {
        let mut marks = Watermark::new(10);
        marks.saw(11, false);
        assert_eq!(marks.checkpoint(), 11);
        marks.saw(12, true);
        marks.saw(13, false);
        marks.saw(14, true);
        assert_eq!(marks.checkpoint(), 11, "12 is still running");
        marks.finished(14);
        assert_eq!(marks.checkpoint(), 11, "14 finished first; 12 still holds it");
        marks.finished(12);
        assert_eq!(marks.checkpoint(), 14);
        marks.finished(99);
        assert_eq!(marks.checkpoint(), 14, "an unknown position changes nothing");
    }
}

//! The deadline queue: each order's next deadline, and a task that sleeps until the
//! earliest one (PROTOCOL.md §5.13 without polling every N seconds).
//!
//! The dispatcher calls [`Timers::schedule`] with `engine::next_deadline` after every
//! commit (and recovery does for every open order at start). [`Timers::run`] sleeps
//! until the earliest deadline or until a sooner one is scheduled, then hands each due
//! order id to its callback, which feeds `Input::Deadline` through the order's writer.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ::nostr::types::Timestamp;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::clock::Clock;

/// Orders by deadline, at most one deadline per order.
#[derive(Debug, Default)]
struct DeadlineQueue {
    by_time: BTreeMap<Timestamp, BTreeSet<Uuid>>,
    by_order: HashMap<Uuid, Timestamp>,
}

impl DeadlineQueue {
    /// Sets (or clears, with `None`) the deadline of `order`. Returns true when the
    /// earliest deadline of the queue moved earlier.
    fn set(&mut self, order: Uuid, at: Option<Timestamp>) -> bool {
        let earliest_before = self.earliest();
        if let Some(old) = self.by_order.remove(&order) {
            if let Some(set) = self.by_time.get_mut(&old) {
                set.remove(&order);
                if set.is_empty() {
                    self.by_time.remove(&old);
                }
            }
        }
        let Some(at) = at else {
            return false;
        };
        self.by_order.insert(order, at);
        self.by_time.entry(at).or_default().insert(order);
        earliest_before.is_none_or(|e| at < e)
    }

    fn earliest(&self) -> Option<Timestamp> {
        self.by_time.keys().next().copied()
    }

    /// Removes and returns every order whose deadline is at or before `now`.
    fn pop_due(&mut self, now: Timestamp) -> Vec<Uuid> {
        let later = self
            .by_time
            .split_off(&Timestamp::from_secs(now.as_secs().saturating_add(1)));
        let due = std::mem::replace(&mut self.by_time, later);
        let ids: Vec<Uuid> = due.into_values().flatten().collect();
        for id in &ids {
            self.by_order.remove(id);
        }
        ids
    }
}

/// Shared handle on the deadline queue. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Timers {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    queue: Mutex<DeadlineQueue>,
    wake: Notify,
}

impl Timers {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    fn queue(&self) -> MutexGuard<'_, DeadlineQueue> {
        // Every critical section leaves the queue consistent; survive a poisoned lock.
        self.inner.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces the deadline of `order` (`None` removes it) and wakes the timer task
    /// when the new deadline is the earliest.
    pub fn schedule(&self, order: Uuid, at: Option<Timestamp>) {
        let sooner = self.queue().set(order, at);
        if sooner {
            self.inner.wake.notify_one();
        }
    }

    /// The deadline of `order`, if one is queued.
    pub fn deadline_of(&self, order: Uuid) -> Option<Timestamp> {
        self.queue().by_order.get(&order).copied()
    }

    /// The earliest queued deadline.
    pub fn earliest(&self) -> Option<Timestamp> {
        self.queue().earliest()
    }

    /// Number of orders with a deadline.
    pub fn len(&self) -> usize {
        self.queue().by_order.len()
    }

    /// True when no order has a deadline.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Fires `on_due` for every order whose deadline passed, then sleeps until the
    /// next deadline or a sooner [`Timers::schedule`], until `shutdown`.
    pub async fn run(
        &self,
        clock: &dyn Clock,
        shutdown: CancellationToken,
        mut on_due: impl FnMut(Uuid),
    ) {
        loop {
            // Register for wake-ups before reading the queue, so a deadline scheduled
            // in between is not missed.
            let woken = self.inner.wake.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();

            let now = clock.now();
            let due = self.queue().pop_due(now);
            for order in due {
                on_due(order);
            }
            let pause = self
                .earliest()
                .map(|at| Duration::from_secs(at.as_secs().saturating_sub(now.as_secs())));
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = &mut woken => {}
                () = sleep_or_forever(pause) => {}
            }
        }
    }
}

async fn sleep_or_forever(pause: Option<Duration>) {
    match pause {
        // A deadline in the current second: come back in one second at most.
        Some(d) => tokio::time::sleep(d.max(Duration::from_millis(200))).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::super::clock::TokioClock;
    use super::*;

    fn ts(s: u64) -> Timestamp {
        Timestamp::from_secs(s)
    }

    #[test]
    fn queue_keeps_one_deadline_per_order_and_pops_in_time() {
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let mut q = DeadlineQueue::default();
        assert!(q.set(a, Some(ts(100))));
        assert!(!q.set(b, Some(ts(200))));
        assert!(q.set(c, Some(ts(50))));
        // Moving a later: replaces, not adds.
        assert!(!q.set(a, Some(ts(300))));
        assert_eq!(q.by_order.len(), 3);
        assert_eq!(q.pop_due(ts(49)), Vec::<Uuid>::new());
        // Earliest first.
        assert_eq!(q.pop_due(ts(200)), vec![c, b]);
        assert_eq!(q.earliest(), Some(ts(300)));
        q.set(a, None);
        assert_eq!(q.earliest(), None);
        assert!(q.by_order.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn run_fires_at_the_deadline_and_wakes_for_a_sooner_one() {
        let clock = TokioClock::starting_at(ts(1_000));
        let timers = Timers::new();
        let (late, soon) = (Uuid::new_v4(), Uuid::new_v4());
        timers.schedule(late, Some(ts(1_600)));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let shutdown = CancellationToken::new();
        let task = {
            let (timers, shutdown) = (timers.clone(), shutdown.clone());
            tokio::spawn(async move {
                timers
                    .run(&clock, shutdown, |id| {
                        let _ = tx.send((id, clock.now()));
                    })
                    .await;
            })
        };
        tokio::time::sleep(Duration::from_secs(10)).await;
        // Sooner than the one the task sleeps for: it must wake and re-plan.
        timers.schedule(soon, Some(ts(1_060)));
        let (first, at) = rx.recv().await.unwrap();
        assert_eq!(first, soon);
        assert!(at >= ts(1_060) && at < ts(1_062), "fired at {at}");
        let (second, at) = rx.recv().await.unwrap();
        assert_eq!(second, late);
        assert!(at >= ts(1_600) && at < ts(1_602), "fired at {at}");
        assert!(timers.is_empty());
        shutdown.cancel();
        task.await.unwrap();
    }
}

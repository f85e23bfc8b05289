//! The runner's worker pool, used by every command that processes recordings: `jobs` scoped
//! threads pull item indices from a shared counter, each keeps its own state (Whisper states,
//! made on first use), and the results come back to the calling thread as they finish.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Workers for `items` items: `requested`, else the free cores divided by the threads each
/// worker runs; at least 1 and at most one per item.
pub(crate) fn worker_count(
    requested: Option<usize>,
    threads_per_worker: usize,
    items: usize,
) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    requested
        .unwrap_or((cores / threads_per_worker.max(1)).max(1))
        .clamp(1, items.max(1))
}

/// Run `work` over the items `0..items` on `jobs` threads. Each thread makes its state with
/// `init` (on the thread itself) and calls `work(&mut state, index)` per item; `done(index,
/// result)` runs on the calling thread in the order the items finish. When `done` returns an
/// error the workers stop taking items and that error is returned once the items in flight are
/// finished.
pub(crate) fn run_pool<S, T, E>(
    jobs: usize,
    items: usize,
    init: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, usize) -> T + Sync,
    mut done: impl FnMut(usize, T) -> Result<(), E>,
) -> Result<(), E>
where
    T: Send,
{
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel::<(usize, T)>();
        for _ in 0..jobs.clamp(1, items.max(1)) {
            let tx = tx.clone();
            let (next, stop, init, work) = (&next, &stop, &init, &work);
            scope.spawn(move || {
                let mut state = init();
                while !stop.load(Ordering::SeqCst) {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= items {
                        break;
                    }
                    let out = work(&mut state, i);
                    if tx.send((i, out)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut result = Ok(());
        for (i, out) in rx {
            if result.is_ok()
                && let Err(e) = done(i, out)
            {
                stop.store(true, Ordering::SeqCst);
                result = Err(e);
            }
        }
        result
    })
}

/// Hands results on in index order: each as soon as it and every one before it have arrived.
pub(crate) struct InOrder<T> {
    next: usize,
    pending: BTreeMap<usize, T>,
}

impl<T> InOrder<T> {
    pub(crate) fn new() -> InOrder<T> {
        InOrder {
            next: 0,
            pending: BTreeMap::new(),
        }
    }

    /// Take result `index`; pass on every result that is now next in line.
    pub(crate) fn push<E>(
        &mut self,
        index: usize,
        item: T,
        mut emit: impl FnMut(usize, T) -> Result<(), E>,
    ) -> Result<(), E> {
        self.pending.insert(index, item);
        while let Some(item) = self.pending.remove(&self.next) {
            emit(self.next, item)?;
            self.next += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn every_item_runs_once_and_results_come_back_in_input_order() {
        let mut seen = Vec::new();
        let mut order = InOrder::new();
        let r: Result<(), ()> = run_pool(
            3,
            20,
            || Cell::new(0usize),
            |calls, i| {
                calls.set(calls.get() + 1);
                // Later items finish first.
                std::thread::sleep(std::time::Duration::from_millis((20 - i as u64) % 4));
                i * 10
            },
            |i, v| {
                order.push(i, v, |j, v| {
                    seen.push((j, v));
                    Ok(())
                })
            },
        );
        assert_eq!(r, Ok(()));
        let want: Vec<(usize, usize)> = (0..20).map(|i| (i, i * 10)).collect();
        assert_eq!(seen, want);
    }

    #[test]
    fn an_error_from_the_consumer_stops_the_workers() {
        let ran = AtomicUsize::new(0);
        let r = run_pool(
            1,
            500,
            || (),
            |_, i| {
                ran.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(2));
                i
            },
            |i, _| if i == 3 { Err("full disk") } else { Ok(()) },
        );
        assert_eq!(r, Err("full disk"));
        assert!(ran.load(Ordering::SeqCst) < 500);
    }

    #[test]
    fn worker_count_respects_the_request_and_the_items() {
        assert_eq!(worker_count(Some(8), 1, 3), 3);
        assert_eq!(worker_count(Some(0), 1, 3), 1);
        assert_eq!(worker_count(None, 1, 0), 1);
        assert!(worker_count(None, 64, 10) >= 1);
    }
}

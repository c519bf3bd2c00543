//! Keeps the number of open connections bounded, so that a flood of clients can neither exhaust the
//! process's file handles nor grow its memory without end.
//!
//! When the limit is reached, a new connection takes the place of the connection that has been idle
//! longest (one that is not being answered: a client that never finished its request, or a kept-alive
//! connection between requests). A browser simply opens a new connection when that happens. Only when
//! every connection is being answered is the new one refused. The limit can be lowered at run time,
//! when the system says that no more file handles are left. A shed connection's place is free at
//! once, but its file handle only once its task has closed it: [`Shed::closed`] waits for that, so
//! that the handles open never run far ahead of the limit.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio::sync::Notify;

/// The fewest connections the limit is ever lowered to: more than a browser opens to one host.
pub const MIN_CONNECTIONS: usize = 16;

/// The open connections and the limit on them.
pub struct Connections {
    limit: AtomicUsize,
    started: Instant,
    open: Mutex<Open>,
}

struct Open {
    next_id: u64,
    slots: HashMap<u64, Arc<Slot>>,
}

/// One open connection, as the registry sees it.
pub struct Slot {
    id: u64,
    started: Instant,
    /// Requests being answered on this connection.
    busy: AtomicUsize,
    /// When the connection was accepted or last finished answering (milliseconds after `started`).
    idle_since: AtomicU64,
    /// Woken when the connection must close to make room.
    shed: Notify,
    /// Woken when the connection has closed.
    closed: Notify,
}

/// A connection's place in the registry; dropping it frees the place.
pub struct Admission {
    connections: Arc<Connections>,
    slot: Arc<Slot>,
}

/// A connection told to close to make room.
pub struct Shed(Arc<Slot>);

/// Marks a connection as being answered until dropped.
pub struct Busy {
    slot: Arc<Slot>,
}

impl Connections {
    pub fn new(limit: usize) -> Connections {
        Connections {
            limit: AtomicUsize::new(limit.max(1)),
            started: Instant::now(),
            open: Mutex::new(Open {
                next_id: 0,
                slots: HashMap::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Open> {
        // The registry stays consistent even if a holder panicked: every change is one map operation.
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many connections are open (the tests look).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().slots.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn limit(&self) -> usize {
        self.limit.load(Ordering::Relaxed)
    }

    /// A place for a new connection, making room by shedding the longest-idle one if the limit is
    /// reached (returned, to wait for it to close); `None` if every open connection is being
    /// answered.
    pub fn admit(self: &Arc<Self>) -> Option<(Admission, Vec<Shed>)> {
        let mut open = self.lock();
        let mut shed = Vec::new();
        while open.slots.len() >= self.limit() {
            shed.push(shed_longest_idle(&mut open)?);
        }
        let id = open.next_id;
        open.next_id += 1;
        let slot = Arc::new(Slot {
            id,
            started: self.started,
            busy: AtomicUsize::new(0),
            idle_since: AtomicU64::new(millis_since(self.started)),
            shed: Notify::new(),
            closed: Notify::new(),
        });
        open.slots.insert(id, Arc::clone(&slot));
        let admission = Admission {
            connections: Arc::clone(self),
            slot,
        };
        Some((admission, shed))
    }

    /// Lowers the limit below the connections open now (not below [`MIN_CONNECTIONS`]) and sheds
    /// idle connections down to it, freeing file handles for other uses; `reserve` handles are
    /// left over. Returns how many connections were shed.
    pub fn shrink(&self, reserve: usize) -> usize {
        let mut open = self.lock();
        let limit = open
            .slots
            .len()
            .saturating_sub(reserve)
            .max(MIN_CONNECTIONS)
            .min(self.limit());
        self.limit.store(limit, Ordering::Relaxed);
        let mut shed = 0;
        while open.slots.len() > limit && shed_longest_idle(&mut open).is_some() {
            shed += 1;
        }
        shed
    }
}

/// Removes the connection idle longest and tells it to close; `None` if all are busy.
fn shed_longest_idle(open: &mut Open) -> Option<Shed> {
    let victim = open
        .slots
        .values()
        .filter(|slot| slot.busy.load(Ordering::SeqCst) == 0)
        .min_by_key(|slot| (slot.idle_since.load(Ordering::SeqCst), slot.id))
        .map(|slot| slot.id)?;
    let slot = open.slots.remove(&victim)?;
    // A stored permit: the connection sees it even if it is not waiting yet.
    slot.shed.notify_one();
    Some(Shed(slot))
}

fn millis_since(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

impl Admission {
    pub fn slot(&self) -> Arc<Slot> {
        Arc::clone(&self.slot)
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.connections.lock().slots.remove(&self.slot.id);
        self.slot.closed.notify_one();
    }
}

impl Shed {
    /// Resolves once the shed connection has closed (its admission was dropped).
    pub async fn closed(&self) {
        self.0.closed.notified().await;
    }
}

impl Slot {
    /// Marks the connection as being answered, until the returned guard is dropped.
    pub fn begin(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::SeqCst);
        Busy {
            slot: Arc::clone(self),
        }
    }

    /// Resolves once the connection has been shed to make room.
    pub async fn shed(&self) {
        self.shed.notified().await;
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.slot
            .idle_since
            .store(millis_since(self.slot.started), Ordering::SeqCst);
        self.slot.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    /// Whether a future is ready at its first poll (without a runtime).
    fn ready(future: impl Future<Output = ()>) -> bool {
        let mut future = pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        future.as_mut().poll(&mut cx) == Poll::Ready(())
    }

    /// Whether a slot has been told to close.
    fn was_shed(slot: &Slot) -> bool {
        ready(slot.shed())
    }

    fn admit(connections: &Arc<Connections>) -> Option<Admission> {
        connections.admit().map(|(admission, _)| admission)
    }

    #[test]
    fn the_longest_idle_connection_makes_room() {
        let connections = Arc::new(Connections::new(2));
        let first = admit(&connections).expect("first");
        let second = admit(&connections).expect("second");
        let (third, shed) = connections.admit().expect("third replaces the first");
        assert_eq!(connections.len(), 2);
        assert!(was_shed(&first.slot));
        assert!(!was_shed(&second.slot));
        assert!(!was_shed(&third.slot));
        let [shed] = shed.as_slice() else {
            panic!("one connection is shed");
        };
        assert!(!ready(shed.closed()), "still open");
        // The shed connection closes later; its place is already taken, and stays so.
        drop(first);
        assert!(ready(shed.closed()), "closed");
        assert_eq!(connections.len(), 2);
        drop(second);
        drop(third);
        assert!(connections.is_empty());
    }

    #[test]
    fn connections_being_answered_are_kept_and_then_new_ones_refused() {
        let connections = Arc::new(Connections::new(2));
        let first = admit(&connections).expect("first");
        let second = admit(&connections).expect("second");
        let answering_first = first.slot().begin();
        let third = admit(&connections).expect("the idle second makes room");
        assert!(!was_shed(&first.slot));
        assert!(was_shed(&second.slot));
        let answering_third = third.slot().begin();
        assert!(admit(&connections).is_none(), "all are being answered");
        drop(answering_first);
        let fourth = admit(&connections).expect("the first is idle again");
        assert!(was_shed(&first.slot));
        drop((answering_third, fourth));
    }

    #[test]
    fn a_connection_that_was_just_answered_is_shed_last() {
        let connections = Arc::new(Connections::new(2));
        let first = admit(&connections).expect("first");
        std::thread::sleep(std::time::Duration::from_millis(5));
        let second = admit(&connections).expect("second");
        std::thread::sleep(std::time::Duration::from_millis(5));
        drop(first.slot().begin());
        let _third = admit(&connections).expect("third");
        assert!(!was_shed(&first.slot), "answered most recently");
        assert!(was_shed(&second.slot));
    }

    #[test]
    fn shrinking_sheds_idle_connections_and_keeps_a_floor() {
        let connections = Arc::new(Connections::new(100));
        let held: Vec<Admission> = (0..40)
            .map(|_| admit(&connections).expect("admit"))
            .collect();
        let busy = held[0].slot().begin();
        assert_eq!(connections.shrink(8), 8);
        assert_eq!(connections.limit(), 32);
        assert_eq!(connections.len(), 32);
        assert!(!was_shed(&held[0].slot), "busy connections stay");
        assert_eq!(connections.shrink(1000), 16);
        assert_eq!(connections.limit(), MIN_CONNECTIONS);
        drop(busy);
    }
}

//! How many connections are open, per client IP address and in total, and the caps on both.
//!
//! A connection takes a [`Slot`] when it is accepted and gives it back when its socket is
//! closed, whoever holds the socket then (hyper, or an event stream that took it over). The
//! address is the socket's peer, never a header: the cap is about file descriptors, and
//! those belong to whoever opened the socket.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex},
};

/// The open connections, counted.
#[derive(Debug)]
pub struct Slots {
    max_per_ip: usize,
    max_total: usize,
    counts: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// One open connection's place; given back on drop.
#[derive(Debug)]
pub struct Slot {
    slots: Arc<Slots>,
    ip: IpAddr,
}

impl Slots {
    pub fn new(max_per_ip: usize, max_total: usize) -> Slots {
        Slots {
            max_per_ip,
            max_total,
            counts: Mutex::default(),
        }
    }

    /// A place for a new connection from `ip`, unless that address or the server is full.
    pub fn try_acquire(self: &Arc<Self>, ip: IpAddr) -> Option<Slot> {
        let mut counts = self.counts.lock().unwrap();
        if counts.total >= self.max_total {
            return None;
        }
        let of_ip = counts.per_ip.entry(ip).or_default();
        if *of_ip >= self.max_per_ip {
            return None;
        }
        *of_ip += 1;
        counts.total += 1;
        Some(Slot {
            slots: self.clone(),
            ip,
        })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.counts.lock().unwrap().total
    }

    /// Connections open now from `ip`.
    pub fn open_from(&self, ip: IpAddr) -> usize {
        let counts = self.counts.lock().unwrap();
        counts.per_ip.get(&ip).copied().unwrap_or(0)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.slots.counts.lock().unwrap();
        counts.total -= 1;
        if let Some(of_ip) = counts.per_ip.get_mut(&self.ip) {
            *of_ip -= 1;
            if *of_ip == 0 {
                counts.per_ip.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_per_address_and_in_total_and_frees_on_drop() {
        let slots = Arc::new(Slots::new(2, 3));
        let (a, b, c) = (
            "10.0.0.1".parse().unwrap(),
            "10.0.0.2".parse().unwrap(),
            "10.0.0.3".parse().unwrap(),
        );
        let a1 = slots.try_acquire(a).unwrap();
        let _a2 = slots.try_acquire(a).unwrap();
        assert!(slots.try_acquire(a).is_none(), "per-address cap");
        let _b1 = slots.try_acquire(b).unwrap();
        assert!(slots.try_acquire(c).is_none(), "total cap");
        drop(a1);
        assert_eq!(slots.open_from(a), 1);
        let _c1 = slots.try_acquire(c).unwrap();
        assert_eq!(slots.open(), 3);
    }
}

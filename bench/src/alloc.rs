//! A counting global allocator: current and peak heap bytes, and the number of
//! allocations, for the client side of the benchmark.
//!
//! The loopback server's thread marks itself untracked ([`untrack_this_thread`]),
//! so its buffers do not show up in the clients' numbers. Nothing is shared
//! between the server and the clients except sockets, so no block is allocated on
//! one side and freed on the other.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, AtomicU64, Ordering::Relaxed};

/// The system allocator, with counters.
pub struct Counting;

static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);
static ALLOCS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    // `const` and no destructor: reading it never allocates, so it is usable
    // from inside the allocator.
    static UNTRACKED: Cell<bool> = const { Cell::new(false) };
}

fn tracked() -> bool {
    UNTRACKED.try_with(|u| !u.get()).unwrap_or(true)
}

fn grew(bytes: usize) {
    if tracked() {
        ALLOCS.fetch_add(1, Relaxed);
        let now = CURRENT.fetch_add(bytes as isize, Relaxed) + bytes as isize;
        PEAK.fetch_max(now, Relaxed);
    }
}

fn shrank(bytes: usize) {
    if tracked() {
        CURRENT.fetch_sub(bytes as isize, Relaxed);
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged and returns its result unchanged; the bookkeeping around the calls
// only touches atomics and a const thread-local, and never allocates.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as ours.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as ours.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as ours.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            // Counted as the size change only (a moving realloc briefly holds
            // both blocks; the counters ignore that).
            shrank(layout.size());
            grew(new_size);
        }
        new
    }
}

/// Stops counting the allocations of the calling thread (the server's).
pub fn untrack_this_thread() {
    UNTRACKED.with(|u| u.set(true));
}

/// Heap bytes currently allocated by tracked threads.
pub fn current() -> isize {
    CURRENT.load(Relaxed)
}

/// Allocations made so far by tracked threads.
pub fn allocations() -> u64 {
    ALLOCS.load(Relaxed)
}

/// A measured section: remembers the heap at its start and resets the peak.
pub struct Section {
    baseline: isize,
    allocs: u64,
}

impl Section {
    /// Starts a section: the peak is reset to the current heap.
    pub fn start() -> Section {
        let baseline = current();
        PEAK.store(baseline, Relaxed);
        Section {
            baseline,
            allocs: allocations(),
        }
    }

    /// Peak heap above the section's baseline, in bytes.
    pub fn peak_above_baseline(&self) -> usize {
        (PEAK.load(Relaxed) - self.baseline).max(0) as usize
    }

    /// Allocations made since the section started.
    pub fn allocations(&self) -> u64 {
        allocations() - self.allocs
    }
}

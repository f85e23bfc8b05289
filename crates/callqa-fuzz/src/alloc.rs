//! An allocation guard: a global allocator that records the largest single request, so that a
//! mutated header that makes a parser reserve gigabytes is reported as a finding (and not only
//! when it happens to exhaust memory).
//!
//! Install it in a binary or test with `#[global_allocator] static A: GuardedAlloc = GuardedAlloc;`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static LARGEST: AtomicUsize = AtomicUsize::new(0);
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// The system allocator, recording the largest request since [`reset`].
pub struct GuardedAlloc;

// SAFETY: every call forwards to `System` unchanged; the wrapper only records sizes.
unsafe impl GlobalAlloc for GuardedAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: the caller's contract is passed on to `System`.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

fn note(size: usize) {
    INSTALLED.store(true, Ordering::Relaxed);
    LARGEST.fetch_max(size, Ordering::Relaxed);
}

/// Forget the largest request seen so far.
pub fn reset() {
    LARGEST.store(0, Ordering::Relaxed);
}

/// The largest single allocation request since [`reset`] (0 when the guard is not installed).
pub fn largest() -> usize {
    LARGEST.load(Ordering::Relaxed)
}

/// Whether [`GuardedAlloc`] is the global allocator of this process.
pub fn installed() -> bool {
    let probe = std::hint::black_box(vec![0u8; 64]);
    drop(probe);
    INSTALLED.load(Ordering::Relaxed)
}

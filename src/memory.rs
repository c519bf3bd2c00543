//! How the allocator treats the memory the process frees.
//!
//! mimalloc (the allocator `roadmap` runs with, see `src/main.rs`) gives memory that has been free
//! for a while back to the system. Every command of `roadmap` keeps it instead, for its next
//! allocations: the binary sets this first thing (`src/main.rs`).
//!
//! - The preview rebuilds the site again and again, and each rebuild frees and takes again hundreds
//!   of megabytes on a large site (the combined open data alone is 232 MB at 3 × 10,000
//!   projects): given back, every page of it was zeroed and faulted in again on the next rebuild,
//!   some 0.3 CPU-seconds of a budget edit's 1.5-1.8. Its memory stays at the most a build has
//!   needed until it stops (measured: 1.73 GB against 1.48 GB at 3 × 10,000 projects; 28.5 MB
//!   against 26.7 MB on the real site).
//! - A build frees what it read and parsed, and each page's context, while it makes the next
//!   ones: given back and faulted in again, that is page faults that need not be. At 3 × 10,000
//!   projects on tmpfs, eight alternating builds: page faults 325,000 → 298,000, peak memory
//!   1.19 → 1.20 GB; CPU medians 11.48 → 11.33 s, within the machine's noise (an earlier
//!   measurement, fifth round of `bench/README.md`, saw no change in time at all).

/// `mi_option_purge_delay` of `mimalloc.h`: how long freed memory is kept before it is given back
/// (in milliseconds; -1: never). Options are numbered stably across mimalloc's versions 2 and 3.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps the memory the allocator frees for the process's next allocations, never giving it back
/// to the system. Called once, before any work.
pub fn keep_freed_memory() {
    // SAFETY: sets one of mimalloc's documented options (a plain integer it reads when it frees
    // memory); valid at any time, and without effect when another allocator is in use.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_set_is_the_purge_delay() {
        let get = |option| unsafe { libmimalloc_sys::mi_option_get(option) };
        // The numbering: `mi_option_os_tag` comes three after the purge delay, default 100.
        assert_eq!(get(PURGE_DELAY + 3), 100, "os_tag is not where it was");
        // The purge delay's default (10 ms in mimalloc 2, 1000 ms in mimalloc 3), or -1 once set.
        let before = get(PURGE_DELAY);
        assert!(
            [10, 1000, -1].contains(&before) || std::env::var_os("MIMALLOC_PURGE_DELAY").is_some(),
            "option {PURGE_DELAY} is {before}: not the purge delay"
        );
        keep_freed_memory();
        assert_eq!(get(PURGE_DELAY), -1);
    }
}

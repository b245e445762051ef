//! The compute pool: the threads every request's work runs on once its body
//! has arrived (decoding, parsing, the analysis, serialising the answer),
//! whatever the body's size. The HTTP workers only read bodies and write
//! answers, so `/healthz`, `/readyz` and `/metrics` are answered at once
//! however long an analysis takes, even one from a few kilobytes of body
//! (300 x 25 cells of iterative imputation held a worker, and the probes
//! behind it, for 14 s when small bodies were analysed in place).
//!
//! A fixed set of [`threads`] plain threads takes jobs in arrival order.
//! They are not rayon's: the decompositions and resampling loops spread
//! their data-parallel parts over rayon's pool (one thread per core,
//! `RAYON_NUM_THREADS`), and a request thread waiting for them just waits.
//! A rayon thread waiting inside one request's parallel loop would instead
//! start queued requests on its own stack, so that a small request queued
//! behind two large bootstraps waited for both, and the first request could
//! not finish before the ones started on top of it. With twice as many
//! request threads as cores, a small request finds a thread while the cores
//! run larger ones, and shares the CPU with them instead of waiting; how many
//! large bodies are in memory at once is bounded separately (the body budget
//! in `api::body`).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, LazyLock, Mutex};

type Job = Box<dyn FnOnce() + Send>;

/// The number of request threads: twice the CPUs.
pub fn threads() -> usize {
    2 * std::thread::available_parallelism().map_or(1, |n| n.get())
}

static POOL: LazyLock<Sender<Job>> = LazyLock::new(|| {
    let (sender, receiver) = channel::<Job>();
    let receiver = Arc::new(Mutex::new(receiver));
    for i in 0..threads() {
        let receiver = Arc::clone(&receiver);
        std::thread::Builder::new()
            .name(format!("obscaling-compute-{i}"))
            .spawn(move || serve(&receiver))
            .expect("a compute thread starts");
    }
    sender
});

fn serve(jobs: &Mutex<Receiver<Job>>) {
    loop {
        // One thread waits in `recv` holding the lock, the others for the
        // lock: each job wakes exactly one thread.
        let job = match jobs.lock() {
            Ok(receiver) => receiver.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        let Ok(job) = job else { return };
        // Jobs catch their own panics (`api::body::guarded`); this keeps
        // the thread if one does not.
        let _ = catch_unwind(AssertUnwindSafe(job));
    }
}

/// Queues `job` on the compute pool (the pool starts with the first job).
pub fn spawn(job: impl FnOnce() + Send + 'static) {
    POOL.send(Box::new(job))
        .expect("the compute threads live as long as the process");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::sync_channel;
    use std::time::Duration;

    #[test]
    fn jobs_run_off_the_calling_thread_and_a_panic_keeps_the_pool() {
        let caller = std::thread::current().id();
        spawn(|| panic!("a job that panics"));
        let (done, ran) = sync_channel(1);
        spawn(move || {
            let name = std::thread::current().name().map(str::to_owned);
            done.send((std::thread::current().id(), name)).unwrap();
        });
        let (id, name) = ran.recv_timeout(Duration::from_secs(60)).unwrap();
        assert_ne!(id, caller);
        assert!(name.unwrap().starts_with("obscaling-compute-"));
    }

    #[test]
    fn a_waiting_job_does_not_hold_up_the_others() {
        // One job blocks until the last one has run: with a single thread
        // (or jobs run on the waiting job's stack) this would never end.
        let (release, blocked) = sync_channel::<()>(1);
        let (done, finished) = sync_channel(2);
        let first = done.clone();
        spawn(move || {
            blocked.recv_timeout(Duration::from_secs(60)).unwrap();
            first.send("first").unwrap();
        });
        spawn(move || {
            done.send("second").unwrap();
            release.send(()).unwrap();
        });
        let order: Vec<_> = (0..2)
            .map(|_| finished.recv_timeout(Duration::from_secs(60)).unwrap())
            .collect();
        assert_eq!(order, ["second", "first"]);
    }
}

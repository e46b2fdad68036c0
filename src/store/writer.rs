//! Group commit: rooms hand their writes to one writer task per node, which
//! commits them in batches (at `batch_writes` writes or `batch_ms` after the
//! first, whichever comes first) and then tells each waiting sender that its
//! write is durable. While the database is unreachable, writes wait in the
//! queue and the batch is retried with backoff; a full queue refuses new
//! durable work up front (rooms check [`Writer::has_room`]); nothing queued
//! is dropped.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::{Store, StoreError, Write};
use crate::backoff::Backoff;
use crate::metrics::Metrics;

/// Group-commit settings, from config.
#[derive(Debug, Clone, Copy)]
pub struct WriterSettings {
    /// A batch is committed when it holds this many writes...
    pub batch_writes: usize,
    /// ...or this long after its first write arrived.
    pub batch_ms: u64,
    /// Writes allowed to wait (queued or being committed) before new
    /// durable work is refused.
    pub queue_writes: usize,
}

/// Resolves once the write is committed; an error means it never will be
/// (the node is stopping, or the database refused the row).
pub type Durable = oneshot::Receiver<()>;

struct Job {
    write: Write,
    done: Option<oneshot::Sender<()>>,
}

struct Shared {
    queued: AtomicUsize,
    capacity: usize,
    /// Why the last commit failed, while the store is failing.
    failing: Mutex<Option<String>>,
    metrics: Arc<Metrics>,
}

/// The handle rooms write through: cheap to clone.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::UnboundedSender<Job>,
    shared: Arc<Shared>,
}

/// Backoff between attempts while the database is unreachable.
const RETRY: Backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));

impl Writer {
    /// Starts the writer task. It stops once `stop` is cancelled and
    /// everything queued by then is committed (or, while the database stays
    /// down, when its task is dropped).
    pub fn spawn(
        store: Store,
        settings: WriterSettings,
        metrics: Arc<Metrics>,
        stop: CancellationToken,
    ) -> (Writer, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            queued: AtomicUsize::new(0),
            capacity: settings.queue_writes,
            failing: Mutex::new(None),
            metrics,
        });
        let task = tokio::spawn(run(store, settings, rx, Arc::clone(&shared), stop));
        (Writer { tx, shared }, task)
    }

    /// Whether the queue can take more durable work.
    pub fn has_room(&self) -> bool {
        self.shared.queued.load(Ordering::Relaxed) < self.shared.capacity
    }

    /// Queues a write nobody waits for (attendance, journal entries of
    /// connections). Never refused: callers check [`Writer::has_room`]
    /// before taking on the work that leads to it.
    pub fn submit(&self, write: Write) {
        self.enqueue(Job { write, done: None });
    }

    /// Queues a write and returns what resolves once it is committed.
    pub fn submit_durable(&self, write: Write) -> Durable {
        let (done, durable) = oneshot::channel();
        self.enqueue(Job { write, done: Some(done) });
        durable
    }

    fn enqueue(&self, job: Job) {
        let queued = self.shared.queued.fetch_add(1, Ordering::Relaxed) + 1;
        self.shared.metrics.store_queue.set(queued as i64);
        if self.tx.send(job).is_err() {
            // The writer has stopped (shutdown): the sender learns it was not
            // committed as its `done` is dropped.
            self.shared.queued.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// `Err(reason)` while commits fail or the queue is full.
    pub fn readiness(&self) -> Result<(), String> {
        if let Some(reason) = self.shared.failing.lock().map(|f| f.clone()).unwrap_or_default() {
            let queued = self.shared.queued.load(Ordering::Relaxed);
            return Err(format!("store writes failing ({queued} waiting): {reason}"));
        }
        if !self.has_room() {
            return Err("store write queue full".to_string());
        }
        Ok(())
    }

    /// Writes waiting (queued or being committed).
    pub fn queued(&self) -> usize {
        self.shared.queued.load(Ordering::Relaxed)
    }
}

async fn run(
    store: Store,
    settings: WriterSettings,
    mut rx: mpsc::UnboundedReceiver<Job>,
    shared: Arc<Shared>,
    stop: CancellationToken,
) {
    let batch_time = Duration::from_millis(settings.batch_ms);
    loop {
        let first = tokio::select! {
            job = rx.recv() => job,
            () = stop.cancelled() => rx.try_recv().ok(),
        };
        let Some(first) = first else { break };
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + batch_time;
        while batch.len() < settings.batch_writes {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) if stop.is_cancelled() => break,
                Err(_) => match tokio::time::timeout_at(deadline, rx.recv()).await {
                    Ok(Some(job)) => batch.push(job),
                    Ok(None) | Err(_) => break,
                },
            }
        }
        commit(&store, batch, &shared).await;
    }
    tracing::debug!("store writer stopped");
}

/// Commits `batch`, retrying while the database is unreachable. A batch the
/// database rejects is split into single writes so that one bad row cannot
/// hold back the others; a single rejected write is dropped (its sender is
/// told) and logged.
async fn commit(store: &Store, batch: Vec<Job>, shared: &Shared) {
    let (writes, dones): (Vec<Write>, Vec<Option<oneshot::Sender<()>>>) =
        batch.into_iter().map(|job| (job.write, job.done)).unzip();
    let mut pending = vec![(writes, dones)];
    let mut failures = 0;
    while let Some((writes, dones)) = pending.pop() {
        let started = Instant::now();
        match store.commit(&writes).await {
            Ok(()) => {
                failures = 0;
                if let Ok(mut failing) = shared.failing.lock()
                    && failing.take().is_some()
                {
                    tracing::info!("store writes succeed again");
                }
                shared.metrics.store_batch_writes.observe(writes.len() as f64);
                tracing::trace!(writes = writes.len(), elapsed = ?started.elapsed(), "batch committed");
                finish(dones, shared, true);
            }
            Err(error) if is_transient(&error) => {
                shared.metrics.store_write_failures.with_label_values(&["outage"]).inc();
                let first_failure = shared.failing.lock().map(|mut f| f.replace(error.to_string()).is_none());
                if first_failure.unwrap_or(true) {
                    tracing::warn!(%error, writes = writes.len(), "store unreachable: writes wait and are retried");
                }
                pending.push((writes, dones));
                failures += 1;
                tokio::time::sleep(RETRY.delay(failures)).await;
            }
            Err(error) if writes.len() > 1 => {
                shared.metrics.store_write_failures.with_label_values(&["rejected"]).inc();
                tracing::warn!(%error, writes = writes.len(), "a batch was rejected: committing its writes one by one");
                pending.extend(writes.into_iter().zip(dones).rev().map(|(write, done)| (vec![write], vec![done])));
            }
            Err(error) => {
                shared.metrics.store_write_failures.with_label_values(&["rejected"]).inc();
                tracing::error!(%error, write = ?writes, "the store rejected a write: it is not recorded");
                finish(dones, shared, false);
            }
        }
    }
}

/// Tells each waiting sender (when `committed`) and releases the queue.
fn finish(dones: Vec<Option<oneshot::Sender<()>>>, shared: &Shared, committed: bool) {
    let count = dones.len();
    if committed {
        for done in dones.into_iter().flatten() {
            let _ = done.send(());
        }
    }
    let queued = shared.queued.fetch_sub(count, Ordering::Relaxed) - count;
    shared.metrics.store_queue.set(queued as i64);
}

/// Whether a failure is the database being unreachable or busy (retry the
/// same batch later) rather than the database refusing the data.
fn is_transient(error: &StoreError) -> bool {
    let StoreError::Database(error) = error else { return false };
    match error {
        sqlx::Error::Database(db) => {
            // PostgreSQL: connection exceptions (08), insufficient resources
            // (53), operator intervention such as a shutdown (57), transaction
            // rollbacks (40). SQLite: busy (5) and locked (6).
            let code = db.code().unwrap_or_default();
            ["08", "53", "57", "40"].iter().any(|class| code.starts_with(class)) || code == "5" || code == "6"
        }
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        _ => false,
    }
}

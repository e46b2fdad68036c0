//! Group commit: rooms hand their writes to one writer task per node, which
//! commits them in batches (at `batch_writes` writes or a window after the
//! first, whichever comes first) and then tells each waiting sender that its
//! write is durable. The window is `batch_ms`, and [`BURST_FACTOR`] times
//! that while writes come in a burst (the previous batch held at least
//! [`BURST_WRITES`]): 10,000 answers in 2 s then make a few dozen commits, not
//! hundreds, each of which rewrites the pages it touched. While the database is unreachable, writes wait in the
//! queue and the batch is retried with backoff; nothing queued is dropped.
//!
//! The queue is bounded twice. Rooms check [`Writer::has_room`] before
//! taking on durable work (a command, a join), which is refused once
//! `queue_writes` writes wait. Some writes follow work already taken on and
//! cannot be refused: a connection's detach and the end of its attendance
//! stretch, completions a timer hands over, a restarted room's journal entry,
//! and the few writes of a handler that checked `has_room` just before the
//! queue filled. For them the channel holds a margin beyond `queue_writes`
//! ([`WriterSettings::capacity`]: a quarter more, at least 1024). Rooms never
//! wait for the writer (they call it synchronously and it uses `try_send`):
//! should the margin fill too (the database down for long while members keep
//! leaving), a write that does not fit is not queued but dropped, counted in
//! `amphi_store_writes_dropped_total` by kind (`input`, `joined`, `left`,
//! `completions`) and logged once per overflow; a durable one's sender is told
//! it was not committed (the client gets `unavailable` and retries), and a
//! dropped journal entry is missing when its room is rebuilt.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::error::TrySendError;
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

/// A batch of at least this many writes means a burst: the next window is
/// longer (see [`window`]).
pub const BURST_WRITES: usize = 32;
/// How much longer the window is during a burst.
pub const BURST_FACTOR: u32 = 4;

/// How long a batch waits for more writes after its first, given the size
/// of the batch before it. In a burst a longer wait costs an acknowledgement
/// a few milliseconds and saves the store most of its commits: each commit
/// writes every page it touched (the journal's index pages are scattered by
/// member), and fsyncs.
pub fn window(settings: &WriterSettings, previous_batch: usize) -> Duration {
    let quiet = Duration::from_millis(settings.batch_ms);
    if previous_batch >= BURST_WRITES { quiet * BURST_FACTOR } else { quiet }
}

/// The least margin the queue keeps beyond `queue_writes` for the writes
/// rooms cannot refuse.
const MIN_MARGIN: usize = 1024;

impl WriterSettings {
    /// Writes the queue holds at most: `queue_writes`, where rooms stop
    /// taking on durable work, plus a margin (a quarter of it, at least
    /// [`MIN_MARGIN`]) for the writes that cannot be refused. Beyond it a
    /// write is dropped and counted (see the module's documentation).
    pub fn capacity(&self) -> usize {
        let margin = (self.queue_writes / 4).max(MIN_MARGIN);
        self.queue_writes.saturating_add(margin).min(tokio::sync::Semaphore::MAX_PERMITS)
    }
}

/// Resolves once the write is committed; an error means it never will be
/// (the node is stopping, the queue overflowed, or the database refused the
/// row).
pub type Durable = oneshot::Receiver<()>;

struct Job {
    write: Write,
    done: Option<oneshot::Sender<()>>,
}

struct Shared {
    queued: AtomicUsize,
    /// Waiting writes from which durable work is refused.
    queue_writes: usize,
    /// Why the last commit failed, while the store is failing.
    failing: Mutex<Option<String>>,
    /// Whether a write was dropped since the queue was last below
    /// `queue_writes` (the error is logged once per overflow).
    overflowing: AtomicBool,
    metrics: Arc<Metrics>,
}

/// The handle rooms write through: cheap to clone.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
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
        let (writer, rx) = Writer::unstarted(settings, metrics);
        let task = tokio::spawn(run(store, settings, rx, Arc::clone(&writer.shared), stop));
        (writer, task)
    }

    /// The handle and the queue its task is to drain (started by
    /// [`Writer::spawn`]; the tests fill the queue before starting it).
    fn unstarted(settings: WriterSettings, metrics: Arc<Metrics>) -> (Writer, mpsc::Receiver<Job>) {
        let (tx, rx) = mpsc::channel(settings.capacity());
        let shared = Arc::new(Shared {
            queued: AtomicUsize::new(0),
            queue_writes: settings.queue_writes,
            failing: Mutex::new(None),
            overflowing: AtomicBool::new(false),
            metrics,
        });
        (Writer { tx, shared }, rx)
    }

    /// Whether the queue can take more durable work.
    pub fn has_room(&self) -> bool {
        self.shared.queued.load(Ordering::Relaxed) < self.shared.queue_writes
    }

    /// Queues a write nobody waits for (attendance, journal entries of
    /// connections, completions). Not refused when [`Writer::has_room`] is
    /// false: callers check it before taking on the work that leads to it,
    /// and the queue keeps a margin for the writes that follow; a write
    /// beyond the margin is dropped and counted.
    pub fn submit(&self, write: Write) {
        self.enqueue(Job { write, done: None });
    }

    /// Queues a write and returns what resolves once it is committed.
    pub fn submit_durable(&self, write: Write) -> Durable {
        let (done, durable) = oneshot::channel();
        self.enqueue(Job { write, done: Some(done) });
        durable
    }

    /// Hands `job` to the writer task without waiting: rooms call this
    /// synchronously.
    fn enqueue(&self, job: Job) {
        let queued = self.shared.queued.fetch_add(1, Ordering::Relaxed) + 1;
        self.shared.metrics.store_queue.set(queued as i64);
        match self.tx.try_send(job) {
            Ok(()) => {}
            // Beyond the margin: dropped, counted; a durable write's sender
            // learns it was not committed as its `done` is dropped.
            Err(TrySendError::Full(job)) => {
                self.release_one();
                self.shared.metrics.store_writes_dropped.with_label_values(&[kind_of(&job.write)]).inc();
                if !self.shared.overflowing.swap(true, Ordering::Relaxed) {
                    tracing::error!(
                        capacity = self.tx.max_capacity(),
                        "the store write queue overflows: writes are dropped (amphi_store_writes_dropped_total)"
                    );
                }
            }
            // The writer has stopped (shutdown): the sender learns it was
            // not committed as its `done` is dropped.
            Err(TrySendError::Closed(_)) => self.release_one(),
        }
    }

    /// Takes back the count of a write that was not queued.
    fn release_one(&self) {
        let queued = self.shared.queued.fetch_sub(1, Ordering::Relaxed) - 1;
        self.shared.metrics.store_queue.set(queued as i64);
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

/// A write's kind, as the dropped-writes metric labels it.
fn kind_of(write: &Write) -> &'static str {
    match write {
        Write::Input(_) => "input",
        Write::Joined(_) => "joined",
        Write::Left { .. } => "left",
        Write::Completions(_) => "completions",
    }
}

async fn run(
    store: Store,
    settings: WriterSettings,
    mut rx: mpsc::Receiver<Job>,
    shared: Arc<Shared>,
    stop: CancellationToken,
) {
    let mut previous_batch = 0;
    loop {
        let first = tokio::select! {
            job = rx.recv() => job,
            () = stop.cancelled() => rx.try_recv().ok(),
        };
        let Some(first) = first else { break };
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + window(&settings, previous_batch);
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
        previous_batch = batch.len();
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

/// Releases the queue, then tells each waiting sender (when `committed`):
/// whoever learns of the commit finds the queue released.
fn finish(dones: Vec<Option<oneshot::Sender<()>>>, shared: &Shared, committed: bool) {
    let count = dones.len();
    let queued = shared.queued.fetch_sub(count, Ordering::Relaxed) - count;
    shared.metrics.store_queue.set(queued as i64);
    if queued < shared.queue_writes && shared.overflowing.swap(false, Ordering::Relaxed) {
        tracing::info!("the store write queue has room again: writes are no longer dropped");
    }
    if committed {
        for done in dones.into_iter().flatten() {
            let _ = done.send(());
        }
    }
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

#[cfg(test)]
mod tests {
    //! The writer against a real SQLite store. The queue is filled before
    //! the writer task starts where a test needs to know what a batch holds.

    use std::future::Future;

    use amphi_protocol::Role;
    use tokio::sync::oneshot::error::TryRecvError;
    use uuid::Uuid;

    use super::*;
    use crate::store::{AttendanceRecord, InputKind, InputRecord, Pool};

    /// Generous bound on any wait: far beyond what the step needs, and below
    /// the 60 s `batch_ms` the tests use to show a batch did not wait it out.
    const PATIENCE: Duration = Duration::from_secs(30);

    async fn sqlite_store(dir: &tempfile::TempDir) -> Store {
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("amphi.db").display());
        Store::connect(&url, Arc::new(Metrics::new())).await.unwrap()
    }

    fn settings(batch_writes: usize, batch_ms: u64, queue_writes: usize) -> WriterSettings {
        WriterSettings { batch_writes, batch_ms, queue_writes }
    }

    #[test]
    fn the_window_grows_during_a_burst_and_shrinks_after_it() {
        let settings = settings(512, 5, 1000);
        assert_eq!(window(&settings, 0), Duration::from_millis(5), "the first batch");
        assert_eq!(window(&settings, BURST_WRITES - 1), Duration::from_millis(5), "a quiet room");
        assert_eq!(window(&settings, BURST_WRITES), Duration::from_millis(20), "a burst");
        assert_eq!(window(&settings, 512), Duration::from_millis(20));
        assert_eq!(window(&settings, 1), Duration::from_millis(5), "the burst is over");
    }

    fn input(room: Uuid, position: i64) -> Write {
        Write::Input(InputRecord {
            room,
            position,
            at: 1_790_000_000_000 + position,
            member: "u1".into(),
            member_name: "Camille".into(),
            role: Some(Role::Participant),
            guest: false,
            kind: InputKind::Quiz,
            action: Some("answer".into()),
            client_id: Some(format!("c{position}")),
            body: Some("{}".into()),
        })
    }

    fn stretch(room: Uuid) -> AttendanceRecord {
        AttendanceRecord {
            room,
            member: "u1".into(),
            member_name: "Camille".into(),
            role: Role::Participant,
            guest: false,
            joined_at: 1_790_000_000_000,
            left_at: None,
        }
    }

    /// Starts the task draining `rx`, as [`Writer::spawn`] does.
    fn start(
        store: &Store,
        settings: WriterSettings,
        writer: &Writer,
        rx: mpsc::Receiver<Job>,
        stop: &CancellationToken,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(run(store.clone(), settings, rx, Arc::clone(&writer.shared), stop.clone()))
    }

    async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
        tokio::time::timeout(PATIENCE, future).await.unwrap_or_else(|_| panic!("{what}: not within {PATIENCE:?}"))
    }

    async fn eventually(what: &str, condition: impl Fn() -> bool) {
        within(what, async {
            while !condition() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
    }

    async fn positions(store: &Store, room: Uuid) -> Vec<i64> {
        store.inputs(room).await.unwrap().iter().map(|input| input.position).collect()
    }

    fn dropped(metrics: &Metrics, kind: &str) -> u64 {
        metrics.store_writes_dropped.with_label_values(&[kind]).get()
    }

    #[test]
    fn the_queue_holds_a_margin_beyond_queue_writes() {
        assert_eq!(settings(512, 5, 200_000).capacity(), 250_000, "a quarter more");
        assert_eq!(settings(1, 5, 3).capacity(), 3 + MIN_MARGIN, "at least the least margin");
        assert_eq!(settings(1, 5, usize::MAX).capacity(), tokio::sync::Semaphore::MAX_PERMITS);
    }

    #[tokio::test]
    async fn a_full_batch_commits_at_batch_writes_without_waiting_out_batch_ms() {
        let dir = tempfile::tempdir().unwrap();
        let store = sqlite_store(&dir).await;
        let metrics = Arc::new(Metrics::new());
        let settings = settings(4, 60_000, 64);
        let (writer, rx) = Writer::unstarted(settings, Arc::clone(&metrics));
        let room = Uuid::new_v4();
        let receipts: Vec<Durable> = (1..=8).map(|position| writer.submit_durable(input(room, position))).collect();
        let stop = CancellationToken::new();
        let task = start(&store, settings, &writer, rx, &stop);
        for receipt in receipts {
            within("a full batch's commit", receipt).await.expect("committed");
        }
        assert_eq!(metrics.store_batch_writes.get_sample_count(), 2, "two batches");
        assert_eq!(metrics.store_batch_writes.get_sample_sum() as u64, 8, "of four writes each");
        assert_eq!(positions(&store, room).await, (1..=8).collect::<Vec<_>>());
        stop.cancel();
        within("the writer's stop", task).await.unwrap();
    }

    #[tokio::test]
    async fn a_partial_batch_commits_once_batch_ms_has_passed() {
        let dir = tempfile::tempdir().unwrap();
        let store = sqlite_store(&dir).await;
        let metrics = Arc::new(Metrics::new());
        let settings = settings(64, 300, 64);
        let stop = CancellationToken::new();
        let (writer, task) = Writer::spawn(store.clone(), settings, Arc::clone(&metrics), stop.clone());
        let room = Uuid::new_v4();
        let submitted = Instant::now();
        let receipts: Vec<Durable> = (1..=3).map(|position| writer.submit_durable(input(room, position))).collect();
        for receipt in receipts {
            within("a partial batch's commit", receipt).await.expect("committed");
        }
        assert!(submitted.elapsed() >= Duration::from_millis(300), "the batch waited for more writes");
        assert_eq!(metrics.store_batch_writes.get_sample_count(), 1, "the three writes went together");
        assert_eq!(metrics.store_batch_writes.get_sample_sum() as u64, 3);
        assert_eq!(positions(&store, room).await, [1, 2, 3]);
        stop.cancel();
        within("the writer's stop", task).await.unwrap();
    }

    #[tokio::test]
    async fn a_durable_write_resolves_only_once_committed() {
        let dir = tempfile::tempdir().unwrap();
        let store = sqlite_store(&dir).await;
        let metrics = Arc::new(Metrics::new());
        // Another connection holds SQLite's write lock: the writer's commit
        // fails as busy (after `busy_timeout`) and is retried.
        let Pool::Sqlite(pool) = &store.pool else { unreachable!("a SQLite store") };
        let mut lock = pool.acquire().await.unwrap();
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *lock).await.unwrap();
        let stop = CancellationToken::new();
        let (writer, task) = Writer::spawn(store.clone(), settings(8, 5, 64), Arc::clone(&metrics), stop.clone());
        let room = Uuid::new_v4();
        let mut receipt = writer.submit_durable(input(room, 1));
        let outages = || metrics.store_write_failures.with_label_values(&["outage"]).get();
        eventually("a failed commit", || outages() > 0).await;
        assert_eq!(receipt.try_recv(), Err(TryRecvError::Empty), "not resolved before its commit");
        assert!(positions(&store, room).await.is_empty());
        assert_eq!(writer.queued(), 1, "it waits in the queue");
        let readiness = writer.readiness().unwrap_err();
        assert!(readiness.contains("store writes failing (1 waiting)"), "{readiness}");
        sqlx::query("ROLLBACK").execute(&mut *lock).await.unwrap();
        drop(lock);
        within("the commit once the lock is gone", receipt).await.expect("committed");
        assert_eq!(positions(&store, room).await, [1], "resolved once stored");
        assert_eq!(writer.readiness(), Ok(()));
        stop.cancel();
        within("the writer's stop", task).await.unwrap();
    }

    #[tokio::test]
    async fn has_room_is_false_at_queue_writes_and_true_again_after_a_commit() {
        let dir = tempfile::tempdir().unwrap();
        let store = sqlite_store(&dir).await;
        let metrics = Arc::new(Metrics::new());
        let settings = settings(4, 5, 4);
        let (writer, rx) = Writer::unstarted(settings, Arc::clone(&metrics));
        let room = Uuid::new_v4();
        writer.submit(Write::Joined(stretch(room)));
        let first = writer.submit_durable(input(room, 1));
        writer.submit(input(room, 2));
        assert!(writer.has_room(), "three writes wait, four may");
        assert_eq!(writer.readiness(), Ok(()));
        let last = writer.submit_durable(input(room, 3));
        assert!(!writer.has_room(), "four writes wait");
        assert_eq!(writer.readiness(), Err("store write queue full".to_string()));
        assert_eq!((writer.queued(), metrics.store_queue.get()), (4, 4));
        let stop = CancellationToken::new();
        let task = start(&store, settings, &writer, rx, &stop);
        within("the first commit", first).await.expect("committed");
        within("the last commit", last).await.expect("committed");
        assert!(writer.has_room(), "the commit released the queue");
        assert_eq!((writer.queued(), metrics.store_queue.get()), (0, 0));
        assert_eq!(writer.readiness(), Ok(()));
        assert_eq!(positions(&store, room).await, [1, 2, 3]);
        stop.cancel();
        within("the writer's stop", task).await.unwrap();
    }

    #[tokio::test]
    async fn on_stop_everything_queued_is_committed() {
        let dir = tempfile::tempdir().unwrap();
        let store = sqlite_store(&dir).await;
        let metrics = Arc::new(Metrics::new());
        let settings = settings(4, 60_000, 64);
        let (writer, rx) = Writer::unstarted(settings, Arc::clone(&metrics));
        let room = Uuid::new_v4();
        let joined = stretch(room);
        writer.submit(Write::Joined(joined.clone()));
        for position in 1..=8 {
            writer.submit(input(room, position));
        }
        let durable = writer.submit_durable(input(room, 9));
        writer.submit(Write::Left {
            room,
            member: joined.member.clone(),
            joined_at: joined.joined_at,
            at: joined.joined_at + 60_000,
        });
        let stop = CancellationToken::new();
        stop.cancel();
        // The last batch is not full: it is committed at once, not after
        // `batch_ms`, as the writer is stopping.
        within("the writer's stop", start(&store, settings, &writer, rx, &stop)).await.unwrap();
        assert_eq!(positions(&store, room).await, (1..=9).collect::<Vec<_>>());
        let left = AttendanceRecord { left_at: Some(joined.joined_at + 60_000), ..joined };
        assert_eq!(store.attendance(&[room]).await.unwrap(), [left]);
        assert_eq!(durable.await, Ok(()), "the durable write was told");
        assert_eq!(writer.queued(), 0);
        assert_eq!(metrics.store_batch_writes.get_sample_sum() as u64, 11);
    }

    #[tokio::test]
    async fn beyond_its_margin_the_queue_drops_writes_and_counts_them() {
        let dir = tempfile::tempdir().unwrap();
        let store = sqlite_store(&dir).await;
        let metrics = Arc::new(Metrics::new());
        let settings = settings(256, 5, 256);
        let capacity = settings.capacity();
        let last = i64::try_from(capacity).unwrap();
        let (writer, rx) = Writer::unstarted(settings, Arc::clone(&metrics));
        let room = Uuid::new_v4();
        // Past `queue_writes` rooms take on no durable work, but what
        // cannot be refused is still queued, up to the margin.
        for position in 1..=last {
            writer.submit(input(room, position));
        }
        assert!(!writer.has_room());
        assert_eq!(writer.queued(), capacity);
        assert_eq!(dropped(&metrics, "input"), 0, "nothing dropped within the margin");
        writer.submit(input(room, last + 1));
        let mut durable = writer.submit_durable(input(room, last + 2));
        writer.submit(Write::Left { room, member: "u1".into(), joined_at: 1, at: 2 });
        assert_eq!(durable.try_recv(), Err(TryRecvError::Closed), "told at once it will not be committed");
        assert_eq!((dropped(&metrics, "input"), dropped(&metrics, "left")), (2, 1));
        assert_eq!(dropped(&metrics, "joined") + dropped(&metrics, "completions"), 0);
        assert_eq!((writer.queued(), metrics.store_queue.get()), (capacity, last), "the dropped are not counted");
        let stop = CancellationToken::new();
        let task = start(&store, settings, &writer, rx, &stop);
        eventually("the queue drained", || writer.queued() == 0).await;
        let after = writer.submit_durable(input(room, last + 3));
        within("a write after the overflow", after).await.expect("committed");
        let mut expected: Vec<i64> = (1..=last).collect();
        expected.push(last + 3);
        assert_eq!(positions(&store, room).await, expected, "all that was queued, none of the dropped");
        assert_eq!(dropped(&metrics, "input"), 2);
        stop.cancel();
        within("the writer's stop", task).await.unwrap();
    }
}

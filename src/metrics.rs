//! Prometheus metrics, all prefixed `amphi_`, served at `/metrics`.

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

/// Every metric the server records. Cheap to share (`Arc`), lock-free to
/// update.
pub struct Metrics {
    registry: Registry,
    /// Open WebSocket connections.
    pub connections: IntGauge,
    /// Room actors running on this node.
    pub rooms: IntGauge,
    /// Frames received, by message type.
    pub frames_in: IntCounterVec,
    /// Frames sent, by message type.
    pub frames_out: IntCounterVec,
    /// Events left out for protocol 2 connections (said by their ack or by
    /// the next event): not queued (a close), or queued, counted in
    /// `frames_out`, and not written (an answer's acceptance).
    pub frames_folded: IntCounter,
    /// Time from an event's creation to the end of its local fan-out.
    pub fanout_seconds: Histogram,
    /// Requests waiting in a room's mailbox, sampled as each is handled.
    pub mailbox_depth: Histogram,
    /// Connections closed because their outbound queue was full.
    pub slow_consumers: IntCounter,
    /// Error frames sent, by code.
    pub errors: IntCounterVec,
    /// Connections closed by the server, by close code.
    pub closes: IntCounterVec,
    /// Store call latency, by operation.
    pub store_seconds: HistogramVec,
    /// Writes waiting for the store (queued or in the batch being committed).
    pub store_queue: IntGauge,
    /// Writes per committed batch (group commit).
    pub store_batch_writes: Histogram,
    /// Batches that failed to commit and were retried, by reason
    /// (`outage`, `rejected`).
    pub store_write_failures: IntCounterVec,
    /// Writes dropped because the store's queue was full beyond its margin
    /// for the writes rooms cannot refuse, by kind (`input`, `joined`,
    /// `left`, `completions`).
    pub store_writes_dropped: IntCounterVec,
    /// Outbox deliveries, by outcome (`delivered`, `failed`).
    pub outbox_deliveries: IntCounterVec,
    /// Invitation and reminder e-mails, by kind and outcome (`sent`,
    /// `failed`, `skipped`).
    pub mails: IntCounterVec,
    /// With several nodes: time from queueing a message for Redis to its
    /// publication.
    pub bus_publish_seconds: Histogram,
    /// Messages for Redis dropped (Redis away or the queue full).
    pub bus_dropped: IntCounter,
    /// Gaps seen in a room's events from another node.
    pub bus_gaps: IntCounter,
    /// Room events this node's subscription received from Redis (decoded
    /// or not): what the node pays for the rooms it follows.
    pub bus_events_received: IntCounter,
    /// Rooms run by other nodes whose events this node subscribes to (the
    /// ones with local connections).
    pub bus_rooms_followed: IntGauge,
    /// Rooms resynced (their local connections sent to resume).
    pub resyncs: IntCounter,
    /// Calls received from other nodes for rooms owned here.
    pub forwarded_commands: IntCounter,
    /// Rooms started here from the journal of an earlier owner.
    pub lease_takeovers: IntCounter,
    /// Abuse refused or neutralised, by kind (issue #17; the kinds are
    /// listed in SECURITY.md).
    pub abuse: IntCounterVec,
    /// Effects (video meetings, chat posts) dropped because the effects
    /// runner's queue was full.
    pub effects_dropped: IntCounter,
    /// Attaches retried while their room moved to another node.
    pub attach_retries: IntCounter,
    /// Waits for a stored room's lease while Redis settled after coming back empty.
    pub lease_settling_waits: IntCounter,
    /// Uploaded files kept (distinct blobs), and their bytes on disk.
    pub blobs: IntGauge,
    pub blob_bytes: IntGauge,
    /// Badge awards issued (once per badge and recipient).
    pub badge_awards: IntCounter,
    /// Credentials verified, by verdict.
    pub badge_verifications: IntCounterVec,
    /// Link cards asked for, by outcome (`ok`, `invalid`, `refused`,
    /// `unreachable`, `rate_limited`, `quota_exceeded`).
    pub link_previews: IntCounterVec,
}

impl Metrics {
    /// The registry, for a module that keeps its own metrics (LTI).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn new() -> Metrics {
        let registry = Registry::new_custom(Some("amphi".into()), None).expect("valid prefix");
        let connections = IntGauge::new("connections", "Open WebSocket connections").unwrap();
        let rooms = IntGauge::new("rooms", "Room actors running on this node").unwrap();
        let frames_in =
            IntCounterVec::new(Opts::new("frames_in_total", "Frames received, by message type"), &["type"]).unwrap();
        let frames_out =
            IntCounterVec::new(Opts::new("frames_out_total", "Frames sent, by message type"), &["type"]).unwrap();
        let frames_folded = IntCounter::new(
            "frames_folded_total",
            "Events left out for protocol 2 connections (their ack or the next event says them)",
        )
        .unwrap();
        let fanout_seconds = Histogram::with_opts(
            HistogramOpts::new("fanout_seconds", "Time from an event's creation to the end of its local fan-out")
                .buckets(vec![0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0]),
        )
        .unwrap();
        let mailbox_depth = Histogram::with_opts(
            HistogramOpts::new("room_mailbox_depth", "Requests waiting in a room mailbox, sampled as each is handled")
                .buckets(vec![0.0, 1.0, 4.0, 16.0, 64.0, 256.0, 1024.0]),
        )
        .unwrap();
        let slow_consumers =
            IntCounter::new("slow_consumers_total", "Connections closed because their outbound queue was full")
                .unwrap();
        let errors = IntCounterVec::new(Opts::new("errors_total", "Error frames sent, by code"), &["code"]).unwrap();
        let closes =
            IntCounterVec::new(Opts::new("closes_total", "Connections closed by the server, by close code"), &["code"])
                .unwrap();
        let store_seconds = HistogramVec::new(
            HistogramOpts::new("store_seconds", "Store call latency, by operation")
                .buckets(vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0]),
            &["op"],
        )
        .unwrap();
        let store_queue =
            IntGauge::new("store_queue", "Writes waiting for the store (queued or being committed)").unwrap();
        let store_batch_writes = Histogram::with_opts(
            HistogramOpts::new("store_batch_writes", "Writes per committed batch (group commit)")
                .buckets(vec![1.0, 2.0, 4.0, 16.0, 64.0, 256.0, 1024.0, 4096.0]),
        )
        .unwrap();
        let store_write_failures = IntCounterVec::new(
            Opts::new("store_write_failures_total", "Batches that failed to commit, by reason"),
            &["reason"],
        )
        .unwrap();
        let store_writes_dropped = IntCounterVec::new(
            Opts::new("store_writes_dropped_total", "Writes dropped because the store's queue overflowed, by kind"),
            &["kind"],
        )
        .unwrap();
        let outbox_deliveries =
            IntCounterVec::new(Opts::new("outbox_deliveries_total", "Outbox deliveries, by outcome"), &["outcome"])
                .unwrap();
        let mails = IntCounterVec::new(
            Opts::new("mails_total", "Invitation and reminder e-mails, by kind and outcome"),
            &["kind", "outcome"],
        )
        .unwrap();
        let bus_publish_seconds = Histogram::with_opts(
            HistogramOpts::new("bus_publish_seconds", "Time from queueing a message for Redis to its publication")
                .buckets(vec![0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0]),
        )
        .unwrap();
        let bus_dropped = IntCounter::new("bus_dropped_total", "Messages for Redis dropped").unwrap();
        let bus_gaps = IntCounter::new("bus_gaps_total", "Gaps seen in a room's events from another node").unwrap();
        let bus_events_received =
            IntCounter::new("bus_events_received_total", "Room events received from Redis by this node").unwrap();
        let bus_rooms_followed =
            IntGauge::new("bus_rooms_followed", "Rooms of other nodes whose events this node subscribes to").unwrap();
        let resyncs = IntCounter::new("resyncs_total", "Rooms whose local connections were sent to resume").unwrap();
        let forwarded_commands =
            IntCounter::new("forwarded_calls_total", "Calls received from other nodes for rooms owned here").unwrap();
        let lease_takeovers =
            IntCounter::new("lease_takeovers_total", "Rooms started here from the journal of an earlier owner")
                .unwrap();
        let abuse =
            IntCounterVec::new(Opts::new("abuse_total", "Abuse refused or neutralised, by kind"), &["kind"]).unwrap();
        let effects_dropped =
            IntCounter::new("effects_dropped_total", "Effects dropped because the effects queue was full").unwrap();
        let attach_retries =
            IntCounter::new("attach_retries_total", "Attaches retried while their room moved to another node").unwrap();
        let lease_settling_waits = IntCounter::new(
            "lease_settling_waits_total",
            "Waits for a stored room's lease while Redis settled after coming back empty",
        )
        .unwrap();
        let blobs = IntGauge::new("blobs", "Uploaded files kept (distinct blobs)").unwrap();
        let blob_bytes = IntGauge::new("blob_bytes", "Bytes of the uploaded files kept").unwrap();
        let badge_awards = IntCounter::new("badge_awards_total", "Badge awards issued").unwrap();
        let link_previews =
            IntCounterVec::new(Opts::new("link_previews_total", "Link cards asked for, by outcome"), &["outcome"])
                .unwrap();
        let badge_verifications = IntCounterVec::new(
            Opts::new("badge_verifications_total", "Credentials verified, by verdict"),
            &["verdict"],
        )
        .unwrap();
        for collector in [
            Box::new(connections.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(rooms.clone()),
            Box::new(frames_in.clone()),
            Box::new(frames_out.clone()),
            Box::new(frames_folded.clone()),
            Box::new(fanout_seconds.clone()),
            Box::new(mailbox_depth.clone()),
            Box::new(slow_consumers.clone()),
            Box::new(errors.clone()),
            Box::new(closes.clone()),
            Box::new(store_seconds.clone()),
            Box::new(store_queue.clone()),
            Box::new(store_batch_writes.clone()),
            Box::new(store_write_failures.clone()),
            Box::new(store_writes_dropped.clone()),
            Box::new(outbox_deliveries.clone()),
            Box::new(mails.clone()),
            Box::new(bus_publish_seconds.clone()),
            Box::new(bus_dropped.clone()),
            Box::new(bus_gaps.clone()),
            Box::new(bus_events_received.clone()),
            Box::new(bus_rooms_followed.clone()),
            Box::new(resyncs.clone()),
            Box::new(forwarded_commands.clone()),
            Box::new(lease_takeovers.clone()),
            Box::new(abuse.clone()),
            Box::new(effects_dropped.clone()),
            Box::new(attach_retries.clone()),
            Box::new(lease_settling_waits.clone()),
            Box::new(blobs.clone()),
            Box::new(blob_bytes.clone()),
            Box::new(badge_awards.clone()),
            Box::new(badge_verifications.clone()),
            Box::new(link_previews.clone()),
        ] {
            registry.register(collector).expect("metric names are unique");
        }
        Metrics {
            registry,
            connections,
            rooms,
            frames_in,
            frames_out,
            frames_folded,
            fanout_seconds,
            mailbox_depth,
            slow_consumers,
            errors,
            closes,
            store_seconds,
            store_queue,
            store_batch_writes,
            store_write_failures,
            store_writes_dropped,
            outbox_deliveries,
            mails,
            bus_publish_seconds,
            bus_dropped,
            bus_gaps,
            bus_events_received,
            bus_rooms_followed,
            resyncs,
            forwarded_commands,
            lease_takeovers,
            abuse,
            effects_dropped,
            attach_retries,
            lease_settling_waits,
            blobs,
            blob_bytes,
            badge_awards,
            badge_verifications,
            link_previews,
        }
    }

    /// The registry in Prometheus text format.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer).expect("text encoding cannot fail");
        String::from_utf8(buffer).expect("Prometheus text is UTF-8")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

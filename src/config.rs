//! Typed configuration: `config/default.toml` (compiled in), then an optional
//! file, then `AMPHI_*` environment variables, validated once at start.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format as _, Toml};
use serde::Deserialize;

/// The embedded defaults, documented line by line.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// A configuration that could not be loaded or is invalid.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] Box<figment::Error>),
    #[error("configuration: {key}: {message}")]
    Invalid { key: &'static str, message: String },
}

/// The top-level keys (sections included), for environment variables.
const KEYS: [&str; 26] = [
    "badges",
    "statistics",
    "listen",
    "data_dir",
    "database_url",
    "redis_url",
    "node_id",
    "jwt_secret",
    "web_dir",
    "allowed_origins",
    "log_format",
    "log_level",
    "limits",
    "http",
    "websocket",
    "time",
    "rooms",
    "auth",
    "store",
    "outbox",
    "board",
    "cluster",
    "bbb",
    "smtp",
    "invitations",
    "lti",
];

/// Everything the server reads from its settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub redis_url: String,
    pub node_id: String,
    pub jwt_secret: String,
    pub web_dir: PathBuf,
    pub allowed_origins: Vec<String>,
    pub log_format: LogFormat,
    pub log_level: String,
    pub limits: Limits,
    pub http: HttpConfig,
    pub websocket: WebSocketConfig,
    pub rooms: RoomsConfig,
    pub auth: AuthConfig,
    pub store: StoreConfig,
    pub outbox: OutboxConfig,
    pub board: BoardConfig,
    pub cluster: ClusterConfig,
    pub bbb: crate::bbb::BbbConfig,
    pub smtp: crate::invitations::SmtpConfig,
    pub invitations: crate::invitations::InvitationsConfig,
    pub lti: crate::lti::LtiConfig,
    pub time: crate::local_time::TimeConfig,
    pub badges: crate::badges::BadgesConfig,
    pub statistics: StatisticsConfig,
}

/// Usage statistics (`/api/v1/admin/statistics`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatisticsConfig {
    /// No published cell describes fewer people than this.
    pub min_people: u32,
    /// How often the journal's new inputs are rolled up for the statistics
    /// (seconds; newer ones are read from the journal itself).
    pub rollup_interval_s: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub max_frame_bytes: usize,
    pub hard_max_frame_bytes: usize,
    pub commands_per_second: u32,
    pub command_burst: u32,
    pub max_name_chars: usize,
    pub max_text_chars: usize,
    pub max_title_chars: usize,
    pub max_rooms_per_connection: usize,
    pub max_members_per_room: usize,
    pub max_client_id_chars: usize,
    pub guest_join_burst_per_address: u32,
    pub guest_joins_per_minute_per_address: u32,
    pub guest_join_burst_per_room: u32,
    pub guest_joins_per_minute_per_room: u32,
    pub failed_join_codes_per_address: u32,
}

/// The HTTP server: header-read timeout, connections per address, HSTS.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    pub header_read_timeout_ms: u64,
    pub max_connections_per_address: usize,
    pub behind_tls: bool,
}

impl HttpConfig {
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_millis(self.header_read_timeout_ms)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSocketConfig {
    pub read_buffer_bytes: usize,
    pub write_buffer_bytes: usize,
    pub outbound_queue: usize,
    pub heartbeat_ms: u64,
    pub idle_timeout_ms: u64,
    pub handshake_timeout_ms: u64,
    pub write_timeout_ms: u64,
}

impl WebSocketConfig {
    pub fn heartbeat(&self) -> Duration {
        Duration::from_millis(self.heartbeat_ms)
    }
    pub fn idle_timeout(&self) -> Duration {
        Duration::from_millis(self.idle_timeout_ms)
    }
    pub fn handshake_timeout(&self) -> Duration {
        Duration::from_millis(self.handshake_timeout_ms)
    }
    pub fn write_timeout(&self) -> Duration {
        Duration::from_millis(self.write_timeout_ms)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomsConfig {
    pub mailbox: usize,
    pub history: usize,
    pub announcements_kept: usize,
    pub coalesce_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    pub batch_writes: usize,
    pub batch_ms: u64,
    pub queue_writes: usize,
    pub guest_retention_days: u64,
    pub trash_retention_days: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxConfig {
    pub endpoint: String,
    pub secret: String,
    pub poll_ms: u64,
    pub timeout_ms: u64,
    pub max_backoff_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardConfig {
    pub max_upload_bytes: u64,
    pub max_import_bytes: u64,
    pub max_import_ratio: u64,
    pub video_hosts: Vec<String>,
    /// Bytes of uploads kept per member, per room and per tenant (0: no
    /// limit); past one, `quota_exceeded`.
    pub upload_quota_per_member: u64,
    pub upload_quota_per_room: u64,
    pub upload_quota_per_tenant: u64,
    /// Uploads per member: a burst, then this many per minute (0 burst: no
    /// limit).
    pub upload_burst_per_member: u32,
    pub uploads_per_minute_per_member: u32,
    /// An upload nothing refers to is removed this long after it was stored.
    pub unreferenced_upload_grace_s: u64,
    /// How often the sweep of unreferenced uploads runs.
    pub upload_sweep_interval_s: u64,
    /// Link cards: fetched from public addresses only, off, or from any
    /// address (an intranet).
    pub link_previews: crate::media::preview::PreviewMode,
}

/// Several nodes (used when `redis_url` is set).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    pub lease_ms: u64,
    pub call_timeout_ms: u64,
    pub commit_timeout_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    pub resume_ttl_hours: u64,
    pub token_ttl_hours: u64,
}

impl Config {
    /// Loads defaults, then `file` if given, then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        Self::load_from(file, Env::prefixed("AMPHI_").split("__"))
    }

    /// The embedded defaults alone (tests start from these).
    pub fn defaults() -> Config {
        Figment::from(Toml::string(DEFAULT_TOML))
            .extract()
            .expect("config/default.toml is valid (checked by a unit test)")
    }

    fn load_from(file: Option<&Path>, env: Env) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Toml::string(DEFAULT_TOML));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError::Invalid {
                    key: "--config",
                    message: format!("no such file: {}", path.display()),
                });
            }
            figment = figment.merge(Toml::file(path));
        }
        // `AMPHI_ALLOWED_ORIGINS=a,b` is easier to write than a TOML array.
        // Other `AMPHI_*` variables (tools use the prefix too) are left to
        // [`Config::unknown_env_vars`].
        let env = env
            .map(|key| key.as_str().to_ascii_lowercase().into())
            .filter(|key| KEYS.contains(&key.as_str().split('.').next().unwrap_or_default()));
        let mut config: Config = figment.merge(env.ignore(&["allowed_origins"])).extract().map_err(Box::new)?;
        if let Ok(origins) = std::env::var("AMPHI_ALLOWED_ORIGINS") {
            config.allowed_origins =
                origins.split(',').map(str::trim).filter(|o| !o.is_empty()).map(String::from).collect();
        }
        config.validate()?;
        Ok(config)
    }

    /// `AMPHI_*` environment variables that name no setting (probably
    /// typos; ignored), to be reported once logging is up.
    pub fn unknown_env_vars() -> Vec<String> {
        const TOOLS: [&str; 4] = ["AMPHI_BIN", "AMPHI_TEST_PG", "AMPHI_TEST_LOG", "AMPHI_WRITE_VECTORS"];
        std::env::vars()
            .map(|(key, _)| key)
            .filter(|key| key.starts_with("AMPHI_") && !TOOLS.contains(&key.as_str()))
            .filter(|key| {
                let setting = key["AMPHI_".len()..].split("__").next().unwrap_or_default().to_ascii_lowercase();
                !KEYS.contains(&setting.as_str())
            })
            .collect()
    }

    /// Checks what types alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        fn invalid(key: &'static str, message: impl Into<String>) -> Result<(), ConfigError> {
            Err(ConfigError::Invalid { key, message: message.into() })
        }
        if !self.jwt_secret.is_empty() && self.jwt_secret.len() < 32 {
            return invalid("jwt_secret", "must be at least 32 bytes long");
        }
        if !self.database_url.is_empty()
            && !["postgres://", "postgresql://", "sqlite:"].iter().any(|p| self.database_url.starts_with(p))
        {
            return invalid("database_url", "must start with postgres://, postgresql:// or sqlite:");
        }
        if !self.redis_url.is_empty() && !self.redis_url.starts_with("redis://") {
            return invalid("redis_url", "must start with redis://");
        }
        let l = &self.limits;
        if l.max_frame_bytes < 1024 || l.hard_max_frame_bytes < l.max_frame_bytes {
            return invalid(
                "limits.max_frame_bytes",
                "must be at least 1024 and not above limits.hard_max_frame_bytes",
            );
        }
        if l.commands_per_second == 0 || l.command_burst < l.commands_per_second {
            return invalid(
                "limits.command_burst",
                "must be at least limits.commands_per_second, which must be positive",
            );
        }
        if l.max_name_chars == 0 || l.max_text_chars == 0 || l.max_title_chars == 0 {
            return invalid("limits", "string limits must be positive");
        }
        if self.http.header_read_timeout_ms == 0 {
            return invalid("http.header_read_timeout_ms", "must be positive");
        }
        let ws = &self.websocket;
        if ws.outbound_queue < 16 {
            return invalid("websocket.outbound_queue", "must be at least 16");
        }
        if ws.heartbeat_ms == 0 || ws.idle_timeout_ms < 2 * ws.heartbeat_ms {
            return invalid("websocket.idle_timeout_ms", "must be at least twice websocket.heartbeat_ms");
        }
        if self.rooms.mailbox == 0 || self.rooms.history == 0 {
            return invalid("rooms", "mailbox and history must be positive");
        }
        let store = &self.store;
        if store.batch_writes == 0 || store.queue_writes < store.batch_writes {
            return invalid("store.queue_writes", "must be at least store.batch_writes, which must be positive");
        }
        if self.board.max_upload_bytes == 0 {
            return invalid("board.max_upload_bytes", "must be positive");
        }
        if self.board.upload_sweep_interval_s == 0 {
            return invalid("board.upload_sweep_interval_s", "must be positive");
        }
        if self.bbb.is_enabled()
            && let Err(error) = self.bbb.validate()
        {
            return invalid("bbb", error.to_string());
        }
        let cluster = &self.cluster;
        if cluster.lease_ms < 300 || cluster.call_timeout_ms == 0 || cluster.commit_timeout_ms == 0 {
            return invalid("cluster", "lease_ms is at least 300, call_timeout_ms and commit_timeout_ms positive");
        }
        if let Err(message) = self.smtp.validate() {
            return invalid("smtp", message);
        }
        if let Err(message) = self.invitations.validate() {
            return invalid("invitations", message);
        }
        if let Err(message) = self.lti.validate() {
            return invalid("lti", message);
        }
        if let Err(message) = self.time.validate() {
            return invalid("time", message);
        }
        if let Err(message) = self.badges.validate() {
            return invalid("badges", message);
        }
        if !(2..=1000).contains(&self.statistics.min_people) {
            return invalid("statistics.min_people", "must be between 2 and 1000");
        }
        if !(1..=86_400).contains(&self.statistics.rollup_interval_s) {
            return invalid("statistics.rollup_interval_s", "must be between 1 and 86400");
        }
        if self.smtp.is_enabled() && self.invitations.public_url.is_empty() {
            return invalid("invitations.public_url", "is needed to send invitations (smtp.host is set)");
        }
        let outbox = &self.outbox;
        if !outbox.endpoint.is_empty() && !["http://", "https://"].iter().any(|p| outbox.endpoint.starts_with(p)) {
            return invalid("outbox.endpoint", "must start with http:// or https://");
        }
        if outbox.poll_ms == 0 || outbox.timeout_ms == 0 || outbox.max_backoff_ms < 1000 {
            return invalid("outbox", "poll_ms and timeout_ms must be positive, max_backoff_ms at least 1000");
        }
        Ok(())
    }

    /// This node's name: `node_id`, or `<hostname>-<pid>`.
    pub fn node_name(&self) -> String {
        if !self.node_id.is_empty() {
            return self.node_id.clone();
        }
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "amphi".into());
        format!("{host}-{}", std::process::id())
    }

    /// The SQLite URL used when `database_url` is empty.
    pub fn effective_database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}?mode=rwc", self.data_dir.join("amphi.db").display())
        } else {
            self.database_url.clone()
        }
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err, reason = "figment::Jail closures return figment::Error")]
mod tests {
    use super::*;
    use figment::value::Dict;

    #[test]
    fn embedded_defaults_are_valid() {
        let config = Config::defaults();
        config.validate().unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert!(config.database_url.is_empty());
    }

    #[test]
    fn environment_overrides_top_level_and_section_keys() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("AMPHI_LISTEN", "0.0.0.0:9000");
            jail.set_env("AMPHI_LIMITS__MAX_FRAME_BYTES", "32768");
            jail.set_env("AMPHI_ALLOWED_ORIGINS", "https://a.example, https://b.example");
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(config.listen.to_string(), "0.0.0.0:9000");
            assert_eq!(config.limits.max_frame_bytes, 32768);
            assert_eq!(config.allowed_origins, vec!["https://a.example", "https://b.example"]);
            Ok(())
        });
    }

    #[test]
    fn a_file_overrides_defaults_and_unknown_keys_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("ok.toml", "listen = \"127.0.0.1:7000\"\n[rooms]\nhistory = 64\n")?;
            let config = Config::load(Some(Path::new("ok.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(config.listen.port(), 7000);
            assert_eq!(config.rooms.history, 64);
            jail.create_file("typo.toml", "lisen = \"127.0.0.1:7000\"\n")?;
            let error = Config::load(Some(Path::new("typo.toml"))).unwrap_err().to_string();
            assert!(error.contains("lisen"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn every_top_level_key_is_known_to_the_environment_filter() {
        let table: Dict = Figment::from(Toml::string(DEFAULT_TOML)).extract().unwrap();
        let mut keys: Vec<&str> = table.keys().map(String::as_str).collect();
        let mut known = KEYS.to_vec();
        keys.sort();
        known.sort();
        assert_eq!(keys, known);
    }

    #[test]
    fn other_amphi_variables_are_ignored_and_reported() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("AMPHI_BIN", "../target/debug/amphi");
            jail.set_env("AMPHI_LISEN", "0.0.0.0:1");
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(config.listen.port(), 8080);
            assert_eq!(Config::unknown_env_vars(), vec!["AMPHI_LISEN".to_string()]);
            Ok(())
        });
    }

    #[test]
    fn the_production_example_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/production.example.toml");
        let config = Config::load(Some(&path)).unwrap();
        assert_eq!(config.log_format, LogFormat::Json);
        assert!(config.database_url.starts_with("postgres://"));
    }

    #[test]
    fn invalid_values_are_named() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("AMPHI_JWT_SECRET", "short");
            let error = Config::load(None).unwrap_err().to_string();
            assert!(error.contains("jwt_secret"), "{error}");
            jail.set_env("AMPHI_JWT_SECRET", "");
            jail.set_env("AMPHI_LISTEN", "not an address");
            let error = Config::load(None).unwrap_err().to_string().to_lowercase();
            assert!(error.contains("listen"), "{error}");
            Ok(())
        });
    }
}

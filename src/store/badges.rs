//! Badges and their awards (migrations 0012, 0013): the badges trainers
//! attach to an activity or a series of them, and the awards issued when a
//! completion meets a badge's rule (for a series: once the recipient's
//! completion of every activity of it does), in the same transaction as the completion ([`award_completion!`],
//! used by `Store::commit`), once per badge and recipient (a UNIQUE key:
//! replays and several nodes change nothing). Signing and publishing are
//! `crate::badges`'s.

use std::time::Instant;

use sqlx::Row;
use uuid::Uuid;

use super::{Pool, Store, StoreError, now_ms};

/// A badge as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadgeRecord {
    pub id: Uuid,
    pub tenant: String,
    /// The room of the activity it recognises.
    pub activity: Uuid,
    pub name: String,
    pub description: String,
    pub criteria: String,
    /// The image's blob, once uploaded.
    pub image: Option<String>,
    /// `complete`, `passed` or `attendance`.
    pub rule: String,
    /// For `attendance`: the share of the ateliers' open time, in percent.
    pub min_percent: i32,
    /// Awards expire this many days after issuance; `None`: never.
    pub valid_days: Option<i32>,
    pub created_by: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

/// An award as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardRecord {
    pub id: Uuid,
    pub badge: Uuid,
    pub tenant: String,
    /// The member id of the completion.
    pub recipient: String,
    /// Their name as the room knew it ("" once a guest's name is purged).
    pub recipient_name: String,
    pub guest: bool,
    /// Hex salt of the recipient's hashed identifier.
    pub salt: String,
    pub score: i64,
    pub max_score: i64,
    /// Time present in the activity's room, in milliseconds.
    pub attended_ms: i64,
    pub issued_at: i64,
    pub expires_at: Option<i64>,
    /// Its bit in the tenant's revocation list.
    pub status_index: i64,
    /// The signed credential (VC-JWT), once first delivered.
    pub credential: Option<String>,
    pub revoked_at: Option<i64>,
    pub revocation_reason: Option<String>,
}

const BADGE_COLUMNS: &str = "id, tenant, activity, name, description, criteria, image, rule, min_percent, \
                             valid_days, created_by, created_at, retired_at";
const AWARD_COLUMNS: &str = "id, badge_id, tenant, recipient, recipient_name, guest, salt, score, max_score, \
                             attended_ms, issued_at, expires_at, status_index, credential, revoked_at, \
                             revocation_reason";

fn uuid_of(text: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text).map_err(|e| StoreError::Corrupt(format!("id {text:?}: {e}")))
}

macro_rules! badge_record {
    ($row:expr) => {
        (|| -> Result<BadgeRecord, StoreError> {
            let row = $row;
            Ok(BadgeRecord {
                id: uuid_of(&row.try_get::<String, _>("id")?)?,
                tenant: row.try_get("tenant")?,
                activity: uuid_of(&row.try_get::<String, _>("activity")?)?,
                name: row.try_get("name")?,
                description: row.try_get("description")?,
                criteria: row.try_get("criteria")?,
                image: row.try_get("image")?,
                rule: row.try_get("rule")?,
                min_percent: row.try_get("min_percent")?,
                valid_days: row.try_get("valid_days")?,
                created_by: row.try_get("created_by")?,
                created_at: row.try_get("created_at")?,
                retired_at: row.try_get("retired_at")?,
            })
        })()
    };
}

macro_rules! award_record {
    ($row:expr) => {
        (|| -> Result<AwardRecord, StoreError> {
            let row = $row;
            Ok(AwardRecord {
                id: uuid_of(&row.try_get::<String, _>("id")?)?,
                badge: uuid_of(&row.try_get::<String, _>("badge_id")?)?,
                tenant: row.try_get("tenant")?,
                recipient: row.try_get("recipient")?,
                recipient_name: row.try_get("recipient_name")?,
                guest: row.try_get("guest")?,
                salt: row.try_get("salt")?,
                score: row.try_get("score")?,
                max_score: row.try_get("max_score")?,
                attended_ms: row.try_get("attended_ms")?,
                issued_at: row.try_get("issued_at")?,
                expires_at: row.try_get("expires_at")?,
                status_index: row.try_get("status_index")?,
                credential: row.try_get("credential")?,
                revoked_at: row.try_get("revoked_at")?,
                revocation_reason: row.try_get("revocation_reason")?,
            })
        })()
    };
}

/// Issues, within `$tx` (a transaction of either backend), the awards the
/// completion `$c` (a `&CompletionRecord`) earns at `$now` and does not
/// have yet. Evaluates to `Result<u64, sqlx::Error>`: how many it issued.
macro_rules! award_completion {
    ($tx:expr, $c:expr, $now:expr) => {
        async {
            let c: &$crate::store::CompletionRecord = $c;
            let now: i64 = $now;
            let activity = c.activity.to_string();
            // A badge of this activity alone whose rule this completion
            // meets, or a series this activity belongs to whose every
            // activity the recipient has completed so (this completion is
            // written already).
            let earned: Vec<(String, Option<i32>)> = sqlx::query_as(
                "SELECT id, valid_days FROM badges WHERE tenant = $2 AND retired_at IS NULL \
                 AND NOT EXISTS (SELECT 1 FROM badge_awards a WHERE a.badge_id = badges.id AND a.recipient = $6) \
                 AND ((activity = $1 AND NOT EXISTS (SELECT 1 FROM badge_series s WHERE s.badge_id = badges.id) \
                       AND ((rule = 'complete' AND $3 IN (1, 2, 3)) OR (rule = 'passed' AND $3 = 2) \
                            OR (rule = 'attendance' AND $5 > 0 AND $4 * 100 >= min_percent * $5))) \
                   OR (EXISTS (SELECT 1 FROM badge_series s WHERE s.badge_id = badges.id AND s.activity = $1) \
                       AND NOT EXISTS (SELECT 1 FROM badge_series s WHERE s.badge_id = badges.id AND NOT EXISTS ( \
                           SELECT 1 FROM completions k WHERE k.tenant = $2 AND k.activity = s.activity \
                           AND k.user_id = $6 AND ((badges.rule = 'complete' AND k.state IN (1, 2, 3)) \
                                OR (badges.rule = 'passed' AND k.state = 2)))))) \
                 ORDER BY created_at, id",
            )
            .bind(&activity)
            .bind(&c.tenant)
            .bind(i32::from(c.state))
            .bind(i64::from(c.score))
            .bind(i64::from(c.max_score))
            .bind(&c.user)
            .fetch_all(&mut *$tx)
            .await?;
            let mut issued = 0u64;
            for (badge, valid_days) in earned {
                let known: Option<(String, bool)> = sqlx::query_as(
                    "SELECT member_name, guest FROM attendance WHERE room = $1 AND member = $2 \
                     UNION ALL SELECT member_name, guest FROM room_inputs WHERE room = $1 AND member = $2 \
                     LIMIT 1",
                )
                .bind(&activity)
                .bind(&c.user)
                .fetch_optional(&mut *$tx)
                .await?;
                let (name, guest) = known.unwrap_or_default();
                // Time present in the activity, or in every activity of the series.
                let attended: i64 = sqlx::query_scalar(
                    "SELECT CAST(COALESCE(SUM(COALESCE(left_at, $3) - joined_at), 0) AS BIGINT) FROM attendance \
                     WHERE member = $2 AND (room = $1 OR room IN (SELECT activity FROM badge_series WHERE badge_id = $4))",
                )
                .bind(&activity)
                .bind(&c.user)
                .bind(now)
                .bind(&badge)
                .fetch_one(&mut *$tx)
                .await?;
                let next: i64 = sqlx::query_scalar(
                    "INSERT INTO badge_status_lists (tenant, next_index) VALUES ($1, 1) ON CONFLICT (tenant) \
                     DO UPDATE SET next_index = badge_status_lists.next_index + 1 RETURNING next_index",
                )
                .bind(&c.tenant)
                .fetch_one(&mut *$tx)
                .await?;
                let expires_at = valid_days.map(|days| now + i64::from(days) * 86_400_000);
                issued += sqlx::query(
                    "INSERT INTO badge_awards (id, badge_id, tenant, recipient, recipient_name, guest, salt, score, \
                     max_score, attended_ms, issued_at, expires_at, status_index) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                     ON CONFLICT (badge_id, recipient) DO NOTHING",
                )
                .bind(uuid::Uuid::new_v4().to_string())
                .bind(&badge)
                .bind(&c.tenant)
                .bind(&c.user)
                .bind(&name)
                .bind(guest)
                .bind(hex::encode(rand::random::<[u8; 16]>()))
                .bind(i64::from(c.score))
                .bind(i64::from(c.max_score))
                .bind(attended.max(0))
                .bind(now)
                .bind(expires_at)
                .bind(next - 1)
                .execute(&mut *$tx)
                .await?
                .rows_affected();
            }
            Ok::<u64, sqlx::Error>(issued)
        }
    };
}

impl Store {
    /// Stores a new badge (over `series`, its activity among them, when
    /// it recognises several; empty for one activity) and, in the same
    /// transaction, issues it to the completions already stored that meet
    /// its rule (a badge attached after the session still recognises it).
    /// Returns how many awards it issued.
    pub async fn insert_badge(&self, badge: &BadgeRecord, series: &[Uuid]) -> Result<u64, StoreError> {
        let started = Instant::now();
        let sql = format!(
            "INSERT INTO badges ({BADGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        );
        let now = now_ms();
        let issued = on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            sqlx::query(&sql)
                .bind(badge.id.to_string())
                .bind(&badge.tenant)
                .bind(badge.activity.to_string())
                .bind(&badge.name)
                .bind(&badge.description)
                .bind(&badge.criteria)
                .bind(&badge.image)
                .bind(&badge.rule)
                .bind(badge.min_percent)
                .bind(badge.valid_days)
                .bind(&badge.created_by)
                .bind(badge.created_at)
                .bind(badge.retired_at)
                .execute(&mut *transaction)
                .await?;
            for activity in series {
                sqlx::query("INSERT INTO badge_series (badge_id, activity) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(badge.id.to_string())
                    .bind(activity.to_string())
                    .execute(&mut *transaction)
                    .await?;
            }
            let mut issued = 0;
            let activities = if series.is_empty() { std::slice::from_ref(&badge.activity) } else { series };
            for activity in activities {
                for completion in self.completions(&badge.tenant, *activity).await? {
                    issued += award_completion!(transaction, &completion, now).await?;
                }
            }
            transaction.commit().await?;
            issued
        });
        self.metrics.badge_awards.inc_by(issued);
        self.observe("insert_badge", started);
        Ok(issued)
    }

    /// The activities of a series badge, oldest room id order; empty for a
    /// badge of one activity.
    pub async fn badge_series(&self, badge: Uuid) -> Result<Vec<Uuid>, StoreError> {
        on_pool!(self, pool => {
            let rows: Vec<(String,)> =
                sqlx::query_as("SELECT activity FROM badge_series WHERE badge_id = $1 ORDER BY activity")
                    .bind(badge.to_string())
                    .fetch_all(pool)
                    .await?;
            rows.iter().map(|(id,)| uuid_of(id)).collect()
        })
    }

    pub async fn badge(&self, id: Uuid) -> Result<Option<BadgeRecord>, StoreError> {
        let sql = format!("SELECT {BADGE_COLUMNS} FROM badges WHERE id = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(pool).await?;
            row.map(|row| badge_record!(row)).transpose()
        })
    }

    /// The badges of `tenant` not retired, oldest first; of one activity
    /// when given.
    pub async fn badges(&self, tenant: &str, activity: Option<Uuid>) -> Result<Vec<BadgeRecord>, StoreError> {
        let sql = format!(
            "SELECT {BADGE_COLUMNS} FROM badges WHERE tenant = $1 AND retired_at IS NULL \
             AND ($2 = '' OR activity = $2 OR id IN (SELECT badge_id FROM badge_series WHERE activity = $2)) \
             ORDER BY created_at, id"
        );
        let activity = activity.map(|a| a.to_string()).unwrap_or_default();
        on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(tenant).bind(&activity).fetch_all(pool).await?;
            rows.iter().map(|row| badge_record!(row)).collect()
        })
    }

    /// Whether `tenant` ever had a badge (retired ones count: what they
    /// awarded must stay verifiable).
    pub async fn issues_badges(&self, tenant: &str) -> Result<bool, StoreError> {
        let sql = "SELECT COUNT(*) FROM badges WHERE tenant = $1";
        Ok(on_pool!(self, pool => sqlx::query_scalar::<_, i64>(sql).bind(tenant).fetch_one(pool).await?) > 0)
    }

    /// Sets a badge's image blob.
    pub async fn set_badge_image(&self, id: Uuid, blob: &str) -> Result<(), StoreError> {
        let sql = "UPDATE badges SET image = $1 WHERE id = $2";
        on_pool!(self, pool => sqlx::query(sql).bind(blob).bind(id.to_string()).execute(pool).await.map(drop))?;
        Ok(())
    }

    /// Retires a badge: awarded no more; its awards stay. Whether it was
    /// live.
    pub async fn retire_badge(&self, id: Uuid, at: i64) -> Result<bool, StoreError> {
        let sql = "UPDATE badges SET retired_at = $1 WHERE id = $2 AND retired_at IS NULL";
        Ok(on_pool!(self, pool => sqlx::query(sql).bind(at).bind(id.to_string()).execute(pool).await?.rows_affected())
            > 0)
    }

    pub async fn award(&self, id: Uuid) -> Result<Option<AwardRecord>, StoreError> {
        let sql = format!("SELECT {AWARD_COLUMNS} FROM badge_awards WHERE id = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(pool).await?;
            row.map(|row| award_record!(row)).transpose()
        })
    }

    /// The awards of one badge, in order of issuance.
    pub async fn awards_of_badge(&self, badge: Uuid) -> Result<Vec<AwardRecord>, StoreError> {
        let sql = format!("SELECT {AWARD_COLUMNS} FROM badge_awards WHERE badge_id = $1 ORDER BY issued_at, id");
        on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(badge.to_string()).fetch_all(pool).await?;
            rows.iter().map(|row| award_record!(row)).collect()
        })
    }

    /// The awards of one recipient in `tenant`, newest first.
    pub async fn awards_of_recipient(&self, tenant: &str, recipient: &str) -> Result<Vec<AwardRecord>, StoreError> {
        let sql = format!(
            "SELECT {AWARD_COLUMNS} FROM badge_awards WHERE tenant = $1 AND recipient = $2 ORDER BY issued_at DESC, id"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(tenant).bind(recipient).fetch_all(pool).await?;
            rows.iter().map(|row| award_record!(row)).collect()
        })
    }

    /// Keeps `credential` as the award's signed credential unless one is
    /// kept already; returns the one kept (the first signer wins, so every
    /// node hands out the same file).
    pub async fn keep_credential(&self, id: Uuid, credential: &str) -> Result<String, StoreError> {
        let update = "UPDATE badge_awards SET credential = $1 WHERE id = $2 AND credential IS NULL";
        let select = "SELECT credential FROM badge_awards WHERE id = $1";
        on_pool!(self, pool => {
            sqlx::query(update).bind(credential).bind(id.to_string()).execute(pool).await?;
            let kept: Option<Option<String>> =
                sqlx::query_scalar(select).bind(id.to_string()).fetch_optional(pool).await?;
            kept.flatten().ok_or_else(|| StoreError::Corrupt(format!("award {id} has no credential")))
        })
    }

    /// Revokes an award; whether it was not revoked already.
    pub async fn revoke_award(&self, id: Uuid, at: i64, reason: &str) -> Result<bool, StoreError> {
        let sql =
            "UPDATE badge_awards SET revoked_at = $1, revocation_reason = $2 WHERE id = $3 AND revoked_at IS NULL";
        Ok(on_pool!(self, pool => sqlx::query(sql).bind(at).bind(reason).bind(id.to_string()).execute(pool).await?
            .rows_affected())
            > 0)
    }

    /// The tenant's revocation list: the indices revoked, and how many
    /// indices were handed out.
    pub async fn revocation_list(&self, tenant: &str) -> Result<(Vec<i64>, i64), StoreError> {
        let revoked = "SELECT status_index FROM badge_awards WHERE tenant = $1 AND revoked_at IS NOT NULL \
                       ORDER BY status_index";
        let next = "SELECT next_index FROM badge_status_lists WHERE tenant = $1";
        on_pool!(self, pool => {
            let indices: Vec<i64> = sqlx::query_scalar(revoked).bind(tenant).fetch_all(pool).await?;
            let next: Option<i64> = sqlx::query_scalar(next).bind(tenant).fetch_optional(pool).await?;
            Ok((indices, next.unwrap_or(0)))
        })
    }

    /// Every award of `tenant` with its badge's name, in order of issuance
    /// (the admin's export).
    pub async fn awards_of_tenant(&self, tenant: &str) -> Result<Vec<(AwardRecord, String)>, StoreError> {
        let columns: String = AWARD_COLUMNS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT {columns}, b.name AS badge_name FROM badge_awards a JOIN badges b ON b.id = a.badge_id \
             WHERE a.tenant = $1 ORDER BY a.issued_at, a.id"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(tenant).fetch_all(pool).await?;
            rows.iter()
                .map(|row| Ok((award_record!(row)?, row.try_get::<String, _>("badge_name")?)))
                .collect()
        })
    }
}

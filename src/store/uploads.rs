//! Who stored which blob: the rows behind upload quotas, the tenant a blob
//! belongs to, the references that keep it, and the sweep of the others.

use std::time::Instant;

use sqlx::Row;

use super::{Pool, Store, StoreError};

/// One upload: `member` stored `blob` for `room` of `tenant`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRecord {
    pub blob: String,
    pub tenant: String,
    pub room: String,
    pub member: String,
    pub size: u64,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// Set when something already refers to it (a board import's files).
    pub referenced_at: Option<i64>,
}

/// Bytes of uploads kept, by scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UploadUsage {
    pub member: u64,
    pub room: u64,
    pub tenant: u64,
}

fn bytes(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

impl Store {
    /// Records an upload; the same content stored again by the same member
    /// for the same room replaces the row (it counts once).
    pub async fn record_upload(&self, upload: &UploadRecord) -> Result<(), StoreError> {
        let started = Instant::now();
        let sql = "INSERT INTO uploads (blob, tenant, room, member, size, created_at, referenced_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (blob, room, member) DO UPDATE SET \
                   created_at = excluded.created_at, \
                   referenced_at = COALESCE(uploads.referenced_at, excluded.referenced_at)";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(&upload.blob)
            .bind(&upload.tenant)
            .bind(&upload.room)
            .bind(&upload.member)
            .bind(i64::try_from(upload.size).unwrap_or(i64::MAX))
            .bind(upload.created_at)
            .bind(upload.referenced_at)
            .execute(pool)
            .await
            .map(drop))?;
        self.observe("record_upload", started);
        Ok(())
    }

    /// Bytes of uploads kept by `member`, for `room` and in `tenant`.
    pub async fn upload_usage(&self, tenant: &str, room: &str, member: &str) -> Result<UploadUsage, StoreError> {
        let started = Instant::now();
        let sql = "SELECT \
                   CAST(COALESCE(SUM(CASE WHEN member = $3 THEN size ELSE 0 END), 0) AS BIGINT) AS by_member, \
                   CAST(COALESCE(SUM(CASE WHEN room = $2 THEN size ELSE 0 END), 0) AS BIGINT) AS by_room, \
                   CAST(COALESCE(SUM(size), 0) AS BIGINT) AS by_tenant \
                   FROM uploads WHERE tenant = $1";
        let usage = on_pool!(self, pool => {
            let row = sqlx::query(sql).bind(tenant).bind(room).bind(member).fetch_one(pool).await?;
            UploadUsage {
                member: bytes(row.try_get("by_member")?),
                room: bytes(row.try_get("by_room")?),
                tenant: bytes(row.try_get("by_tenant")?),
            }
        });
        self.observe("upload_usage", started);
        Ok(usage)
    }

    /// Marks `blob` referenced in `tenant` (at `at`, unless it already
    /// was). `false` when no one of `tenant` uploaded it.
    pub async fn reference_upload(&self, tenant: &str, blob: &str, at: i64) -> Result<bool, StoreError> {
        let started = Instant::now();
        let sql = "UPDATE uploads SET referenced_at = COALESCE(referenced_at, $3) WHERE tenant = $1 AND blob = $2";
        let changed = on_pool!(self, pool =>
            sqlx::query(sql).bind(tenant).bind(blob).bind(at).execute(pool).await?.rows_affected());
        self.observe("reference_upload", started);
        Ok(changed > 0)
    }

    /// Whether someone of `tenant` uploaded `blob`.
    pub async fn upload_in_tenant(&self, tenant: &str, blob: &str) -> Result<bool, StoreError> {
        let sql = "SELECT 1 AS found FROM uploads WHERE tenant = $1 AND blob = $2 LIMIT 1";
        Ok(on_pool!(self, pool => sqlx::query(sql).bind(tenant).bind(blob).fetch_optional(pool).await?.is_some()))
    }

    /// Whether any row still names `blob`.
    pub async fn upload_kept(&self, blob: &str) -> Result<bool, StoreError> {
        let sql = "SELECT 1 AS found FROM uploads WHERE blob = $1 LIMIT 1";
        Ok(on_pool!(self, pool => sqlx::query(sql).bind(blob).fetch_optional(pool).await?.is_some()))
    }

    /// Deletes the uploads never referenced and stored before `before`;
    /// returns their blobs (each once).
    pub async fn remove_unreferenced_uploads(&self, before: i64) -> Result<Vec<String>, StoreError> {
        let started = Instant::now();
        let sql = "DELETE FROM uploads WHERE referenced_at IS NULL AND created_at < $1 RETURNING blob";
        let mut blobs: Vec<String> = on_pool!(self, pool => {
            let rows = sqlx::query(sql).bind(before).fetch_all(pool).await?;
            rows.iter().map(|row| row.try_get::<String, _>("blob")).collect::<Result<_, _>>()?
        });
        blobs.sort();
        blobs.dedup();
        self.observe("remove_unreferenced_uploads", started);
        Ok(blobs)
    }

    /// Distinct blobs named by uploads, and their bytes.
    pub async fn upload_figures(&self) -> Result<(u64, u64), StoreError> {
        let sql = "SELECT CAST(COUNT(*) AS BIGINT) AS blobs, CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes \
                   FROM (SELECT blob, MAX(size) AS size FROM uploads GROUP BY blob) AS kept";
        on_pool!(self, pool => {
            let row = sqlx::query(sql).fetch_one(pool).await?;
            Ok((bytes(row.try_get("blobs")?), bytes(row.try_get("bytes")?)))
        })
    }
}

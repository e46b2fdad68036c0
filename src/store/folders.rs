//! A leader's own folders for their rooms and their favourites ("Mes
//! sessions"): folders created, renamed and deleted (their rooms go back to
//! the root), and per room where it is kept and whether it is starred.

use std::time::Instant;

use sqlx::Row;
use uuid::Uuid;

use super::{Pool, RoomRecord, Store, StoreError, room_kind};

/// One of a member's folders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderRecord {
    pub id: String,
    pub name: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// Rooms in it (out of the trash).
    pub rooms: i64,
}

/// A member's room with where they keep it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkedRoom {
    pub room: RoomRecord,
    pub folder: Option<String>,
    pub favourite: bool,
}

/// Which of a member's rooms a listing shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomFilter {
    All,
    /// Those in no folder.
    Root,
    Folder(String),
}

impl Store {
    pub async fn create_folder(&self, tenant: &str, member: &str, folder: &FolderRecord) -> Result<(), StoreError> {
        let started = Instant::now();
        let sql = "INSERT INTO room_folders (id, tenant, member, name, created_at) VALUES ($1, $2, $3, $4, $5)";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(&folder.id).bind(tenant).bind(member).bind(&folder.name).bind(folder.created_at)
            .execute(pool).await.map(drop))?;
        self.observe("create_folder", started);
        Ok(())
    }

    /// `member`'s folders by name, each with its count of rooms.
    pub async fn folders(&self, tenant: &str, member: &str) -> Result<Vec<FolderRecord>, StoreError> {
        let started = Instant::now();
        let sql = "SELECT f.id, f.name, f.created_at, \
                   CAST((SELECT COUNT(*) FROM room_marks m JOIN rooms r ON r.id = m.room \
                         WHERE m.folder = f.id AND r.deleted_at IS NULL) AS BIGINT) AS rooms \
                   FROM room_folders f WHERE f.tenant = $1 AND f.member = $2 ORDER BY f.name, f.id";
        let folders = on_pool!(self, pool => {
            let rows = sqlx::query(sql).bind(tenant).bind(member).fetch_all(pool).await?;
            rows.iter()
                .map(|row| -> Result<FolderRecord, StoreError> {
                    Ok(FolderRecord {
                        id: row.try_get("id")?,
                        name: row.try_get("name")?,
                        created_at: row.try_get("created_at")?,
                        rooms: row.try_get("rooms")?,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        self.observe("folders", started);
        Ok(folders)
    }

    /// Renames `member`'s folder `id`; `false` when they have no such folder.
    pub async fn rename_folder(&self, tenant: &str, member: &str, id: &str, name: &str) -> Result<bool, StoreError> {
        let sql = "UPDATE room_folders SET name = $4 WHERE id = $1 AND tenant = $2 AND member = $3";
        let changed = on_pool!(self, pool => sqlx::query(sql)
            .bind(id).bind(tenant).bind(member).bind(name).execute(pool).await?.rows_affected());
        Ok(changed > 0)
    }

    /// Deletes `member`'s folder `id`, its rooms going back to the root;
    /// `false` when they have no such folder.
    pub async fn delete_folder(&self, tenant: &str, member: &str, id: &str) -> Result<bool, StoreError> {
        let started = Instant::now();
        let unfile = "UPDATE room_marks SET folder = NULL WHERE folder = $1 AND tenant = $2 AND member = $3";
        let forget = "DELETE FROM room_marks WHERE tenant = $1 AND member = $2 AND folder IS NULL AND favourite = $3";
        let delete = "DELETE FROM room_folders WHERE id = $1 AND tenant = $2 AND member = $3";
        let changed = on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            sqlx::query(unfile).bind(id).bind(tenant).bind(member).execute(&mut *transaction).await?;
            sqlx::query(forget).bind(tenant).bind(member).bind(false).execute(&mut *transaction).await?;
            let changed = sqlx::query(delete).bind(id).bind(tenant).bind(member).execute(&mut *transaction).await?;
            transaction.commit().await?;
            changed.rows_affected()
        });
        self.observe("delete_folder", started);
        Ok(changed > 0)
    }

    /// Whether `member` has folder `id`.
    pub async fn has_folder(&self, tenant: &str, member: &str, id: &str) -> Result<bool, StoreError> {
        let sql = "SELECT 1 AS found FROM room_folders WHERE id = $1 AND tenant = $2 AND member = $3";
        Ok(on_pool!(self, pool =>
            sqlx::query(sql).bind(id).bind(tenant).bind(member).fetch_optional(pool).await?.is_some()))
    }

    /// Where `member` keeps `room` and whether it is a favourite.
    pub async fn room_mark(
        &self,
        tenant: &str,
        member: &str,
        room: Uuid,
    ) -> Result<(Option<String>, bool), StoreError> {
        let sql = "SELECT folder, favourite FROM room_marks WHERE tenant = $1 AND member = $2 AND room = $3";
        on_pool!(self, pool => {
            let row = sqlx::query(sql).bind(tenant).bind(member).bind(room.to_string()).fetch_optional(pool).await?;
            match row {
                Some(row) => Ok((row.try_get("folder")?, row.try_get("favourite")?)),
                None => Ok((None, false)),
            }
        })
    }

    /// Sets where `member` keeps `room` and whether it is a favourite (the
    /// row goes when neither is set).
    pub async fn mark_room(
        &self,
        tenant: &str,
        member: &str,
        room: Uuid,
        folder: Option<&str>,
        favourite: bool,
        at: i64,
    ) -> Result<(), StoreError> {
        let started = Instant::now();
        let room = room.to_string();
        if folder.is_none() && !favourite {
            let sql = "DELETE FROM room_marks WHERE tenant = $1 AND member = $2 AND room = $3";
            on_pool!(self, pool => sqlx::query(sql).bind(tenant).bind(member).bind(&room).execute(pool).await.map(drop))?;
        } else {
            let sql = "INSERT INTO room_marks (tenant, member, room, folder, favourite, updated_at) \
                       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant, member, room) DO UPDATE SET \
                       folder = excluded.folder, favourite = excluded.favourite, updated_at = excluded.updated_at";
            on_pool!(self, pool => sqlx::query(sql)
                .bind(tenant).bind(member).bind(&room).bind(folder).bind(favourite).bind(at)
                .execute(pool).await.map(drop))?;
        }
        self.observe("mark_room", started);
        Ok(())
    }

    /// The rooms of `tenant` that `member` created, out of the trash, that
    /// `filter` keeps: favourites first, then newest first, at most `limit`.
    pub async fn my_rooms(
        &self,
        tenant: &str,
        member: &str,
        filter: &RoomFilter,
        limit: u32,
    ) -> Result<Vec<MarkedRoom>, StoreError> {
        let started = Instant::now();
        // `*` every room, `` those in no folder, else a folder's id.
        let sql = "SELECT r.id, r.tenant, r.kind, r.title, r.join_code, r.created_by, r.created_at, r.activity, \
                   m.folder, COALESCE(m.favourite, $5) AS favourite \
                   FROM rooms r LEFT JOIN room_marks m ON m.tenant = r.tenant AND m.member = $2 AND m.room = r.id \
                   WHERE r.tenant = $1 AND r.created_by = $2 AND r.deleted_at IS NULL \
                   AND ($4 = '*' OR ($4 = '' AND m.folder IS NULL) OR m.folder = $4) \
                   ORDER BY COALESCE(m.favourite, $5) DESC, r.created_at DESC, r.id LIMIT $3";
        let folder = match filter {
            RoomFilter::All => "*",
            RoomFilter::Root => "",
            RoomFilter::Folder(id) => id.as_str(),
        };
        let rooms = on_pool!(self, pool => {
            let rows = sqlx::query(sql)
                .bind(tenant).bind(member).bind(i64::from(limit)).bind(folder).bind(false)
                .fetch_all(pool).await?;
            rows.iter()
                .map(|row| -> Result<MarkedRoom, StoreError> {
                    Ok(MarkedRoom {
                        room: room_record!(row)?,
                        folder: row.try_get("folder")?,
                        favourite: row.try_get("favourite")?,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        self.observe("my_rooms", started);
        Ok(rooms)
    }
}

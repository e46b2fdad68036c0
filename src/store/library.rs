//! The shared library (migration 0015): published items with their
//! versions, folded search terms and disciplines, the search itself (one
//! query, served by the indexes: see the migration), withdrawal, and the
//! copies made from items. Folding and tokenising are `crate::text_fold`'s.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use sqlx::Row;
use uuid::Uuid;

use super::{Pool, Store, StoreError};

/// The `audience` of a national item (an académie item's is its tenant).
pub const NATIONAL: &str = "*";

/// What an item is a copy of: the reusable definitions amphi stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LibraryKind {
    /// A quiz room's quiz and settings.
    Quiz,
    /// A board room's sections, settings and first posts (a template).
    Board,
    /// A saved ateliers (breakout) plan.
    Plan,
}

impl LibraryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LibraryKind::Quiz => "quiz",
            LibraryKind::Board => "board",
            LibraryKind::Plan => "plan",
        }
    }
}

impl std::str::FromStr for LibraryKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "quiz" => Ok(LibraryKind::Quiz),
            "board" => Ok(LibraryKind::Board),
            "plan" => Ok(LibraryKind::Plan),
            other => Err(format!("unknown kind `{other}` (expected quiz, board or plan)")),
        }
    }
}

/// An item's descriptive metadata (what a version may change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibraryMeta {
    pub title: String,
    pub description: String,
    pub disciplines: Vec<String>,
    /// The public (level) it is meant for; empty when not given.
    pub level: String,
    pub duration_min: Option<i64>,
    pub tags: Vec<String>,
    pub licence: String,
}

/// A published item, as of its latest version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryItem {
    pub id: Uuid,
    /// The author's tenant (académie).
    pub tenant: String,
    /// [`NATIONAL`] or the tenant.
    pub audience: String,
    pub kind: LibraryKind,
    /// The room or plan it was published from.
    pub source: String,
    pub author: String,
    pub author_name: String,
    pub meta: LibraryMeta,
    pub version: i64,
    pub published_at: i64,
    pub updated_at: i64,
    pub withdrawn_at: Option<i64>,
    pub withdrawn_by: Option<String>,
}

impl LibraryItem {
    pub fn is_national(&self) -> bool {
        self.audience == NATIONAL
    }
}

/// One version of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryVersion {
    pub item: Uuid,
    pub version: i64,
    /// The activity's definition as JSON.
    pub content: String,
    pub meta: LibraryMeta,
    pub note: String,
    pub published_at: i64,
}

/// What the search index holds of an item's version: the folded text, its
/// terms and the folded discipline and level keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LibraryIndex {
    pub folded: String,
    pub terms: Vec<String>,
    pub disciplines: Vec<String>,
    pub level_key: String,
}

/// A copy made from the library in its owner's tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryCopy {
    pub id: Uuid,
    pub item: Uuid,
    pub version: i64,
    pub tenant: String,
    pub owner: String,
    pub kind: LibraryKind,
    /// The room (quiz, board) or plan made.
    pub target: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A search: the caller's tenant decides what is visible.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LibraryQuery {
    pub tenant: String,
    /// Folded prefixes, all of which must match a term of the item.
    pub prefixes: Vec<String>,
    pub discipline: Option<String>,
    pub level_key: Option<String>,
    pub kind: Option<LibraryKind>,
    /// Items of this académie only.
    pub academie: Option<String>,
    /// Only national items (`Some(true)`) or académie ones (`Some(false)`).
    pub national: Option<bool>,
    /// Items published or updated at or after this time (ms): recency.
    pub since: Option<i64>,
    /// The last item of the previous page: `(published_at, id)`.
    pub after: Option<(i64, String)>,
    pub limit: u32,
}

const ITEM_COLUMNS: &str = "id, tenant, audience, kind, source, author, author_name, title, description, \
                            disciplines, level, duration_min, tags, licence, version, published_at, updated_at, \
                            withdrawn_at, withdrawn_by";
const COPY_COLUMNS: &str = "id, item_id, version, tenant, owner, kind, target, created_at, updated_at";

fn uuid(value: String, what: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(&value).map_err(|e| StoreError::Corrupt(format!("{what} {value:?}: {e}")))
}

fn kind(value: String) -> Result<LibraryKind, StoreError> {
    value.parse().map_err(|e| StoreError::Corrupt(format!("library kind: {e}")))
}

fn list(value: String, what: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(&value).map_err(|e| StoreError::Corrupt(format!("library {what}: {e}")))
}

fn json_list(values: &[String]) -> String {
    serde_json::to_string(values).unwrap_or_else(|_| "[]".into())
}

macro_rules! item_from_row {
    ($row:expr) => {{
        let row = $row;
        (|| -> Result<LibraryItem, StoreError> {
            Ok(LibraryItem {
                id: uuid(row.try_get("id")?, "library item id")?,
                tenant: row.try_get("tenant")?,
                audience: row.try_get("audience")?,
                kind: kind(row.try_get("kind")?)?,
                source: row.try_get("source")?,
                author: row.try_get("author")?,
                author_name: row.try_get("author_name")?,
                meta: LibraryMeta {
                    title: row.try_get("title")?,
                    description: row.try_get("description")?,
                    disciplines: list(row.try_get("disciplines")?, "disciplines")?,
                    level: row.try_get("level")?,
                    duration_min: row.try_get("duration_min")?,
                    tags: list(row.try_get("tags")?, "tags")?,
                    licence: row.try_get("licence")?,
                },
                version: row.try_get("version")?,
                published_at: row.try_get("published_at")?,
                updated_at: row.try_get("updated_at")?,
                withdrawn_at: row.try_get("withdrawn_at")?,
                withdrawn_by: row.try_get("withdrawn_by")?,
            })
        })()
    }};
}

macro_rules! copy_from_row {
    ($row:expr) => {{
        let row = $row;
        (|| -> Result<LibraryCopy, StoreError> {
            Ok(LibraryCopy {
                id: uuid(row.try_get("id")?, "library copy id")?,
                item: uuid(row.try_get("item_id")?, "library item id")?,
                version: row.try_get("version")?,
                tenant: row.try_get("tenant")?,
                owner: row.try_get("owner")?,
                kind: kind(row.try_get("kind")?)?,
                target: row.try_get("target")?,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
            })
        })()
    }};
}

/// Below this many items with a prefix, a search starts from that
/// prefix's items; otherwise from the newest visible items.
pub const DRIVER_MAX_TERMS: i64 = 2000;

/// A bound value of a query built at run time.
enum Param {
    Text(String),
    Int(i64),
}

/// `INSERT INTO {table} ({column}, item_id)` of every value, one statement.
fn index_insert(table: &str, column: &str, count: usize) -> String {
    let rows: Vec<String> = (0..count).map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2)).collect();
    format!("INSERT INTO {table} ({column}, item_id) VALUES {}", rows.join(", "))
}

/// Writes an item's terms and disciplines (after deleting the old ones).
macro_rules! write_index {
    ($transaction:expr, $id:expr, $index:expr) => {{
        let id: &str = $id;
        let index: &LibraryIndex = $index;
        sqlx::query("DELETE FROM library_terms WHERE item_id = $1").bind(id).execute(&mut *$transaction).await?;
        sqlx::query("DELETE FROM library_disciplines WHERE item_id = $1").bind(id).execute(&mut *$transaction).await?;
        let mut terms = index.terms.clone();
        terms.sort();
        terms.dedup();
        let mut disciplines = index.disciplines.clone();
        disciplines.sort();
        disciplines.dedup();
        for (table, column, values) in
            [("library_terms", "term", &terms), ("library_disciplines", "discipline", &disciplines)]
        {
            // At most 500 rows a statement (1,000 parameters).
            for chunk in values.chunks(500) {
                let sql = index_insert(table, column, chunk.len());
                let mut statement = sqlx::query(&sql);
                for value in chunk {
                    statement = statement.bind(value).bind(id);
                }
                statement.execute(&mut *$transaction).await?;
            }
        }
    }};
}

impl LibraryIndex {
    /// What the search stores of an item's metadata: its searchable text
    /// (title, description, level, author, disciplines, tags) folded, the
    /// terms of it, the folded disciplines and level.
    pub fn of(meta: &LibraryMeta, author_name: &str) -> LibraryIndex {
        use crate::text_fold::{fold, terms};
        let mut searchable = vec![meta.title.as_str(), meta.description.as_str(), meta.level.as_str(), author_name];
        searchable.extend(meta.disciplines.iter().map(String::as_str));
        searchable.extend(meta.tags.iter().map(String::as_str));
        let folded = fold(&searchable.join(" "));
        LibraryIndex {
            terms: terms(&folded),
            folded,
            disciplines: meta.disciplines.iter().map(|d| fold(d)).filter(|d| !d.is_empty()).collect(),
            level_key: fold(&meta.level),
        }
    }
}

impl Store {
    /// Publishes `item` (its version 1, `content`) with its search index,
    /// in one transaction.
    pub async fn publish_library_item(
        &self,
        item: &LibraryItem,
        content: &str,
        note: &str,
        index: &LibraryIndex,
    ) -> Result<(), StoreError> {
        let started = Instant::now();
        let id = item.id.to_string();
        let metadata = serde_json::to_string(&item.meta).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let sql = format!(
            "INSERT INTO library_items ({ITEM_COLUMNS}, level_key, folded) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)"
        );
        on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            sqlx::query(&sql)
                .bind(&id)
                .bind(&item.tenant)
                .bind(&item.audience)
                .bind(item.kind.as_str())
                .bind(&item.source)
                .bind(&item.author)
                .bind(&item.author_name)
                .bind(&item.meta.title)
                .bind(&item.meta.description)
                .bind(json_list(&item.meta.disciplines))
                .bind(&item.meta.level)
                .bind(item.meta.duration_min)
                .bind(json_list(&item.meta.tags))
                .bind(&item.meta.licence)
                .bind(item.version)
                .bind(item.published_at)
                .bind(item.updated_at)
                .bind(item.withdrawn_at)
                .bind(&item.withdrawn_by)
                .bind(&index.level_key)
                .bind(&index.folded)
                .execute(&mut *transaction)
                .await?;
            sqlx::query(
                "INSERT INTO library_versions (item_id, version, content, metadata, note, published_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&id)
            .bind(item.version)
            .bind(content)
            .bind(&metadata)
            .bind(note)
            .bind(item.published_at)
            .execute(&mut *transaction)
            .await?;
            write_index!(transaction, &id, index);
            transaction.commit().await?;
        });
        self.observe("publish_library_item", started);
        Ok(())
    }

    /// Publishes `version` of an item whose latest is `version - 1`, with
    /// its new metadata, `source` and index, in one transaction; `false`
    /// when the item is gone or another version came first.
    pub async fn publish_library_version(
        &self,
        version: &LibraryVersion,
        source: &str,
        index: &LibraryIndex,
    ) -> Result<bool, StoreError> {
        let started = Instant::now();
        let id = version.item.to_string();
        let meta = &version.meta;
        let metadata = serde_json::to_string(meta).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let update = "UPDATE library_items SET title = $1, description = $2, disciplines = $3, level = $4, \
                      level_key = $5, duration_min = $6, tags = $7, licence = $8, folded = $9, version = $10, \
                      updated_at = $11, source = $12 WHERE id = $13 AND version = $14";
        let done = on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            let updated = sqlx::query(update)
                .bind(&meta.title)
                .bind(&meta.description)
                .bind(json_list(&meta.disciplines))
                .bind(&meta.level)
                .bind(&index.level_key)
                .bind(meta.duration_min)
                .bind(json_list(&meta.tags))
                .bind(&meta.licence)
                .bind(&index.folded)
                .bind(version.version)
                .bind(version.published_at)
                .bind(source)
                .bind(&id)
                .bind(version.version - 1)
                .execute(&mut *transaction)
                .await?
                .rows_affected();
            if updated == 0 {
                false
            } else {
                sqlx::query(
                    "INSERT INTO library_versions (item_id, version, content, metadata, note, published_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&id)
                .bind(version.version)
                .bind(&version.content)
                .bind(&metadata)
                .bind(&version.note)
                .bind(version.published_at)
                .execute(&mut *transaction)
                .await?;
                write_index!(transaction, &id, index);
                transaction.commit().await?;
                true
            }
        });
        self.observe("publish_library_version", started);
        Ok(done)
    }

    pub async fn library_item(&self, id: Uuid) -> Result<Option<LibraryItem>, StoreError> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM library_items WHERE id = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(pool).await?;
            row.map(|row| item_from_row!(row)).transpose()
        })
    }

    pub async fn library_version(&self, item: Uuid, version: i64) -> Result<Option<LibraryVersion>, StoreError> {
        let sql = "SELECT content, metadata, note, published_at FROM library_versions \
                   WHERE item_id = $1 AND version = $2";
        on_pool!(self, pool => {
            let row = sqlx::query(sql).bind(item.to_string()).bind(version).fetch_optional(pool).await?;
            row.map(|row| -> Result<LibraryVersion, StoreError> {
                let metadata: String = row.try_get("metadata")?;
                Ok(LibraryVersion {
                    item,
                    version,
                    content: row.try_get("content")?,
                    meta: serde_json::from_str(&metadata)
                        .map_err(|e| StoreError::Corrupt(format!("library version metadata: {e}")))?,
                    note: row.try_get("note")?,
                    published_at: row.try_get("published_at")?,
                })
            })
            .transpose()
        })
    }

    /// The SQL and parameters of a search.
    ///
    /// `driver` is the prefix (an index into `query.prefixes`) few enough
    /// items match to start from (`id IN` its terms' range); the other
    /// conditions are checked per item (`EXISTS` through `(item_id, term)`).
    /// National items and the tenant's are each read newest first through
    /// the visibility index `(audience, published_at, id)`, one branch of a
    /// `UNION ALL` each, so that a page of common words stops early.
    fn library_search_sql(query: &LibraryQuery, driver: Option<usize>, explain: &str) -> (String, Vec<Param>) {
        let mut params = Vec::new();
        let next = |params: &mut Vec<Param>, param: Param| {
            params.push(param);
            format!("${}", params.len())
        };
        let mut conditions = String::new();
        if let Some(kind) = query.kind {
            conditions.push_str(&format!(" AND kind = {}", next(&mut params, Param::Text(kind.as_str().into()))));
        }
        if let Some(academie) = &query.academie {
            conditions.push_str(&format!(" AND tenant = {}", next(&mut params, Param::Text(academie.clone()))));
        }
        if let Some(since) = query.since {
            conditions.push_str(&format!(" AND updated_at >= {}", next(&mut params, Param::Int(since))));
        }
        if let Some(level) = &query.level_key {
            conditions.push_str(&format!(" AND level_key = {}", next(&mut params, Param::Text(level.clone()))));
        }
        if let Some(discipline) = &query.discipline {
            let p = next(&mut params, Param::Text(discipline.clone()));
            conditions.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM library_disciplines AS d \
                 WHERE d.item_id = library_items.id AND d.discipline = {p})"
            ));
        }
        for (n, prefix) in query.prefixes.iter().enumerate() {
            let low = next(&mut params, Param::Text(prefix.clone()));
            let range = match crate::text_fold::successor(prefix) {
                Some(high) => format!("term >= {low} AND term < {}", next(&mut params, Param::Text(high))),
                None => format!("term >= {low}"),
            };
            if driver == Some(n) {
                conditions.push_str(&format!(" AND id IN (SELECT item_id FROM library_terms WHERE {range})"));
            } else {
                conditions.push_str(&format!(
                    " AND EXISTS (SELECT 1 FROM library_terms AS t WHERE t.item_id = library_items.id AND t.{range})"
                ));
            }
        }
        if let Some((at, id)) = &query.after {
            let at = next(&mut params, Param::Int(*at));
            let id = next(&mut params, Param::Text(id.clone()));
            conditions.push_str(&format!(" AND (published_at < {at} OR (published_at = {at} AND id < {id}))"));
        }
        let limit = next(&mut params, Param::Int(i64::from(query.limit)));
        let order = format!("ORDER BY published_at DESC, id DESC LIMIT {limit}");
        let mut audiences = Vec::new();
        if query.national != Some(false) {
            audiences.push(next(&mut params, Param::Text(NATIONAL.into())));
        }
        if query.national != Some(true) && query.tenant != NATIONAL {
            audiences.push(next(&mut params, Param::Text(query.tenant.clone())));
        }
        let branches: Vec<String> = audiences
            .iter()
            .enumerate()
            .map(|(n, audience)| {
                format!(
                    "SELECT * FROM (SELECT {ITEM_COLUMNS} FROM library_items \
                     WHERE withdrawn_at IS NULL AND audience = {audience}{conditions} {order}) AS visible{n}"
                )
            })
            .collect();
        let sql = match branches.len() {
            0 => format!("{explain}SELECT {ITEM_COLUMNS} FROM library_items WHERE 1 = 0 LIMIT {limit}"),
            _ => format!("{explain}{} {order}", branches.join(" UNION ALL ")),
        };
        (sql, params)
    }

    /// The rarest of `query`'s prefixes, if fewer than [`DRIVER_MAX_TERMS`]
    /// terms of items have it (each count stops there: an index range).
    async fn library_driver(&self, query: &LibraryQuery) -> Result<Option<usize>, StoreError> {
        let mut rarest: Option<(usize, i64)> = None;
        for (n, prefix) in query.prefixes.iter().enumerate() {
            let (range, high) = match crate::text_fold::successor(prefix) {
                Some(high) => ("term >= $1 AND term < $2", high),
                None => ("term >= $1 AND term <> $2", String::new()),
            };
            let sql =
                format!("SELECT COUNT(*) AS n FROM (SELECT 1 FROM library_terms WHERE {range} LIMIT $3) AS matched");
            let count: i64 = on_pool!(self, pool => sqlx::query(&sql)
                .bind(prefix).bind(&high).bind(DRIVER_MAX_TERMS)
                .fetch_one(pool).await?.try_get("n")?);
            if rarest.is_none_or(|(_, least)| count < least) {
                rarest = Some((n, count));
            }
        }
        Ok(rarest.filter(|(_, count)| *count < DRIVER_MAX_TERMS).map(|(n, _)| n))
    }

    /// The items `query` finds, newest first: national items and those of
    /// the caller's tenant, never withdrawn ones.
    pub async fn search_library(&self, query: &LibraryQuery) -> Result<Vec<LibraryItem>, StoreError> {
        let started = Instant::now();
        let driver = self.library_driver(query).await?;
        let (sql, params) = Store::library_search_sql(query, driver, "");
        let items = on_pool!(self, pool => {
            let mut statement = sqlx::query(&sql);
            for param in params {
                statement = match param {
                    Param::Text(text) => statement.bind(text),
                    Param::Int(number) => statement.bind(number),
                };
            }
            let rows = statement.fetch_all(pool).await?;
            rows.iter().map(|row| item_from_row!(row)).collect::<Result<Vec<_>, _>>()?
        });
        self.observe("search_library", started);
        Ok(items)
    }

    /// The database's plan for `query` (`EXPLAIN QUERY PLAN` on SQLite,
    /// `EXPLAIN` on PostgreSQL), one line per row: for benchmarks.
    pub async fn explain_library_search(&self, query: &LibraryQuery) -> Result<Vec<String>, StoreError> {
        let explain = match self.pool {
            Pool::Sqlite(_) => "EXPLAIN QUERY PLAN ",
            Pool::Postgres(_) => "EXPLAIN ",
        };
        let driver = self.library_driver(query).await?;
        let (sql, params) = Store::library_search_sql(query, driver, explain);
        on_pool!(self, pool => {
            let mut statement = sqlx::query(&sql);
            for param in params {
                statement = match param {
                    Param::Text(text) => statement.bind(text),
                    Param::Int(number) => statement.bind(number),
                };
            }
            let rows = statement.fetch_all(pool).await?;
            rows.iter()
                .map(|row| -> Result<String, StoreError> {
                    match self.pool {
                        Pool::Sqlite(_) => Ok(row.try_get::<String, _>("detail")?),
                        Pool::Postgres(_) => Ok(row.try_get::<String, _>(0)?),
                    }
                })
                .collect()
        })
    }

    /// Refreshes the planner's statistics on the library's tables (after a
    /// bulk import; PostgreSQL's autovacuum does it in time anyway).
    pub async fn analyze_library(&self) -> Result<(), StoreError> {
        let sql = match self.pool {
            Pool::Sqlite(_) => "ANALYZE",
            Pool::Postgres(_) => "ANALYZE library_items, library_terms, library_disciplines",
        };
        on_pool!(self, pool => sqlx::query(sql).execute(pool).await.map(drop))?;
        Ok(())
    }

    /// Erasure: removes `user`'s name from the items they published in
    /// `tenant` (and from their search terms) and deletes the records of
    /// the copies they made; how many rows changed.
    pub async fn forget_library_member(&self, tenant: &str, user: &str) -> Result<u64, StoreError> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM library_items WHERE tenant = $1 AND author = $2");
        on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            let rows = sqlx::query(&sql).bind(tenant).bind(user).fetch_all(&mut *transaction).await?;
            let items = rows.iter().map(|row| item_from_row!(row)).collect::<Result<Vec<_>, _>>()?;
            for item in &items {
                let id = item.id.to_string();
                let index = LibraryIndex::of(&item.meta, "");
                sqlx::query("UPDATE library_items SET author_name = '', folded = $1 WHERE id = $2")
                    .bind(&index.folded)
                    .bind(&id)
                    .execute(&mut *transaction)
                    .await?;
                write_index!(transaction, &id, &index);
            }
            let copies = sqlx::query("DELETE FROM library_copies WHERE owner = $1 AND tenant = $2")
                .bind(user)
                .bind(tenant)
                .execute(&mut *transaction)
                .await?
                .rows_affected();
            transaction.commit().await?;
            Ok(items.len() as u64 + copies)
        })
    }

    /// The items `author` published from `tenant`, withdrawn ones included,
    /// newest first (at most 500: the author's own list, "my items").
    pub async fn library_items_of(&self, tenant: &str, author: &str) -> Result<Vec<LibraryItem>, StoreError> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM library_items WHERE tenant = $1 AND author = $2 \
             ORDER BY published_at DESC, id DESC LIMIT 500"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(tenant).bind(author).fetch_all(pool).await?;
            rows.iter().map(|row| item_from_row!(row)).collect()
        })
    }

    /// Withdraws an item (hidden from search; copies keep working); whether
    /// it was published and not withdrawn yet.
    pub async fn withdraw_library_item(&self, id: Uuid, by: &str, at: i64) -> Result<bool, StoreError> {
        let sql = "UPDATE library_items SET withdrawn_at = $1, withdrawn_by = $2 \
                   WHERE id = $3 AND withdrawn_at IS NULL";
        let done = on_pool!(self, pool => sqlx::query(sql)
            .bind(at).bind(by).bind(id.to_string()).execute(pool).await?.rows_affected());
        Ok(done > 0)
    }

    pub async fn insert_library_copy(&self, copy: &LibraryCopy) -> Result<(), StoreError> {
        let sql = format!("INSERT INTO library_copies ({COPY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
        on_pool!(self, pool => sqlx::query(&sql)
            .bind(copy.id.to_string())
            .bind(copy.item.to_string())
            .bind(copy.version)
            .bind(&copy.tenant)
            .bind(&copy.owner)
            .bind(copy.kind.as_str())
            .bind(&copy.target)
            .bind(copy.created_at)
            .bind(copy.updated_at)
            .execute(pool)
            .await
            .map(drop))?;
        Ok(())
    }

    /// The copies `owner` made in `tenant`, newest first.
    pub async fn library_copies(&self, tenant: &str, owner: &str) -> Result<Vec<LibraryCopy>, StoreError> {
        let sql = format!(
            "SELECT {COPY_COLUMNS} FROM library_copies WHERE tenant = $1 AND owner = $2 \
             ORDER BY created_at DESC, id LIMIT 500"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(tenant).bind(owner).fetch_all(pool).await?;
            rows.iter().map(|row| copy_from_row!(row)).collect()
        })
    }

    pub async fn library_copy(&self, id: Uuid) -> Result<Option<LibraryCopy>, StoreError> {
        let sql = format!("SELECT {COPY_COLUMNS} FROM library_copies WHERE id = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(pool).await?;
            row.map(|row| copy_from_row!(row)).transpose()
        })
    }

    /// The copy whose target is this room or plan, if it is one.
    pub async fn library_copy_of(&self, tenant: &str, target: &str) -> Result<Option<LibraryCopy>, StoreError> {
        let sql = format!("SELECT {COPY_COLUMNS} FROM library_copies WHERE target = $1 AND tenant = $2");
        on_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(target).bind(tenant).fetch_optional(pool).await?;
            row.map(|row| copy_from_row!(row)).transpose()
        })
    }

    /// Moves a copy to `version` (and `target`, a new room for a quiz or a
    /// board); whether it existed.
    pub async fn update_library_copy(&self, id: Uuid, version: i64, target: &str, at: i64) -> Result<bool, StoreError> {
        let sql = "UPDATE library_copies SET version = $1, target = $2, updated_at = $3 WHERE id = $4";
        let done = on_pool!(self, pool => sqlx::query(sql)
            .bind(version).bind(target).bind(at).bind(id.to_string()).execute(pool).await?.rows_affected());
        Ok(done > 0)
    }
}

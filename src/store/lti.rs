//! LTI 1.3 rows (migration 0007): the platforms registered in each tenant,
//! logins waiting for their launch (used once), resource links and the
//! session each one opens, and one-time Dynamic Registration codes.

use sqlx::Row;
use uuid::Uuid;

use super::{Pool, Store, StoreError};

/// A platform (a Moodle) registered as a source of launches for one tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformRecord {
    pub id: String,
    pub tenant: String,
    pub name: String,
    /// The `iss` of its id_tokens.
    pub issuer: String,
    /// The `aud` of its id_tokens: amphi's client id on that platform.
    pub client_id: String,
    /// The deployments (Moodle: tool types) launches may come from.
    pub deployment_ids: Vec<String>,
    /// OIDC authorisation endpoint (login initiations are sent back there).
    pub auth_url: String,
    /// OAuth 2 token endpoint (client_credentials, for grades and rosters).
    pub token_url: String,
    /// The platform's keyset (the only place its keys are fetched from).
    pub jwks_url: String,
    pub created_at: i64,
}

/// What became of a login's state when its launch came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginClaim {
    /// First use, in time: the nonce the id_token must carry and its platform.
    Fresh { nonce: String, platform_id: String },
    /// No login started with this state.
    Unknown,
    /// This state (and so its nonce) was already used by a launch.
    Replayed,
    /// The login is older than `lti.login_ttl_s`.
    Expired,
}

/// A resource link of a course, and the amphi session it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRecord {
    pub platform_id: String,
    pub deployment_id: String,
    pub resource_link_id: String,
    pub context_id: String,
    pub title: String,
    pub room_id: Uuid,
    pub template_room: Option<Uuid>,
    /// AGS: the line item scores are posted to.
    pub lineitem_url: Option<String>,
    /// AGS: the course's line items container.
    pub lineitems_url: Option<String>,
    /// NRPS: the course's membership service.
    pub memberships_url: Option<String>,
    pub updated_at: i64,
}

/// An activity offered by the Deep Linking picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRow {
    pub id: Uuid,
    pub kind: amphi_protocol::RoomKind,
    pub title: String,
}

const PLATFORM_COLUMNS: &str =
    "id, tenant, name, issuer, client_id, deployment_ids, auth_url, token_url, jwks_url, created_at";
const LINK_COLUMNS: &str = "platform_id, deployment_id, resource_link_id, context_id, title, room_id, template_room, \
                            lineitem_url, lineitems_url, memberships_url, updated_at";

fn platform_from(row: &impl RowLike) -> Result<PlatformRecord, StoreError> {
    let deployments: String = row.text("deployment_ids")?;
    Ok(PlatformRecord {
        id: row.text("id")?,
        tenant: row.text("tenant")?,
        name: row.text("name")?,
        issuer: row.text("issuer")?,
        client_id: row.text("client_id")?,
        deployment_ids: serde_json::from_str(&deployments)
            .map_err(|e| StoreError::Corrupt(format!("lti_platforms.deployment_ids: {e}")))?,
        auth_url: row.text("auth_url")?,
        token_url: row.text("token_url")?,
        jwks_url: row.text("jwks_url")?,
        created_at: row.number("created_at")?,
    })
}

fn link_from(row: &impl RowLike) -> Result<LinkRecord, StoreError> {
    let uuid = |text: String| Uuid::parse_str(&text).map_err(|e| StoreError::Corrupt(format!("lti_links: {e}")));
    Ok(LinkRecord {
        platform_id: row.text("platform_id")?,
        deployment_id: row.text("deployment_id")?,
        resource_link_id: row.text("resource_link_id")?,
        context_id: row.text("context_id")?,
        title: row.text("title")?,
        room_id: uuid(row.text("room_id")?)?,
        template_room: row.optional_text("template_room")?.map(uuid).transpose()?,
        lineitem_url: row.optional_text("lineitem_url")?,
        lineitems_url: row.optional_text("lineitems_url")?,
        memberships_url: row.optional_text("memberships_url")?,
        updated_at: row.number("updated_at")?,
    })
}

/// Reading columns from either backend's rows.
trait RowLike {
    fn text(&self, name: &str) -> Result<String, StoreError>;
    fn optional_text(&self, name: &str) -> Result<Option<String>, StoreError>;
    fn number(&self, name: &str) -> Result<i64, StoreError>;
}

macro_rules! row_like {
    ($row:ty) => {
        impl RowLike for $row {
            fn text(&self, name: &str) -> Result<String, StoreError> {
                Ok(self.try_get(name)?)
            }
            fn optional_text(&self, name: &str) -> Result<Option<String>, StoreError> {
                Ok(self.try_get(name)?)
            }
            fn number(&self, name: &str) -> Result<i64, StoreError> {
                Ok(self.try_get(name)?)
            }
        }
    };
}
row_like!(sqlx::sqlite::SqliteRow);
row_like!(sqlx::postgres::PgRow);

impl Store {
    pub async fn insert_lti_platform(&self, p: &PlatformRecord) -> Result<(), StoreError> {
        let sql =
            format!("INSERT INTO lti_platforms ({PLATFORM_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");
        let deployments = serde_json::to_string(&p.deployment_ids).unwrap_or_else(|_| "[]".into());
        on_pool!(self, pool => sqlx::query(&sql)
            .bind(&p.id).bind(&p.tenant).bind(&p.name).bind(&p.issuer).bind(&p.client_id).bind(&deployments)
            .bind(&p.auth_url).bind(&p.token_url).bind(&p.jwks_url).bind(p.created_at)
            .execute(pool).await.map(drop))?;
        Ok(())
    }

    /// Replaces a platform's settings (not its id, tenant or creation time).
    pub async fn update_lti_platform(&self, p: &PlatformRecord) -> Result<bool, StoreError> {
        let sql = "UPDATE lti_platforms SET name = $1, issuer = $2, client_id = $3, deployment_ids = $4, auth_url = $5, \
                   token_url = $6, jwks_url = $7 WHERE id = $8 AND tenant = $9";
        let deployments = serde_json::to_string(&p.deployment_ids).unwrap_or_else(|_| "[]".into());
        let changed = on_pool!(self, pool => sqlx::query(sql)
            .bind(&p.name).bind(&p.issuer).bind(&p.client_id).bind(&deployments).bind(&p.auth_url)
            .bind(&p.token_url).bind(&p.jwks_url).bind(&p.id).bind(&p.tenant)
            .execute(pool).await?.rows_affected());
        Ok(changed > 0)
    }

    pub async fn delete_lti_platform(&self, tenant: &str, id: &str) -> Result<bool, StoreError> {
        let sql = "DELETE FROM lti_platforms WHERE id = $1 AND tenant = $2";
        let deleted =
            on_pool!(self, pool => sqlx::query(sql).bind(id).bind(tenant).execute(pool).await?.rows_affected());
        Ok(deleted > 0)
    }

    pub async fn lti_platform(&self, id: &str) -> Result<Option<PlatformRecord>, StoreError> {
        self.lti_platforms_where("id = $1", &[id]).await.map(|mut all| all.pop())
    }

    /// The platforms of one tenant, oldest first.
    pub async fn lti_platforms_of(&self, tenant: &str) -> Result<Vec<PlatformRecord>, StoreError> {
        self.lti_platforms_where("tenant = $1", &[tenant]).await
    }

    /// Every registered platform (for the frame policy).
    pub async fn lti_platforms_all(&self) -> Result<Vec<PlatformRecord>, StoreError> {
        self.lti_platforms_where("1 = 1", &[]).await
    }

    /// The platforms with this issuer (one per client id).
    pub async fn lti_platforms_by_issuer(&self, issuer: &str) -> Result<Vec<PlatformRecord>, StoreError> {
        self.lti_platforms_where("issuer = $1", &[issuer]).await
    }

    async fn lti_platforms_where(&self, filter: &str, values: &[&str]) -> Result<Vec<PlatformRecord>, StoreError> {
        let sql = format!("SELECT {PLATFORM_COLUMNS} FROM lti_platforms WHERE {filter} ORDER BY created_at, id");
        on_pool!(self, pool => {
            let mut query = sqlx::query(&sql);
            for value in values {
                query = query.bind(*value);
            }
            query.fetch_all(pool).await?.iter().map(platform_from).collect()
        })
    }

    /// Records a login initiation (and drops logins long expired).
    pub async fn insert_lti_login(
        &self,
        state: &str,
        nonce: &str,
        platform_id: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM lti_logins WHERE expires_at < $1")
                .bind(now - 24 * 3600 * 1000)
                .execute(pool)
                .await?;
            sqlx::query("INSERT INTO lti_logins (state, nonce, platform_id, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(state).bind(nonce).bind(platform_id).bind(expires_at)
                .execute(pool).await.map(drop)
        })?;
        Ok(())
    }

    /// Uses a login's state, once: only the first launch that brings it
    /// back, in time, gets its nonce.
    pub async fn claim_lti_login(&self, state: &str, now: i64) -> Result<LoginClaim, StoreError> {
        on_pool!(self, pool => {
            let taken = sqlx::query(
                "UPDATE lti_logins SET used_at = $1 WHERE state = $2 AND used_at IS NULL AND expires_at >= $1",
            )
            .bind(now).bind(state).execute(pool).await?.rows_affected();
            let row = sqlx::query("SELECT nonce, platform_id, expires_at, used_at FROM lti_logins WHERE state = $1")
                .bind(state).fetch_optional(pool).await?;
            Ok(match row {
                None => LoginClaim::Unknown,
                Some(row) if taken > 0 => {
                    LoginClaim::Fresh { nonce: row.try_get("nonce")?, platform_id: row.try_get("platform_id")? }
                }
                Some(row) => {
                    let used: Option<i64> = row.try_get("used_at")?;
                    if used.is_some() { LoginClaim::Replayed } else { LoginClaim::Expired }
                }
            })
        })
    }

    pub async fn lti_link(
        &self,
        platform_id: &str,
        deployment_id: &str,
        resource_link_id: &str,
    ) -> Result<Option<LinkRecord>, StoreError> {
        let sql = format!(
            "SELECT {LINK_COLUMNS} FROM lti_links WHERE platform_id = $1 AND deployment_id = $2 AND resource_link_id = $3"
        );
        on_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(platform_id).bind(deployment_id).bind(resource_link_id)
                .fetch_optional(pool).await?;
            row.as_ref().map(link_from).transpose()
        })
    }

    /// The links whose current session is `room` (a session is opened by one
    /// link, normally).
    pub async fn lti_links_of_room(&self, room: Uuid) -> Result<Vec<LinkRecord>, StoreError> {
        let sql = format!("SELECT {LINK_COLUMNS} FROM lti_links WHERE room_id = $1 ORDER BY updated_at");
        on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(room.to_string()).fetch_all(pool).await?;
            rows.iter().map(link_from).collect()
        })
    }

    /// Keeps the e-mail a platform gave for `member` (replacing the last).
    pub async fn remember_email(&self, tenant: &str, member: &str, email: &str, at: i64) -> Result<(), StoreError> {
        let sql = "INSERT INTO member_emails (tenant, member, email, updated_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (tenant, member) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at";
        on_pool!(self, pool => sqlx::query(sql).bind(tenant).bind(member).bind(email).bind(at)
            .execute(pool).await.map(drop))?;
        Ok(())
    }

    /// The e-mail last given for `member`, if any.
    pub async fn email_of(&self, tenant: &str, member: &str) -> Result<Option<String>, StoreError> {
        let sql = "SELECT email FROM member_emails WHERE tenant = $1 AND member = $2";
        on_pool!(self, pool => Ok(sqlx::query_scalar(sql).bind(tenant).bind(member).fetch_optional(pool).await?))
    }

    /// Creates or replaces a link (its session, title and service URLs).
    pub async fn upsert_lti_link(&self, l: &LinkRecord) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO lti_links ({LINK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (platform_id, deployment_id, resource_link_id) DO UPDATE SET context_id = excluded.context_id, \
             title = excluded.title, room_id = excluded.room_id, template_room = excluded.template_room, \
             lineitem_url = excluded.lineitem_url, lineitems_url = excluded.lineitems_url, \
             memberships_url = excluded.memberships_url, updated_at = excluded.updated_at"
        );
        on_pool!(self, pool => sqlx::query(&sql)
            .bind(&l.platform_id).bind(&l.deployment_id).bind(&l.resource_link_id).bind(&l.context_id).bind(&l.title)
            .bind(l.room_id.to_string()).bind(l.template_room.map(|r| r.to_string())).bind(&l.lineitem_url)
            .bind(&l.lineitems_url).bind(&l.memberships_url).bind(l.updated_at)
            .execute(pool).await.map(drop))?;
        Ok(())
    }

    /// The activities a member made that no link uses as its session (what
    /// the Deep Linking picker offers), newest first.
    pub async fn lti_activities_of(&self, tenant: &str, created_by: &str) -> Result<Vec<ActivityRow>, StoreError> {
        let sql = "SELECT id, kind, title FROM rooms WHERE tenant = $1 AND created_by = $2 AND deleted_at IS NULL \
                   AND id NOT IN (SELECT room_id FROM lti_links) ORDER BY created_at DESC LIMIT 50";
        on_pool!(self, pool => {
            let rows = sqlx::query(sql).bind(tenant).bind(created_by).fetch_all(pool).await?;
            rows.iter()
                .map(|row| -> Result<ActivityRow, StoreError> {
                    let id: String = row.try_get("id")?;
                    Ok(ActivityRow {
                        id: Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(format!("room id: {e}")))?,
                        kind: super::room_kind(row.try_get("kind")?)?,
                        title: row.try_get("title")?,
                    })
                })
                .collect()
        })
    }

    pub async fn insert_lti_registration_code(
        &self,
        code: &str,
        tenant: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO lti_registration_codes (code, tenant, expires_at) VALUES ($1, $2, $3)";
        on_pool!(self, pool => sqlx::query(sql).bind(code).bind(tenant).bind(expires_at).execute(pool).await.map(drop))?;
        Ok(())
    }

    /// The tenant of a registration code still valid at `now`, without using
    /// it (the registration page is shown before the platform is stored).
    pub async fn lti_registration_tenant(&self, code: &str, now: i64) -> Result<Option<String>, StoreError> {
        let sql = "SELECT tenant FROM lti_registration_codes WHERE code = $1 AND used_at IS NULL AND expires_at >= $2";
        Ok(
            on_pool!(self, pool => sqlx::query_scalar::<_, String>(sql).bind(code).bind(now).fetch_optional(pool).await?),
        )
    }

    /// Uses a registration code, once; false if it was used or expired.
    pub async fn use_lti_registration_code(&self, code: &str, now: i64) -> Result<bool, StoreError> {
        let sql =
            "UPDATE lti_registration_codes SET used_at = $1 WHERE code = $2 AND used_at IS NULL AND expires_at >= $1";
        let used = on_pool!(self, pool => sqlx::query(sql).bind(now).bind(code).execute(pool).await?.rows_affected());
        Ok(used > 0)
    }
}

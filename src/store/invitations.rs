//! Saved breakout plans, registrations ahead of a session, the session's
//! schedule and the mail queue (invitations and reminders) that the mail
//! worker (`crate::invitations::worker`) drains.

use sqlx::Row;
use uuid::Uuid;

use super::{Pool, Store, StoreError, now_ms};

/// A saved breakout plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRecord {
    pub id: Uuid,
    pub tenant: String,
    pub owner: String,
    pub title: String,
    /// The breakout definition as JSON (plan and settings).
    pub definition: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A participant to register (from one CSV row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRegistration {
    pub name: String,
    /// Lowercased.
    pub email: String,
    pub atelier: Option<String>,
    /// The optional `academie`, `departement` and `discipline` columns.
    pub profile: super::MemberProfile,
}

/// A registered participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationRecord {
    pub id: Uuid,
    pub room: Uuid,
    pub tenant: String,
    /// The stable member id of their personal join link.
    pub member: String,
    pub name: String,
    pub email: String,
    pub atelier: Option<String>,
    pub created_at: i64,
    /// When their invitation was queued.
    pub invited_at: Option<i64>,
}

/// When a session takes place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRecord {
    pub room: Uuid,
    /// Milliseconds since the Unix epoch.
    pub starts_at: i64,
    pub duration_min: i64,
    pub organizer_name: String,
}

impl ScheduleRecord {
    /// When the session ends (ms since the epoch).
    pub fn ends_at(&self) -> i64 {
        self.starts_at.saturating_add(self.duration_min.saturating_mul(60_000))
    }
}

/// One e-mail of the queue, with what is needed to write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailRecord {
    pub id: String,
    pub registration: Uuid,
    pub room: Uuid,
    /// `invitation` or `reminder`.
    pub kind: String,
    /// Reminders: how long before the start, in seconds.
    pub offset_s: Option<i64>,
    pub lang: String,
    /// `pending`, `sent`, `failed` or `skipped`.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub sent_at: Option<i64>,
    pub last_error: Option<String>,
}

const MAIL_COLUMNS: &str =
    "id, registration, room, kind, offset_s, lang, state, attempts, next_attempt_at, sent_at, last_error";
const REGISTRATION_COLUMNS: &str = "id, room, tenant, member, name, email, atelier, created_at, invited_at";

fn uuid(value: String, what: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(&value).map_err(|e| StoreError::Corrupt(format!("{what} {value:?}: {e}")))
}

macro_rules! plan_from_row {
    ($row:expr) => {{
        let row = $row;
        (|| -> Result<PlanRecord, StoreError> {
            Ok(PlanRecord {
                id: uuid(row.try_get("id")?, "plan id")?,
                tenant: row.try_get("tenant")?,
                owner: row.try_get("owner")?,
                title: row.try_get("title")?,
                definition: row.try_get("definition")?,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
            })
        })()
    }};
}

macro_rules! registration_from_row {
    ($row:expr) => {{
        let row = $row;
        (|| -> Result<RegistrationRecord, StoreError> {
            Ok(RegistrationRecord {
                id: uuid(row.try_get("id")?, "registration id")?,
                room: uuid(row.try_get("room")?, "room id")?,
                tenant: row.try_get("tenant")?,
                member: row.try_get("member")?,
                name: row.try_get("name")?,
                email: row.try_get("email")?,
                atelier: row.try_get("atelier")?,
                created_at: row.try_get("created_at")?,
                invited_at: row.try_get("invited_at")?,
            })
        })()
    }};
}

macro_rules! mail_from_row {
    ($row:expr) => {{
        let row = $row;
        (|| -> Result<MailRecord, StoreError> {
            Ok(MailRecord {
                id: row.try_get("id")?,
                registration: uuid(row.try_get("registration")?, "registration id")?,
                room: uuid(row.try_get("room")?, "room id")?,
                kind: row.try_get("kind")?,
                offset_s: row.try_get("offset_s")?,
                lang: row.try_get("lang")?,
                state: row.try_get("state")?,
                attempts: row.try_get("attempts")?,
                next_attempt_at: row.try_get("next_attempt_at")?,
                sent_at: row.try_get("sent_at")?,
                last_error: row.try_get("last_error")?,
            })
        })()
    }};
}

impl Store {
    // ----- plans --------------------------------------------------------

    pub async fn insert_plan(&self, plan: &PlanRecord) -> Result<(), StoreError> {
        let sql = "INSERT INTO plans (id, tenant, owner, title, definition, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7)";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(plan.id.to_string())
            .bind(&plan.tenant)
            .bind(&plan.owner)
            .bind(&plan.title)
            .bind(&plan.definition)
            .bind(plan.created_at)
            .bind(plan.updated_at)
            .execute(pool)
            .await
            .map(drop))?;
        Ok(())
    }

    /// The tenant's plans, most recently changed first.
    pub async fn plans(&self, tenant: &str) -> Result<Vec<PlanRecord>, StoreError> {
        let sql = "SELECT id, tenant, owner, title, definition, created_at, updated_at FROM plans \
                   WHERE tenant = $1 ORDER BY updated_at DESC, id";
        on_pool!(self, pool => {
            let rows = sqlx::query(sql).bind(tenant).fetch_all(pool).await?;
            rows.iter().map(|row| plan_from_row!(row)).collect()
        })
    }

    pub async fn plan(&self, tenant: &str, id: Uuid) -> Result<Option<PlanRecord>, StoreError> {
        let sql = "SELECT id, tenant, owner, title, definition, created_at, updated_at FROM plans \
                   WHERE tenant = $1 AND id = $2";
        on_pool!(self, pool => {
            let row = sqlx::query(sql).bind(tenant).bind(id.to_string()).fetch_optional(pool).await?;
            row.map(|row| plan_from_row!(row)).transpose()
        })
    }

    /// Replaces a plan's title and definition; whether it existed.
    pub async fn update_plan(
        &self,
        tenant: &str,
        id: Uuid,
        title: &str,
        definition: &str,
        at: i64,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE plans SET title = $1, definition = $2, updated_at = $3 WHERE tenant = $4 AND id = $5";
        let done = on_pool!(self, pool => sqlx::query(sql)
            .bind(title).bind(definition).bind(at).bind(tenant).bind(id.to_string())
            .execute(pool).await?.rows_affected());
        Ok(done > 0)
    }

    /// Deletes a plan; whether it existed.
    pub async fn delete_plan(&self, tenant: &str, id: Uuid) -> Result<bool, StoreError> {
        let sql = "DELETE FROM plans WHERE tenant = $1 AND id = $2";
        let done = on_pool!(self, pool => sqlx::query(sql)
            .bind(tenant).bind(id.to_string()).execute(pool).await?.rows_affected());
        Ok(done > 0)
    }

    // ----- registrations ---------------------------------------------------

    /// Registers participants to `room` in one transaction: a new address
    /// gets a registration and a stable member id; a known one keeps both
    /// and takes the new name (and atelier, when one is given).
    pub async fn upsert_registrations(
        &self,
        room: Uuid,
        tenant: &str,
        people: &[NewRegistration],
    ) -> Result<Vec<RegistrationRecord>, StoreError> {
        let find = format!("SELECT {REGISTRATION_COLUMNS} FROM registrations WHERE room = $1 AND email = $2");
        let update = "UPDATE registrations SET name = $1, atelier = COALESCE($2, atelier) WHERE id = $3";
        let insert = "INSERT INTO registrations (id, room, tenant, member, name, email, atelier, created_at) \
                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        let now = now_ms();
        on_pool!(self, pool => {
            let mut transaction = pool.begin_with(self.begin_writing()).await?;
            let mut saved = Vec::with_capacity(people.len());
            for person in people {
                let row = sqlx::query(&find)
                    .bind(room.to_string())
                    .bind(&person.email)
                    .fetch_optional(&mut *transaction)
                    .await?;
                match row {
                    Some(row) => {
                        let mut record = registration_from_row!(row)?;
                        sqlx::query(update)
                            .bind(&person.name)
                            .bind(&person.atelier)
                            .bind(record.id.to_string())
                            .execute(&mut *transaction)
                            .await?;
                        record.name = person.name.clone();
                        if person.atelier.is_some() {
                            record.atelier = person.atelier.clone();
                        }
                        saved.push(record);
                    }
                    None => {
                        let id = Uuid::new_v4();
                        let record = RegistrationRecord {
                            id,
                            room,
                            tenant: tenant.to_string(),
                            member: format!("reg-{}", id.simple()),
                            name: person.name.clone(),
                            email: person.email.clone(),
                            atelier: person.atelier.clone(),
                            created_at: now,
                            invited_at: None,
                        };
                        sqlx::query(insert)
                            .bind(id.to_string())
                            .bind(room.to_string())
                            .bind(tenant)
                            .bind(&record.member)
                            .bind(&record.name)
                            .bind(&record.email)
                            .bind(&record.atelier)
                            .bind(now)
                            .execute(&mut *transaction)
                            .await?;
                        saved.push(record);
                    }
                }
            }
            transaction.commit().await?;
            Ok(saved)
        })
    }

    /// A room's registrations, by name then address.
    pub async fn registrations(&self, room: Uuid) -> Result<Vec<RegistrationRecord>, StoreError> {
        let sql = format!("SELECT {REGISTRATION_COLUMNS} FROM registrations WHERE room = $1 ORDER BY name, email");
        on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(room.to_string()).fetch_all(pool).await?;
            rows.iter().map(|row| registration_from_row!(row)).collect()
        })
    }

    pub async fn registration(&self, id: Uuid) -> Result<Option<RegistrationRecord>, StoreError> {
        let sql = format!("SELECT {REGISTRATION_COLUMNS} FROM registrations WHERE id = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(pool).await?;
            row.map(|row| registration_from_row!(row)).transpose()
        })
    }

    // ----- schedule ----------------------------------------------------------

    pub async fn schedule(&self, room: Uuid) -> Result<Option<ScheduleRecord>, StoreError> {
        let sql = "SELECT room, starts_at, duration_min, organizer_name FROM session_schedules WHERE room = $1";
        on_pool!(self, pool => {
            let row = sqlx::query(sql).bind(room.to_string()).fetch_optional(pool).await?;
            row.map(|row| -> Result<ScheduleRecord, StoreError> {
                Ok(ScheduleRecord {
                    room: uuid(row.try_get("room")?, "room id")?,
                    starts_at: row.try_get("starts_at")?,
                    duration_min: row.try_get("duration_min")?,
                    organizer_name: row.try_get("organizer_name")?,
                })
            })
            .transpose()
        })
    }

    // ----- the mail queue ------------------------------------------------------

    /// Sets the session's schedule and queues an invitation for every
    /// registrant not yet invited, with a reminder `offset` seconds before
    /// the start for each offset still ahead. One transaction. Returns the
    /// invitations and reminders queued.
    pub async fn queue_invitations(
        &self,
        schedule: &ScheduleRecord,
        lang: &str,
        reminder_offsets_s: &[i64],
    ) -> Result<(u64, u64), StoreError> {
        let now = now_ms();
        let upsert_schedule = "INSERT INTO session_schedules (room, starts_at, duration_min, organizer_name, updated_at) \
                               VALUES ($1, $2, $3, $4, $5) ON CONFLICT (room) DO UPDATE SET \
                               starts_at = excluded.starts_at, duration_min = excluded.duration_min, \
                               organizer_name = excluded.organizer_name, updated_at = excluded.updated_at";
        let pending = "SELECT id FROM registrations WHERE room = $1 AND invited_at IS NULL ORDER BY created_at, id";
        let insert = "INSERT INTO mail_queue (id, registration, room, kind, offset_s, lang, state, next_attempt_at, \
                      created_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8)";
        let invited = "UPDATE registrations SET invited_at = $1 WHERE id = $2";
        let room = schedule.room.to_string();
        on_pool!(self, pool => {
            let mut transaction = pool.begin_with(self.begin_writing()).await?;
            sqlx::query(upsert_schedule)
                .bind(&room)
                .bind(schedule.starts_at)
                .bind(schedule.duration_min)
                .bind(&schedule.organizer_name)
                .bind(now)
                .execute(&mut *transaction)
                .await?;
            let ids: Vec<String> = sqlx::query_scalar(pending).bind(&room).fetch_all(&mut *transaction).await?;
            let (mut invitations, mut reminders) = (0, 0);
            for registration in &ids {
                let mut mails = vec![("invitation", None, now)];
                for &offset in reminder_offsets_s {
                    let due = schedule.starts_at.saturating_sub(offset.saturating_mul(1000));
                    if due > now {
                        mails.push(("reminder", Some(offset), due));
                    }
                }
                for (kind, offset, due) in mails {
                    sqlx::query(insert)
                        .bind(Uuid::new_v4().to_string())
                        .bind(registration)
                        .bind(&room)
                        .bind(kind)
                        .bind(offset)
                        .bind(lang)
                        .bind(due)
                        .bind(now)
                        .execute(&mut *transaction)
                        .await?;
                    if kind == "invitation" { invitations += 1 } else { reminders += 1 }
                }
                sqlx::query(invited).bind(now).bind(registration).execute(&mut *transaction).await?;
            }
            transaction.commit().await?;
            Ok((invitations, reminders))
        })
    }

    /// Every e-mail of a room's queue, oldest first.
    pub async fn mails(&self, room: Uuid) -> Result<Vec<MailRecord>, StoreError> {
        let sql = format!("SELECT {MAIL_COLUMNS} FROM mail_queue WHERE room = $1 ORDER BY next_attempt_at, id");
        on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(room.to_string()).fetch_all(pool).await?;
            rows.iter().map(|row| mail_from_row!(row)).collect()
        })
    }

    /// Pending e-mails due at `now` and not claimed by a worker, oldest
    /// first.
    pub async fn mails_due(&self, now: i64, limit: i64) -> Result<Vec<MailRecord>, StoreError> {
        let sql = format!(
            "SELECT {MAIL_COLUMNS} FROM mail_queue WHERE state = 'pending' AND next_attempt_at <= $1 \
             AND claimed_until <= $1 ORDER BY next_attempt_at, id LIMIT $2"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(now).bind(limit).fetch_all(pool).await?;
            rows.iter().map(|row| mail_from_row!(row)).collect()
        })
    }

    /// Claims a due e-mail until `until`; false when another worker has it
    /// or it is no longer pending.
    pub async fn claim_mail(&self, id: &str, now: i64, until: i64) -> Result<bool, StoreError> {
        let sql =
            "UPDATE mail_queue SET claimed_until = $1 WHERE id = $2 AND state = 'pending' AND claimed_until <= $3";
        let done = on_pool!(self, pool => sqlx::query(sql).bind(until).bind(id).bind(now)
            .execute(pool).await?.rows_affected());
        Ok(done == 1)
    }

    /// Marks an e-mail sent: it is never sent again.
    pub async fn mail_sent(&self, id: &str, at: i64) -> Result<(), StoreError> {
        let sql = "UPDATE mail_queue SET state = 'sent', sent_at = $1, attempts = attempts + 1, last_error = NULL, \
                   claimed_until = 0 WHERE id = $2";
        on_pool!(self, pool => sqlx::query(sql).bind(at).bind(id).execute(pool).await.map(drop))?;
        Ok(())
    }

    /// Records a failed attempt: tried again at `next_attempt_at`, or given
    /// up (`failed`) when `last` is set.
    pub async fn mail_failed(&self, id: &str, next_attempt_at: i64, error: &str, last: bool) -> Result<(), StoreError> {
        let sql = "UPDATE mail_queue SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2, \
                   state = $3, claimed_until = 0 WHERE id = $4";
        let state = if last { "failed" } else { "pending" };
        on_pool!(self, pool => sqlx::query(sql).bind(next_attempt_at).bind(error).bind(state).bind(id)
            .execute(pool).await.map(drop))?;
        Ok(())
    }

    /// Marks a reminder that came too late (its session had started).
    pub async fn mail_skipped(&self, id: &str) -> Result<(), StoreError> {
        let sql = "UPDATE mail_queue SET state = 'skipped', claimed_until = 0 WHERE id = $1";
        on_pool!(self, pool => sqlx::query(sql).bind(id).execute(pool).await.map(drop))?;
        Ok(())
    }

    /// How many e-mails wait to be sent.
    pub async fn mails_pending(&self) -> Result<i64, StoreError> {
        let sql = "SELECT COUNT(*) FROM mail_queue WHERE state = 'pending'";
        Ok(on_pool!(self, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await?))
    }
}

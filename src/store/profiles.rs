//! What is known of a member for the usage statistics' breakdowns (their
//! académie, department and discipline), as LTI launches and registration
//! files say it: one row per tenant and member, each field replaced only by
//! a new known value.

use sqlx::{QueryBuilder, Row};

use super::{Pool, Store, StoreError};

/// The longest value kept for a field (longer ones are cut).
pub const MAX_PROFILE_CHARS: usize = 80;

/// A member's académie, department and discipline, each when known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberProfile {
    pub academie: Option<String>,
    pub departement: Option<String>,
    pub discipline: Option<String>,
}

impl MemberProfile {
    /// A profile from raw values: trimmed, spaces collapsed, cut to
    /// [`MAX_PROFILE_CHARS`], control characters refused, empty ones unknown.
    pub fn new(academie: Option<&str>, departement: Option<&str>, discipline: Option<&str>) -> MemberProfile {
        MemberProfile { academie: clean(academie), departement: clean(departement), discipline: clean(discipline) }
    }

    /// Whether it says nothing.
    pub fn is_empty(&self) -> bool {
        self.academie.is_none() && self.departement.is_none() && self.discipline.is_none()
    }
}

fn clean(value: Option<&str>) -> Option<String> {
    let words: Vec<&str> = value?.split_whitespace().collect();
    let text: String = words.join(" ").chars().filter(|c| !c.is_control()).take(MAX_PROFILE_CHARS).collect();
    (!text.is_empty()).then_some(text)
}

/// Rows written per statement (4 bound values each).
const CHUNK: usize = 2_000;

impl Store {
    /// Records what is known of each `(member, profile)` of `tenant` at `at`
    /// (milliseconds): a known field replaces the stored one, an unknown one
    /// keeps it. Empty profiles are skipped.
    pub async fn record_profiles(
        &self,
        tenant: &str,
        profiles: &[(String, MemberProfile)],
        at: i64,
    ) -> Result<(), StoreError> {
        let known: Vec<&(String, MemberProfile)> = profiles.iter().filter(|(_, p)| !p.is_empty()).collect();
        for chunk in known.chunks(CHUNK) {
            macro_rules! write {
                ($pool:expr, $db:ty) => {{
                    let mut sql: QueryBuilder<$db> = QueryBuilder::new(
                        "INSERT INTO member_profiles (tenant, member, academie, departement, discipline, updated_at) ",
                    );
                    sql.push_values(chunk, |mut row, (member, profile)| {
                        row.push_bind(tenant)
                            .push_bind(member.as_str())
                            .push_bind(profile.academie.as_deref())
                            .push_bind(profile.departement.as_deref())
                            .push_bind(profile.discipline.as_deref())
                            .push_bind(at);
                    });
                    sql.push(
                        " ON CONFLICT (tenant, member) DO UPDATE SET \
                         academie = COALESCE(excluded.academie, member_profiles.academie), \
                         departement = COALESCE(excluded.departement, member_profiles.departement), \
                         discipline = COALESCE(excluded.discipline, member_profiles.discipline), \
                         updated_at = excluded.updated_at",
                    );
                    sql.build().execute($pool).await?;
                }};
            }
            match &self.pool {
                Pool::Sqlite(pool) => write!(pool, sqlx::Sqlite),
                Pool::Postgres(pool) => write!(pool, sqlx::Postgres),
            }
        }
        Ok(())
    }

    /// What is known of `member` of `tenant`.
    pub async fn profile_of(&self, tenant: &str, member: &str) -> Result<MemberProfile, StoreError> {
        let sql = "SELECT academie, departement, discipline FROM member_profiles WHERE tenant = $1 AND member = $2";
        on_pool!(self, pool => {
            let row = sqlx::query(sql).bind(tenant).bind(member).fetch_optional(pool).await?;
            Ok(match row {
                Some(row) => MemberProfile {
                    academie: row.try_get("academie")?,
                    departement: row.try_get("departement")?,
                    discipline: row.try_get("discipline")?,
                },
                None => MemberProfile::default(),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_cleaned() {
        let profile = MemberProfile::new(Some("  Académie   de Lyon "), Some(""), None);
        assert_eq!(profile.academie.as_deref(), Some("Académie de Lyon"));
        assert_eq!(profile.departement, None);
        assert!(!profile.is_empty());
        assert!(MemberProfile::new(Some(" "), None, Some("\u{7}")).is_empty());
        assert_eq!(MemberProfile::new(Some(&"x".repeat(200)), None, None).academie.unwrap().len(), MAX_PROFILE_CHARS);
    }
}

//! The usage statistics' SQL aggregates: per period (and per académie,
//! department or discipline of the members, when asked), the sessions held
//! by kind, participants, attendance, quiz completions, answers, posts,
//! ateliers and badges, read from the store's tables (never from live
//! rooms). Counts only: what may be published is decided by the API.

use std::collections::BTreeMap;

use sqlx::Row;

use super::rollup::COUNTED_INPUTS;
use super::{Pool, Store, StoreError};

/// What the cells are broken down by: a field of the members' profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    /// The room's tenant (the académie the session was held in).
    Tenant,
    Academie,
    Departement,
    Discipline,
}

impl Breakdown {
    fn column(self, tenant: &str) -> String {
        match self {
            Breakdown::Tenant => return tenant.to_string(),
            Breakdown::Academie => "p.academie",
            Breakdown::Departement => "p.departement",
            Breakdown::Discipline => "p.discipline",
        }
        .to_string()
    }
}

/// Which figures are asked: the tenant (none: every tenant), the periods
/// (`bounds`: each period's start, milliseconds, ascending; the last ends
/// at `to`) and the breakdown.
#[derive(Debug, Clone)]
pub struct StatisticsQuery {
    pub tenant: Option<String>,
    pub bounds: Vec<i64>,
    pub to: i64,
    /// Periods of equal length (weeks): the period is found by a division
    /// instead of comparisons.
    pub step: Option<i64>,
}

/// The level of detail of one read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Per period and group of `Breakdown`.
    Groups(Breakdown),
    /// Per period.
    Periods,
    /// The whole range at once (period 0).
    Whole,
}

/// The raw figures of one cell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawCell {
    /// Distinct participants present (attendance).
    pub people: i64,
    pub attendance_ms: i64,
    /// Sessions with a participant present, by room kind.
    pub sessions: BTreeMap<String, i64>,
    /// Distinct participants present in an ateliers (breakout) session.
    pub atelier_people: i64,
    /// Quiz completions recorded, completed (states 1–3), graded (2–3) and
    /// passed (2), and the distinct people they are about.
    pub completions: i64,
    pub completed: i64,
    pub graded: i64,
    pub passed: i64,
    pub completers: i64,
    /// Participants' quiz answers and board posts.
    pub answers: i64,
    pub posts: i64,
    /// Openings of ateliers (a breakout session's `open`).
    pub ateliers_opened: i64,
    /// Badges issued (not revoked) and their distinct recipients.
    pub badges: i64,
    pub badge_recipients: i64,
}

impl RawCell {
    /// The most people any of its figures is about (a lower bound of the
    /// people it describes; those who answer or post are present).
    pub fn population(&self) -> i64 {
        [self.people, self.completers, self.badge_recipients].into_iter().max().unwrap_or(0)
    }
}

/// A cell's key: its period (index in `bounds`) and group (`None`: not
/// known, or no breakdown).
pub type CellKey = (i64, Option<String>);

impl StatisticsQuery {
    /// The SQL expression of the period of the time `column`, as a BIGINT.
    fn period(&self, level: Level, column: &str) -> String {
        let from = self.bounds.first().copied().unwrap_or(0);
        match (level, self.step) {
            (Level::Whole, _) => "CAST(0 AS BIGINT)".into(),
            _ if self.bounds.len() <= 1 => "CAST(0 AS BIGINT)".into(),
            (_, Some(step)) => format!("CAST(({column} - {from}) / {step} AS BIGINT)"),
            (_, None) => {
                let mut sql = String::from("CAST(CASE");
                for (index, start) in self.bounds.iter().enumerate().skip(1) {
                    sql.push_str(&format!(" WHEN {column} < {start} THEN {}", index - 1));
                }
                sql.push_str(&format!(" ELSE {} END AS BIGINT)", self.bounds.len().saturating_sub(1)));
                sql
            }
        }
    }

    fn group(level: Level, tenant: &str) -> String {
        match level {
            Level::Groups(by) => by.column(tenant),
            _ => "CAST(NULL AS TEXT)".into(),
        }
    }

    /// `SELECT <period> AS bucket, <group> AS grp, <figures> FROM <from> WHERE
    /// <time> in range [AND <tenant> = $3] [GROUP BY ...]`, members joined to
    /// their profiles on `member` when grouped.
    fn select(&self, level: Level, figures: &str, from: &str, time: &str, tenant: &str, member: &str) -> String {
        let period = self.period(level, time);
        let group = Self::group(level, tenant);
        let profiles = match level {
            Level::Groups(Breakdown::Tenant) => String::new(),
            Level::Groups(_) => format!(" LEFT JOIN member_profiles p ON p.tenant = {tenant} AND p.member = {member}"),
            _ => String::new(),
        };
        let scope = if self.tenant.is_some() { format!(" AND {tenant} = $3") } else { String::new() };
        let grouping = match level {
            Level::Groups(_) => format!(" GROUP BY {period}, {group}"),
            Level::Periods => format!(" GROUP BY {period}"),
            Level::Whole => String::new(),
        };
        format!(
            "SELECT {period} AS bucket, {group} AS grp, {figures} FROM {from}{profiles} \
             WHERE {time} >= $1 AND {time} < $2{scope}{grouping}"
        )
    }
}

/// Adds the journal's counts of `cell` to `total`.
fn add_inputs(total: &mut RawCell, cell: &RawCell) {
    total.answers += cell.answers;
    total.posts += cell.posts;
    total.ateliers_opened += cell.ateliers_opened;
}

/// The room kinds whose sessions are counted.
const KINDS: [&str; 4] = ["quiz", "board", "breakout", "lobby"];

/// `CAST(<aggregate> AS BIGINT)`, nulls as 0 (PostgreSQL sums are NUMERIC).
fn big(aggregate: &str) -> String {
    format!("CAST(COALESCE({aggregate}, 0) AS BIGINT)")
}

/// The cells of the three levels: the whole range, its periods, and (when
/// asked) their groups.
#[derive(Debug, Clone, Default)]
pub struct Levels {
    pub whole: BTreeMap<CellKey, RawCell>,
    pub periods: BTreeMap<CellKey, RawCell>,
    pub groups: Option<BTreeMap<CellKey, RawCell>>,
}

impl Store {
    /// The raw cells of `query` for the whole range, each period and, with
    /// `by`, each group of each period. The journal's counts (the largest
    /// table), all sums, are read once at the finest level and added up.
    pub async fn statistics(&self, query: &StatisticsQuery, by: Option<Breakdown>) -> Result<Levels, StoreError> {
        let started = std::time::Instant::now();
        // The levels are read at once (the pool's connections, the cores).
        let groups = async {
            match by {
                Some(by) => self.statistics_at(query, Level::Groups(by), true).await.map(Some),
                None => Ok(None),
            }
        };
        let (whole, periods, groups) = tokio::try_join!(
            self.statistics_at(query, Level::Whole, false),
            self.statistics_at(query, Level::Periods, by.is_none()),
            groups,
        )?;
        let mut levels = Levels { whole, periods, groups };
        let finest_cells = levels.groups.clone().unwrap_or_else(|| levels.periods.clone());
        for ((period, _), cell) in &finest_cells {
            add_inputs(levels.whole.entry((0, None)).or_default(), cell);
            if by.is_some() {
                add_inputs(levels.periods.entry((*period, None)).or_default(), cell);
            }
        }
        self.observe("statistics", started);
        Ok(levels)
    }

    /// The raw cells of `query` at `level`, keyed by period and group; the
    /// journal's counts only `with_inputs`.
    async fn statistics_at(
        &self,
        query: &StatisticsQuery,
        level: Level,
        with_inputs: bool,
    ) -> Result<BTreeMap<CellKey, RawCell>, StoreError> {
        let mut cells: BTreeMap<CellKey, RawCell> = BTreeMap::new();
        let from = query.bounds.first().copied().unwrap_or(0);
        let participant = "a.role = 'participant'";
        // Attendance: people, minutes (open stretches count nothing),
        // ateliers' people, and sessions by kind (rooms with a participant).
        let sessions: Vec<String> = KINDS
            .iter()
            .map(|kind| big(&format!("COUNT(DISTINCT CASE WHEN r.kind = '{kind}' THEN a.room END)")))
            .collect();
        let attendance = query.select(
            level,
            &format!(
                "{}, {}, {}, {}",
                big("COUNT(DISTINCT a.member)"),
                big("SUM(COALESCE(a.left_at, a.joined_at) - a.joined_at)"),
                big("COUNT(DISTINCT CASE WHEN r.kind = 'breakout' THEN a.member END)"),
                sessions.join(", "),
            ),
            &format!("attendance a JOIN rooms r ON r.id = a.room AND {participant}"),
            "a.joined_at",
            "r.tenant",
            "a.member",
        );
        let completions = query.select(
            level,
            &format!(
                "{}, {}, {}, {}, {}",
                big("COUNT(*)"),
                big("SUM(CASE WHEN c.state >= 1 THEN 1 ELSE 0 END)"),
                big("SUM(CASE WHEN c.state >= 2 THEN 1 ELSE 0 END)"),
                big("SUM(CASE WHEN c.state = 2 THEN 1 ELSE 0 END)"),
                big("COUNT(DISTINCT c.user_id)"),
            ),
            "completions c JOIN rooms r ON r.id = c.activity AND r.kind = 'quiz'",
            "c.updated_at",
            "c.tenant",
            "c.user_id",
        );
        // The journal's counts: its rollup (one row per room, member,
        // action and quarter of an hour), then its tail beyond each room's
        // mark, read by room along the journal's primary key; the two are
        // added up.
        let in_tenant =
            |column: &str| if query.tenant.is_some() { format!("{column} = $3 AND ") } else { String::new() };
        let rolled_up = format!(
            "SELECT u.tenant AS tenant, u.kind AS kind, u.member AS member, u.action AS action, u.slot AS at, \
             u.inputs AS n FROM input_rollups u WHERE {}u.slot >= $1 AND u.slot < $2",
            in_tenant("u.tenant"),
        );
        let tail = format!(
            "SELECT t.tenant AS tenant, t.kind AS kind, i.member AS member, i.action AS action, i.at AS at, 1 AS n \
             FROM rooms t JOIN room_inputs i ON i.room = t.id \
             AND i.position > COALESCE((SELECT m.position FROM input_rollup_marks m WHERE m.room = t.id), -1) \
             WHERE {}{COUNTED_INPUTS} AND i.at >= $1 AND i.at < $2",
            in_tenant("t.tenant"),
        );
        let inputs_of = |source: &str| {
            query.select(
                level,
                &format!(
                    "{}, {}, {}",
                    big("SUM(CASE WHEN x.kind = 'quiz' AND x.action = 'answer' THEN x.n ELSE 0 END)"),
                    big("SUM(CASE WHEN x.kind = 'board' AND x.action = 'post' THEN x.n ELSE 0 END)"),
                    big("SUM(CASE WHEN x.kind = 'breakout' AND x.action = 'open' THEN x.n ELSE 0 END)"),
                ),
                &format!("({source}) x"),
                "x.at",
                "x.tenant",
                "x.member",
            )
        };
        let (rolled_up, tail) = (inputs_of(&rolled_up), inputs_of(&tail));
        let badges = query
            .select(
                level,
                &format!("{}, {}", big("COUNT(*)"), big("COUNT(DISTINCT b.recipient)")),
                "badge_awards b",
                "b.issued_at",
                "b.tenant",
                "b.recipient",
            )
            .replacen(" WHERE ", " WHERE b.revoked_at IS NULL AND ", 1);
        let postgres = matches!(self.pool, Pool::Postgres(_));
        on_pool!(self, pool => {
            macro_rules! bound {
                ($sql:expr) => {{
                    let mut statement = sqlx::query($sql).bind(from).bind(query.to);
                    if let Some(tenant) = &query.tenant {
                        statement = statement.bind(tenant.as_str());
                    }
                    statement
                }};
            }
            let rows = |sql: String| async move { bound!(&sql).fetch_all(pool).await };
            // The tail: PostgreSQL, which cannot know that a room's mark is
            // near its last position, would scan the whole journal (hash
            // join); told to join by room, it probes each room's few rows.
            let tail = async {
                let mut transaction = pool.begin().await?;
                if postgres {
                    for setting in ["SET LOCAL enable_hashjoin = off", "SET LOCAL enable_mergejoin = off"] {
                        sqlx::query(setting).execute(&mut *transaction).await?;
                    }
                }
                let rows = bound!(&tail).fetch_all(&mut *transaction).await?;
                transaction.commit().await?;
                Ok::<_, sqlx::Error>(rows)
            };
            let inputs = async {
                if !with_inputs {
                    return Ok((Vec::new(), Vec::new()));
                }
                tokio::try_join!(rows(rolled_up), tail)
            };
            // The sources are read at once, each on a connection of its own.
            let (attendance, completions, (rolled_up, tail), badges) =
                tokio::try_join!(rows(attendance), rows(completions), inputs, rows(badges))?;
            let key = |row: &_| -> Result<CellKey, StoreError> { Ok((Row::try_get(row, "bucket")?, Row::try_get(row, "grp")?)) };
            for row in attendance {
                let cell = cells.entry(key(&row)?).or_default();
                cell.people = row.try_get(2)?;
                cell.attendance_ms = row.try_get(3)?;
                cell.atelier_people = row.try_get(4)?;
                for (index, kind) in KINDS.iter().enumerate() {
                    let count: i64 = row.try_get(5 + index)?;
                    if count > 0 {
                        cell.sessions.insert((*kind).to_string(), count);
                    }
                }
            }
            for row in completions {
                let cell = cells.entry(key(&row)?).or_default();
                cell.completions = row.try_get(2)?;
                cell.completed = row.try_get(3)?;
                cell.graded = row.try_get(4)?;
                cell.passed = row.try_get(5)?;
                cell.completers = row.try_get(6)?;
            }
            for row in rolled_up.into_iter().chain(tail) {
                let cell = cells.entry(key(&row)?).or_default();
                cell.answers += row.try_get::<i64, _>(2)?;
                cell.posts += row.try_get::<i64, _>(3)?;
                cell.ateliers_opened += row.try_get::<i64, _>(4)?;
            }
            for row in badges {
                let cell = cells.entry(key(&row)?).or_default();
                cell.badges = row.try_get(2)?;
                cell.badge_recipients = row.try_get(3)?;
            }
        });
        // An aggregate over no row (the whole range) reads as an empty cell.
        cells.retain(|_, cell| *cell != RawCell::default());
        Ok(cells)
    }
}

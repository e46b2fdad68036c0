//! Usage statistics for those who steer the training offer:
//! `GET /api/v1/admin/statistics` (JSON) and `/admin/statistics.csv`, per
//! month or week, optionally by the members' académie, department or
//! discipline (or, for the national role, by tenant). An admin sees their
//! own tenant; the national role every tenant, or one with `tenant=`.
//! Aggregates of the store only, each cell published under the privacy
//! rules of [`super::statistics_privacy`].

use amphi_protocol::{ErrorCode, Role};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::json;

use super::spreadsheet::{Dialect, Sheet};
use super::statistics_periods::{Period, Span, periods};
use super::statistics_report::{Figures, Report, publish};
use super::{ApiError, Bearer, download};
use crate::app::AppState;
use crate::auth::Member;
use crate::store::{Breakdown, StatisticsQuery};

/// The query string of both routes.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Params {
    from: Option<String>,
    to: Option<String>,
    period: Option<String>,
    by: Option<String>,
    tenant: Option<String>,
    /// CSV only: `en` (default) or `fr`.
    dialect: Option<Dialect>,
}

/// What was asked, checked.
struct Asked {
    tenant: Option<String>,
    from: Date,
    to: Date,
    period: Period,
    by: Option<(Breakdown, &'static str)>,
    dialect: Dialect,
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, message)
}

fn forbidden(message: &str) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message)
}

/// The tenant `member` may see the statistics of (`None`: every tenant).
fn scope(member: &Member, asked: Option<String>) -> Result<Option<String>, ApiError> {
    match member.role {
        Role::National => Ok(asked),
        Role::Admin if member.room_scope.is_none() => match asked {
            Some(tenant) if tenant != member.tenant => {
                Err(forbidden("an admin sees the statistics of their own tenant only"))
            }
            _ => Ok(Some(member.tenant.clone())),
        },
        _ => Err(forbidden("only an admin or the national role sees the usage statistics")),
    }
}

fn day(text: &str, name: &str) -> Result<Date, ApiError> {
    let valid = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    let parsed = valid.then(|| text.parse::<Date>().ok()).flatten();
    parsed.ok_or_else(|| bad(format!("`{name}` is a day, YYYY-MM-DD")))
}

fn read(app: &AppState, member: &Member, params: Result<Query<Params>, QueryRejection>) -> Result<Asked, ApiError> {
    let Query(params) = params.map_err(|rejection| bad(rejection.body_text()))?;
    let tenant = scope(member, params.tenant.filter(|t| !t.is_empty()))?;
    let zone = app.config.time.zone_of(tenant.as_deref().unwrap_or(""));
    let today = jiff::Timestamp::now().to_zoned(zone).date();
    let to = params.to.as_deref().map(|t| day(t, "to")).transpose()?.unwrap_or(today);
    let from = match params.from.as_deref() {
        Some(text) => day(text, "from")?,
        None => to.checked_sub(11.months()).map_err(|_| bad("`to` is out of range"))?.first_of_month(),
    };
    let period = match params.period.as_deref() {
        None => Period::Month,
        Some(text) => Period::parse(text).ok_or_else(|| bad("`period` is month or week"))?,
    };
    let by = match params.by.as_deref() {
        None | Some("") => None,
        Some("academie") => Some((Breakdown::Academie, "academie")),
        Some("departement") => Some((Breakdown::Departement, "departement")),
        Some("discipline") => Some((Breakdown::Discipline, "discipline")),
        Some("tenant") if member.role == Role::National => Some((Breakdown::Tenant, "tenant")),
        Some(_) => return Err(bad("`by` is academie, departement or discipline (or tenant, for the national role)")),
    };
    Ok(Asked { tenant, from, to, period, by, dialect: params.dialect.unwrap_or_default() })
}

/// The periods and published figures of `asked`.
async fn compute(app: &AppState, asked: &Asked) -> Result<(Vec<Span>, Report), ApiError> {
    let zone = app.config.time.zone_of(asked.tenant.as_deref().unwrap_or(""));
    let (spans, end) = periods(asked.period, asked.from, asked.to, &zone)
        .ok_or_else(|| bad("`from` is a day before `to`, at most about two years before it"))?;
    let query = StatisticsQuery {
        tenant: asked.tenant.clone(),
        bounds: spans.iter().map(|span| span.start_ms).collect(),
        to: end,
        step: None,
    };
    let levels = app.store.statistics(&query, asked.by.map(|(by, _)| by)).await.map_err(ApiError::internal)?;
    let min_people = i64::from(app.config.statistics.min_people);
    let report = publish(&spans, &levels.whole, &levels.periods, levels.groups.as_ref(), min_people);
    Ok((spans, report))
}

/// `GET /api/v1/admin/statistics`.
pub async fn json(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    let asked = read(&app, &member, params)?;
    let (spans, report) = compute(&app, &asked).await?;
    Ok(Json(json!({
        "tenant": asked.tenant,
        "from": spans.first().map(|s| s.first_day.to_string()),
        "to": spans.last().map(|s| s.last_day.to_string()),
        "period": asked.period.as_str(),
        "by": asked.by.map(|(_, name)| name),
        "min_people": app.config.statistics.min_people,
        "total": report.total,
        "periods": report.periods,
    }))
    .into_response())
}

/// `GET /api/v1/admin/statistics.csv`: the same figures, one row per period
/// (its total, then each group) and a last row for the whole range.
pub async fn csv(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    let asked = read(&app, &member, params)?;
    let (spans, report) = compute(&app, &asked).await?;
    let sheet = Sheet::new(asked.dialect, app.config.time.zone_name(asked.tenant.as_deref().unwrap_or("")));
    let mut writer = sheet.writer();
    writer.write_record(super::statistics_csv::header(&sheet))?;
    for period in &report.periods {
        let row = |group: &str, figures: &Figures| {
            super::statistics_csv::row(&sheet, &period.period, &period.first_day, &period.last_day, group, figures)
        };
        writer.write_record(row("", &period.total))?;
        for group in period.groups.iter().flatten() {
            let name = group.group.as_deref().unwrap_or(sheet.say("(unknown)", "(inconnu)"));
            writer.write_record(row(name, &group.figures))?;
        }
    }
    let first = spans.first().map(|s| s.first_day.to_string()).unwrap_or_default();
    let last = spans.last().map(|s| s.last_day.to_string()).unwrap_or_default();
    writer.write_record(super::statistics_csv::row(&sheet, "total", &first, &last, "", &report.total))?;
    let scope = asked.tenant.as_deref().unwrap_or("national");
    download::csv(&download::file_name(scope, &first, "statistics", "csv"), writer)
}

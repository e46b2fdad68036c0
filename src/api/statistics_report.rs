//! The usage statistics as published: raw cells turned into figures
//! (minutes, rates, shares), each cell under the threshold suppressed with
//! its complement ([`super::statistics_privacy`]), for the JSON answer and
//! the CSV rows.

use std::collections::BTreeMap;

use serde::Serialize;

use super::statistics_periods::Span;
use super::statistics_privacy::suppressed;
use crate::store::{CellKey, RawCell};

/// Sessions held, by kind.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Sessions {
    pub quiz: i64,
    pub board: i64,
    pub breakout: i64,
    pub lobby: i64,
    pub total: i64,
}

/// One published cell: every figure `None` when `suppressed`.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Figures {
    pub suppressed: bool,
    pub participants: Option<i64>,
    pub attendance_minutes: Option<i64>,
    pub sessions: Option<Sessions>,
    pub quiz_completions: Option<i64>,
    pub completion_rate: Option<f64>,
    pub pass_rate: Option<f64>,
    pub answers: Option<i64>,
    pub posts: Option<i64>,
    /// Openings of ateliers; in totals only (a trainer opens them, not a
    /// group of participants).
    pub ateliers_held: Option<i64>,
    /// The share of the participants present in an ateliers session.
    pub atelier_attendance_share: Option<f64>,
    pub badges_issued: Option<i64>,
}

/// A rate rounded to three decimals, `None` over nothing.
fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * 1000.0).round() / 1000.0)
}

impl Figures {
    fn suppressed() -> Figures {
        Figures { suppressed: true, ..Figures::default() }
    }

    fn of(cell: &RawCell, with_ateliers: bool) -> Figures {
        let kind = |k: &str| cell.sessions.get(k).copied().unwrap_or(0);
        Figures {
            suppressed: false,
            participants: Some(cell.people),
            attendance_minutes: Some(cell.attendance_ms / 60_000),
            sessions: Some(Sessions {
                quiz: kind("quiz"),
                board: kind("board"),
                breakout: kind("breakout"),
                lobby: kind("lobby"),
                total: cell.sessions.values().sum(),
            }),
            quiz_completions: Some(cell.completions),
            completion_rate: rate(cell.completed, cell.completions),
            pass_rate: rate(cell.passed, cell.graded),
            answers: Some(cell.answers),
            posts: Some(cell.posts),
            ateliers_held: with_ateliers.then_some(cell.ateliers_opened),
            atelier_attendance_share: rate(cell.atelier_people, cell.people),
            badges_issued: Some(cell.badges),
        }
    }
}

/// One group's cell of a period.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GroupFigures {
    /// The académie, department, discipline or tenant; `None`: not known.
    pub group: Option<String>,
    #[serde(flatten)]
    pub figures: Figures,
}

/// One period's figures.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PeriodFigures {
    pub period: String,
    pub first_day: String,
    pub last_day: String,
    pub total: Figures,
    /// Per group, when a breakdown was asked (groups with no activity in
    /// the period are not listed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<GroupFigures>>,
}

/// The figures of a range: the whole of it and each period.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    pub total: Figures,
    pub periods: Vec<PeriodFigures>,
}

/// The published report from the raw cells of the whole range, of each
/// period and (if asked) of each group of each period.
pub fn publish(
    spans: &[Span],
    whole: &BTreeMap<CellKey, RawCell>,
    periods: &BTreeMap<CellKey, RawCell>,
    groups: Option<&BTreeMap<CellKey, RawCell>>,
    min_people: i64,
) -> Report {
    let empty = RawCell::default();
    let publish_one = |cell: &RawCell, hidden: bool, with_ateliers: bool| {
        if hidden { Figures::suppressed() } else { Figures::of(cell, with_ateliers) }
    };
    let whole_cell = whole.get(&(0, None)).unwrap_or(&empty);
    let total = publish_one(whole_cell, whole_cell.population() < min_people, true);
    // The periods add up to the whole range.
    let cells: Vec<&RawCell> =
        (0..spans.len()).map(|index| periods.get(&(index as i64, None)).unwrap_or(&empty)).collect();
    let active: Vec<usize> = (0..cells.len()).filter(|&i| *cells[i] != empty).collect();
    let hidden_active = suppressed(&active.iter().map(|&i| cells[i].population()).collect::<Vec<_>>(), min_people);
    let mut period_hidden = vec![false; cells.len()];
    for (&index, &h) in active.iter().zip(&hidden_active) {
        period_hidden[index] = h;
    }
    let periods = spans
        .iter()
        .enumerate()
        .map(|(index, span)| PeriodFigures {
            period: span.label.clone(),
            first_day: span.first_day.to_string(),
            last_day: span.last_day.to_string(),
            total: publish_one(cells[index], period_hidden[index], true),
            groups: groups.map(|groups| {
                let of_period: Vec<(&Option<String>, &RawCell)> = groups
                    .range((index as i64, None)..(index as i64 + 1, None))
                    .map(|((_, group), cell)| (group, cell))
                    .collect();
                let populations: Vec<i64> = of_period.iter().map(|(_, cell)| cell.population()).collect();
                let mut hidden = suppressed(&populations, min_people);
                // A hidden period hides all its groups.
                if period_hidden[index] {
                    hidden.iter_mut().for_each(|h| *h = true);
                }
                of_period
                    .iter()
                    .zip(hidden)
                    .map(|((group, cell), hidden)| GroupFigures {
                        group: (*group).clone(),
                        figures: publish_one(cell, hidden, false),
                    })
                    .collect()
            }),
        })
        .collect();
    Report { total, periods }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cell(people: i64, minutes: i64) -> RawCell {
        RawCell { people, attendance_ms: minutes * 60_000, ..RawCell::default() }
    }

    #[test]
    fn small_groups_and_their_complement_are_suppressed_and_rates_computed() {
        let spans: Vec<Span> = (0..2)
            .map(|i| Span {
                label: format!("2026-0{}", i + 1),
                first_day: date(2026, i + 1, 1),
                last_day: date(2026, i + 1, 28),
                start_ms: 0,
            })
            .collect();
        let mut whole_cell = cell(45, 900);
        whole_cell.completions = 4;
        whole_cell.completed = 3;
        whole_cell.graded = 3;
        whole_cell.passed = 2;
        let whole = BTreeMap::from([((0, None), whole_cell)]);
        let periods = BTreeMap::from([((0, None), cell(42, 800)), ((1, None), cell(3, 100))]);
        let groups = BTreeMap::from([
            ((0, Some("Lyon".to_string())), cell(30, 500)),
            ((0, Some("Grenoble".to_string())), cell(8, 200)),
            ((0, None), cell(4, 100)),
            ((1, Some("Lyon".to_string())), cell(3, 100)),
        ]);
        let report = publish(&spans, &whole, &periods, Some(&groups), 5);
        assert_eq!(report.total.participants, Some(45));
        assert_eq!(report.total.completion_rate, Some(0.75));
        assert_eq!(report.total.pass_rate, Some(0.667));
        // February's 3 people are hidden, and January with them (else the
        // total minus January gives February back).
        assert!(report.periods[1].total.suppressed && report.periods[1].total.participants.is_none());
        assert!(report.periods[0].total.suppressed);
        let january = report.periods[0].groups.as_ref().unwrap();
        assert!(january.iter().all(|g| g.figures.suppressed), "a hidden period hides its groups");
        // With February larger, January's unknown group (4) and Grenoble (8) are hidden, Lyon shown.
        let periods = BTreeMap::from([((0, None), cell(42, 800)), ((1, None), cell(9, 100))]);
        let report = publish(&spans, &whole, &periods, Some(&groups), 5);
        let january = report.periods[0].groups.as_ref().unwrap();
        let shown: Vec<(Option<&str>, bool)> =
            january.iter().map(|g| (g.group.as_deref(), g.figures.suppressed)).collect();
        assert_eq!(shown, [(None, true), (Some("Grenoble"), true), (Some("Lyon"), false)]);
        assert_eq!(january[2].figures.attendance_minutes, Some(500));
        assert_eq!(january[2].figures.ateliers_held, None, "not per group");
        assert_eq!(report.periods[0].total.participants, Some(42));
    }
}

//! The rows of `statistics.csv`: one per period and group, the figures of a
//! suppressed cell left empty with `suppressed` said.

use super::spreadsheet::Sheet;
use super::statistics_report::Figures;

/// The header, in the sheet's language.
pub fn header(sheet: &Sheet) -> Vec<&'static str> {
    if sheet.french() {
        vec![
            "Période",
            "Premier jour",
            "Dernier jour",
            "Groupe",
            "Masqué",
            "Participants",
            "Minutes de présence",
            "Sessions quiz",
            "Sessions mur",
            "Sessions ateliers",
            "Sessions salle d'attente",
            "Sessions",
            "Achèvements de quiz",
            "Taux d'achèvement",
            "Taux de réussite",
            "Réponses",
            "Contributions",
            "Ateliers ouverts",
            "Part des participants en ateliers",
            "Badges délivrés",
        ]
    } else {
        vec![
            "period",
            "first_day",
            "last_day",
            "group",
            "suppressed",
            "participants",
            "attendance_minutes",
            "sessions_quiz",
            "sessions_board",
            "sessions_breakout",
            "sessions_lobby",
            "sessions_total",
            "quiz_completions",
            "completion_rate",
            "pass_rate",
            "answers",
            "posts",
            "ateliers_held",
            "atelier_attendance_share",
            "badges_issued",
        ]
    }
}

/// One row.
pub fn row(sheet: &Sheet, period: &str, first: &str, last: &str, group: &str, f: &Figures) -> Vec<String> {
    let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let ratio = |r: Option<f64>| {
        r.map(|r| {
            let text = format!("{r:.3}");
            if sheet.french() { text.replace('.', ",") } else { text }
        })
        .unwrap_or_default()
    };
    let sessions = f.sessions.as_ref();
    vec![
        period.to_string(),
        first.to_string(),
        last.to_string(),
        group.to_string(),
        if f.suppressed { sheet.say("yes", "oui") } else { sheet.say("no", "non") }.to_string(),
        number(f.participants),
        number(f.attendance_minutes),
        number(sessions.map(|s| s.quiz)),
        number(sessions.map(|s| s.board)),
        number(sessions.map(|s| s.breakout)),
        number(sessions.map(|s| s.lobby)),
        number(sessions.map(|s| s.total)),
        number(f.quiz_completions),
        ratio(f.completion_rate),
        ratio(f.pass_rate),
        number(f.answers),
        number(f.posts),
        number(f.ateliers_held),
        ratio(f.atelier_attendance_share),
        number(f.badges_issued),
    ]
}

//! What changed between two versions of a library item: its metadata, and
//! its questions, ateliers or sections and posts (added, removed, edited).

use super::*;

/// What changed from `old` to `new`: the metadata fields, and the
/// content's parts (a quiz's questions, a plan's ateliers, a board's
/// sections and posts) added, removed or edited.
pub fn changes(kind: LibraryKind, old: &LibraryVersion, new: &LibraryVersion) -> Value {
    let (a, b) = (&old.meta, &new.meta);
    let mut metadata = Vec::new();
    for (field, same) in [
        ("title", a.title == b.title),
        ("description", a.description == b.description),
        ("disciplines", a.disciplines == b.disciplines),
        ("level", a.level == b.level),
        ("duration_min", a.duration_min == b.duration_min),
        ("tags", a.tags == b.tags),
        ("licence", a.licence == b.licence),
    ] {
        if !same {
            metadata.push(field);
        }
    }
    let before: Value = serde_json::from_str(&old.content).unwrap_or(Value::Null);
    let after: Value = serde_json::from_str(&new.content).unwrap_or(Value::Null);
    let mut summary = json!({
        "from_version": old.version,
        "to_version": new.version,
        "note": new.note,
        "metadata": metadata,
        "content_changed": before != after,
    });
    match kind {
        LibraryKind::Quiz => {
            summary["questions"] = diff_list(&before["quiz"]["questions"], &after["quiz"]["questions"], "id", "prompt");
            summary["settings_changed"] = json!(before["settings"] != after["settings"]);
        }
        LibraryKind::Plan => {
            summary["ateliers"] = diff_list(&before["plan"]["ateliers"], &after["plan"]["ateliers"], "id", "name");
            summary["settings_changed"] =
                json!(before["settings"] != after["settings"] || before["plan"]["mode"] != after["plan"]["mode"]);
        }
        LibraryKind::Board => {
            summary["sections"] = diff_list(&before["sections"], &after["sections"], "", "");
            summary["posts"] = diff_list(&before["posts"], &after["posts"], "", "");
            summary["settings_changed"] = json!(before["settings"] != after["settings"]);
        }
    }
    summary
}

/// Pairs `old` and `new` entries by `id_key`, then the unpaired ones by
/// `label_key` (by the whole value when both keys are empty): paired ones
/// that differ are edited, the rest added or removed. Each listed entry is
/// `{"id", "label"}`.
pub(super) fn diff_list(old: &Value, new: &Value, id_key: &str, label_key: &str) -> Value {
    let empty = Vec::new();
    let old = old.as_array().unwrap_or(&empty);
    let new = new.as_array().unwrap_or(&empty);
    let field = |value: &Value, key: &str| -> Option<String> {
        if key.is_empty() {
            return None;
        }
        value.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
    };
    let describe = |value: &Value| {
        let label = match value {
            Value::String(text) => Some(text.clone()),
            _ => field(value, label_key).or_else(|| field(value, "text")),
        };
        json!({ "id": field(value, id_key), "label": label })
    };
    let mut paired = vec![false; old.len()];
    let mut pairs: Vec<(usize, Option<usize>)> = Vec::new();
    for (n, entry) in new.iter().enumerate() {
        let by = |key: &str| {
            let wanted = field(entry, key)?;
            (0..old.len()).find(|&o| !paired[o] && field(&old[o], key).as_deref() == Some(wanted.as_str()))
        };
        let found =
            by(id_key).or_else(|| by(label_key)).or_else(|| (0..old.len()).find(|&o| !paired[o] && old[o] == *entry));
        if let Some(o) = found {
            paired[o] = true;
        }
        pairs.push((n, found));
    }
    let added: Vec<Value> = pairs.iter().filter(|(_, o)| o.is_none()).map(|(n, _)| describe(&new[*n])).collect();
    let edited: Vec<Value> =
        pairs.iter().filter_map(|(n, o)| o.filter(|&o| old[o] != new[*n]).map(|_| describe(&new[*n]))).collect();
    let removed: Vec<Value> = (0..old.len()).filter(|&o| !paired[o]).map(|o| describe(&old[o])).collect();
    json!({ "added": added, "removed": removed, "edited": edited })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_are_paired_by_id_then_by_prompt() {
        let old = json!([
            {"id": "q1", "prompt": "2 + 2 ?", "answer": 4},
            {"id": "q2", "prompt": "Capitale ?", "answer": "Paris"},
            {"id": "q3", "prompt": "Retirée", "answer": 0},
        ]);
        let new = json!([
            {"id": "q1", "prompt": "2 + 2 ?", "answer": 4},
            {"id": "q9", "prompt": "Capitale ?", "answer": "Lyon"},
            {"id": "q4", "prompt": "Nouvelle", "answer": 1},
        ]);
        let diff = diff_list(&old, &new, "id", "prompt");
        assert_eq!(diff["added"], json!([{"id": "q4", "label": "Nouvelle"}]));
        assert_eq!(diff["removed"], json!([{"id": "q3", "label": "Retirée"}]));
        assert_eq!(diff["edited"], json!([{"id": "q9", "label": "Capitale ?"}]));
    }

    #[test]
    fn plain_lists_are_compared_by_value() {
        let diff = diff_list(&json!(["A", "B"]), &json!(["B", "C"]), "", "");
        assert_eq!(diff["added"], json!([{"id": null, "label": "C"}]));
        assert_eq!(diff["removed"], json!([{"id": null, "label": "A"}]));
        assert_eq!(diff["edited"], json!([]));
    }
}

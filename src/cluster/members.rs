//! The members attached to rooms owned here through other nodes, counted per
//! node and room: when a node dies, its connections die with it without a
//! word, so the rooms here are told its members detached (else they would
//! stay "connected" forever).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use uuid::Uuid;

/// A node's attachments: (room, member) → connections.
type Attachments = HashMap<(Uuid, Arc<str>), usize>;

/// Attachments per node.
#[derive(Default)]
pub struct RemoteMembers {
    by_node: Mutex<HashMap<String, Attachments>>,
}

impl RemoteMembers {
    /// A connection of `member` on `node` attached to `room`.
    pub fn attached(&self, node: &str, room: Uuid, member: Arc<str>) {
        if let Ok(mut by_node) = self.by_node.lock() {
            *by_node.entry(node.to_string()).or_default().entry((room, member)).or_default() += 1;
        }
    }

    /// A connection of `member` on `node` detached from `room` (`all`: the
    /// member left the room).
    pub fn detached(&self, node: &str, room: Uuid, member: &str, all: bool) {
        let Ok(mut by_node) = self.by_node.lock() else { return };
        let Some(members) = by_node.get_mut(node) else { return };
        let key = (room, Arc::from(member));
        if let Some(count) = members.get_mut(&key) {
            *count = if all { 0 } else { count.saturating_sub(1) };
            if *count == 0 {
                members.remove(&key);
            }
        }
        if members.is_empty() {
            by_node.remove(node);
        }
    }

    /// The nodes with members attached here.
    pub fn nodes(&self) -> Vec<String> {
        self.by_node.lock().map(|by_node| by_node.keys().cloned().collect()).unwrap_or_default()
    }

    /// Forgets a dead node; returns its attachments.
    pub fn take_node(&self, node: &str) -> Vec<(Uuid, Arc<str>, usize)> {
        let Ok(mut by_node) = self.by_node.lock() else { return Vec::new() };
        let members = by_node.remove(node).unwrap_or_default();
        members.into_iter().map(|((room, member), count)| (room, member, count)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_are_counted_per_node_and_taken_when_it_dies() {
        let members = RemoteMembers::default();
        let room = Uuid::new_v4();
        members.attached("b", room, "camille".into());
        members.attached("b", room, "camille".into());
        members.attached("b", room, "lea".into());
        members.attached("c", room, "noe".into());
        members.detached("b", room, "lea", false);
        members.detached("c", room, "noe", true);
        assert_eq!(members.nodes(), vec!["b".to_string()], "a node with nobody left is forgotten");
        assert_eq!(members.take_node("b"), vec![(room, Arc::from("camille"), 2)]);
        assert!(members.take_node("b").is_empty());
    }
}

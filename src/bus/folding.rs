//! Protocol 2's folding, for one connection in one room: the events left
//! out because its own `ack` said them already (the `answer_accepted` of the
//! answer it sent) or because the next event will (the `question_closed` of
//! a question it answered). The fan-out asks before queueing an event (a
//! close left out costs no queue slot and no wake-up), the connection
//! before writing one (the acceptance comes before the connection knows its
//! answer was accepted, so only the connection can tell). Protocol 1
//! connections get every event.

use std::sync::atomic::{AtomicU64, Ordering};

use amphi_protocol::ServerMessage;
use amphi_protocol::quiz::QuizEvent;
use amphi_protocol::server::EventBody;

/// The first protocol version that folds.
pub const FOLDING_VERSION: u16 = 2;

/// What this connection answered in this room while the question is the
/// current one (a new `question_opened`, a re-vote's included, forgets it).
/// Shared by the connection and the fan-out, hence atomic: 0 for nothing,
/// else `(question + 1) << 1 | acceptance still to come`.
#[derive(Debug, Default)]
pub struct Folding {
    enabled: bool,
    answered: AtomicU64,
}

fn pack(question: usize, acceptance_pending: bool) -> u64 {
    ((question as u64 + 1) << 1) | u64::from(acceptance_pending)
}

fn question_of(packed: u64) -> Option<usize> {
    (packed != 0).then(|| ((packed >> 1) - 1) as usize)
}

impl Folding {
    /// Folding for a connection that said hello with protocol `version`.
    pub fn for_version(version: u16) -> Folding {
        Folding { enabled: version >= FOLDING_VERSION, answered: AtomicU64::new(0) }
    }

    /// The room accepted this connection's answer to `question`: its ack,
    /// once committed, is the acceptance. The connection calls it before
    /// reading that answer's events from its queue (the room publishes them
    /// before it replies, and the connection reads its queue only between
    /// frames).
    pub fn answer_accepted(&self, question: usize) {
        if self.enabled {
            self.answered.store(pack(question, true), Ordering::Release);
        }
    }

    /// Fan-out side: whether an event of the room is queued for this
    /// connection.
    pub fn queues(&self, message: &ServerMessage) -> bool {
        if !self.enabled {
            return true;
        }
        match quiz_event(message) {
            Some(QuizEvent::QuestionOpened { .. }) => {
                self.answered.store(0, Ordering::Release);
                true
            }
            Some(QuizEvent::QuestionClosed { index, .. }) => {
                question_of(self.answered.load(Ordering::Acquire)) != Some(*index)
            }
            _ => true,
        }
    }

    /// Connection side: whether a queued event is written. An acceptance
    /// carrying an immediate result (self-paced feedback) is written: the
    /// ack does not carry it.
    pub fn writes(&self, message: &ServerMessage) -> bool {
        if !self.enabled {
            return true;
        }
        match quiz_event(message) {
            Some(QuizEvent::AnswerAccepted { question, result: None, .. }) => {
                let expected = pack(*question, true);
                let folded = pack(*question, false);
                // Once: a second acceptance (another device's) is written.
                self.answered.compare_exchange(expected, folded, Ordering::AcqRel, Ordering::Acquire).is_err()
            }
            _ => true,
        }
    }
}

fn quiz_event(message: &ServerMessage) -> Option<&QuizEvent> {
    match message {
        ServerMessage::Event { event: EventBody::Quiz { event }, .. } => Some(event),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use amphi_protocol::quiz::{AnswerResult, AnswerValue, CloseReason, QuestionView};

    use super::*;

    fn quiz(event: QuizEvent) -> ServerMessage {
        ServerMessage::Event { room: String::new(), seq: 1, at: 1, event: EventBody::Quiz { event } }
    }

    fn accepted(question: usize) -> ServerMessage {
        let answer = AnswerValue::Choice { choice: "c1".into() };
        quiz(QuizEvent::AnswerAccepted { question, answer, confidence: None, result: None })
    }

    fn closed(index: usize) -> ServerMessage {
        quiz(QuizEvent::QuestionClosed { index, reason: CloseReason::AllAnswered, answered: 3 })
    }

    fn opened(index: usize, round: u32) -> ServerMessage {
        let question: QuestionView = serde_json::from_value(serde_json::json!({
            "index": index, "id": "q1", "prompt": "?", "points": 0, "kind": {"type": "true_false"}
        }))
        .unwrap();
        quiz(QuizEvent::QuestionOpened { question, round, opened_at: 2, deadline_ms: None, position: None })
    }

    #[test]
    fn protocol_1_gets_everything() {
        let folding = Folding::for_version(1);
        folding.answer_accepted(0);
        assert!(folding.writes(&accepted(0)));
        assert!(folding.queues(&closed(0)));
    }

    #[test]
    fn the_answering_connection_gets_neither_its_acceptance_nor_the_close() {
        let folding = Folding::for_version(2);
        folding.answer_accepted(0);
        assert!(!folding.writes(&accepted(0)), "the ack says it");
        assert!(folding.writes(&accepted(0)), "a second acceptance (another device's answer) is written");
        assert!(!folding.queues(&closed(0)), "the next event says it");
        assert!(folding.queues(&closed(1)), "another question's close is queued");
        assert!(folding.queues(&opened(1, 1)) && folding.queues(&closed(0)), "a new question forgets the answer");
    }

    #[test]
    fn a_connection_that_did_not_answer_gets_every_event() {
        let folding = Folding::for_version(2);
        assert!(folding.writes(&accepted(0)), "its member answered from another device");
        assert!(folding.queues(&closed(0)));
    }

    #[test]
    fn a_re_vote_forgets_the_first_rounds_answer() {
        let folding = Folding::for_version(2);
        folding.answer_accepted(0);
        assert!(folding.queues(&opened(0, 2)));
        assert!(folding.queues(&closed(0)), "not answered in this round");
        assert!(folding.writes(&accepted(0)), "nothing pending any more");
    }

    #[test]
    fn an_acceptance_with_an_immediate_result_is_written() {
        let folding = Folding::for_version(2);
        folding.answer_accepted(0);
        let result: AnswerResult =
            serde_json::from_value(serde_json::json!({"question": 0, "correct": true, "points": 900})).unwrap();
        let answer = AnswerValue::Choice { choice: "c1".into() };
        let with_result = QuizEvent::AnswerAccepted { question: 0, answer, confidence: None, result: Some(result) };
        assert!(folding.writes(&quiz(with_result)));
        assert!(!folding.queues(&closed(0)), "answered all the same");
    }

    #[test]
    fn any_question_index_round_trips_through_the_packing() {
        for question in [0, 1, 63, 4096] {
            assert_eq!(question_of(pack(question, true)), Some(question));
            assert_eq!(question_of(pack(question, false)), Some(question));
        }
        assert_eq!(question_of(0), None);
    }
}

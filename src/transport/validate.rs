//! Limits on decoded client messages: lengths, counts and id formats that
//! types alone do not express. A violation is an `out_of_range` or
//! `invalid_field` error for that message; the connection stays usable.

use amphi_protocol::quiz::{AnswerValue, QuizCommand};
use amphi_protocol::{Auth, ClientMessage, ErrorCode};
use uuid::Uuid;

use crate::activity::Refusal;
use crate::config::Limits;
use crate::quiz::scoring::{MAX_OPEN_ANSWER_CHARS, MAX_WORD_CHARS};

/// Longest token accepted in `hello`.
const MAX_TOKEN_BYTES: usize = 8192;
/// Longest join code accepted before normalization.
const MAX_CODE_CHARS: usize = 16;

/// Checks `message` against `limits`.
pub fn check(message: &ClientMessage, limits: &Limits) -> Result<(), Refusal> {
    if let Some(id) = message.id() {
        check_len("id", id, limits.max_client_id_chars)?;
        if id.is_empty() {
            return Err(Refusal::new(ErrorCode::OutOfRange, "`id` cannot be empty"));
        }
    }
    match message {
        ClientMessage::Hello { auth, last_seq, .. } => {
            match auth {
                Auth::Token { token } | Auth::Resume { token } => check_len("auth.token", token, MAX_TOKEN_BYTES)?,
                Auth::JoinCode { code, name } => {
                    check_len("auth.code", code, MAX_CODE_CHARS)?;
                    check_len("auth.name", name, limits.max_name_chars)?;
                    if name.trim().is_empty() {
                        return Err(Refusal::new(ErrorCode::OutOfRange, "`auth.name` cannot be empty"));
                    }
                }
            }
            if last_seq.len() > limits.max_rooms_per_connection {
                return Err(Refusal::new(
                    ErrorCode::OutOfRange,
                    format!("`last_seq` names more than {} rooms", limits.max_rooms_per_connection),
                ));
            }
            last_seq.keys().try_for_each(|room| room_id(room).map(drop))
        }
        ClientMessage::Join { room, code, .. } => {
            match (room, code) {
                (Some(room), None) => room_id(room).map(drop)?,
                (None, Some(code)) => check_len("code", code, MAX_CODE_CHARS)?,
                _ => {
                    return Err(Refusal::new(ErrorCode::InvalidField, "give exactly one of `room` and `code`"));
                }
            }
            Ok(())
        }
        ClientMessage::Announce { room, text, .. } => {
            room_id(room)?;
            check_len("text", text, limits.max_text_chars)
        }
        ClientMessage::Leave { room, .. }
        | ClientMessage::RaiseHand { room, .. }
        | ClientMessage::Board { room, .. }
        | ClientMessage::Breakout { room, .. }
        | ClientMessage::Lock { room, .. }
        | ClientMessage::Unlock { room, .. } => room_id(room).map(drop),
        ClientMessage::RemoveMember { room, member, .. } => {
            room_id(room)?;
            check_len("member", member, 128)
        }
        ClientMessage::LowerHand { room, member, .. } => {
            room_id(room)?;
            member.as_deref().map_or(Ok(()), |m| check_len("member", m, 128))
        }
        ClientMessage::Ping { .. } => Ok(()),
        ClientMessage::Quiz { room, command, .. } => {
            room_id(room)?;
            check_quiz(command)
        }
    }
}

/// Most items in one answer (choices, words, ordered items).
const MAX_ANSWER_ITEMS: usize = 50;

fn check_quiz(command: &QuizCommand) -> Result<(), Refusal> {
    match command {
        QuizCommand::Answer { answer, .. } => match answer {
            AnswerValue::Text { text } => check_len("answer.text", text, MAX_OPEN_ANSWER_CHARS),
            AnswerValue::Choice { choice } => check_len("answer.choice", choice, 64),
            AnswerValue::Choices { choices } => {
                check_count("answer.choices", choices.len())?;
                choices.iter().try_for_each(|c| check_len("answer.choices", c, 64))
            }
            AnswerValue::Words { words } => {
                check_count("answer.words", words.len())?;
                words.iter().try_for_each(|w| check_len("answer.words", w, MAX_WORD_CHARS))
            }
            AnswerValue::Order { items } => check_count("answer.items", items.len()),
            AnswerValue::Bool { .. } | AnswerValue::Number { .. } | AnswerValue::Rating { .. } => Ok(()),
        },
        QuizCommand::RemoveParticipant { member } => check_len("member", member, 128),
        _ => Ok(()),
    }
}

fn check_count(field: &str, count: usize) -> Result<(), Refusal> {
    if count > MAX_ANSWER_ITEMS {
        return Err(Refusal::new(ErrorCode::OutOfRange, format!("`{field}` has more than {MAX_ANSWER_ITEMS} items")));
    }
    Ok(())
}

/// Parses a room id.
pub fn room_id(text: &str) -> Result<Uuid, Refusal> {
    Uuid::parse_str(text)
        .map_err(|_| Refusal::new(ErrorCode::InvalidField, format!("`room` must be a UUID, got {:?}", truncate(text))))
}

fn check_len(field: &str, value: &str, max_chars: usize) -> Result<(), Refusal> {
    // Bytes bound chars from above: count chars only when it matters.
    if value.len() > max_chars && value.chars().count() > max_chars {
        return Err(Refusal::new(ErrorCode::OutOfRange, format!("`{field}` is longer than {max_chars} characters")));
    }
    Ok(())
}

fn truncate(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn limits() -> Limits {
        Config::defaults().limits
    }

    const ROOM: &str = "6f1c1f9e-2b7a-4c1e-9d43-2f6f3c2b8a10";

    #[test]
    fn well_formed_commands_pass() {
        let ok = ClientMessage::Announce { id: "c1".into(), room: ROOM.into(), text: "é".repeat(1000) };
        assert_eq!(check(&ok, &limits()), Ok(()));
    }

    #[test]
    fn each_limit_has_its_code() {
        let cases = [
            (
                ClientMessage::Announce { id: "c1".into(), room: ROOM.into(), text: "x".repeat(1001) },
                ErrorCode::OutOfRange,
            ),
            (ClientMessage::RaiseHand { id: "c".repeat(65), room: ROOM.into() }, ErrorCode::OutOfRange),
            (ClientMessage::RaiseHand { id: String::new(), room: ROOM.into() }, ErrorCode::OutOfRange),
            (ClientMessage::RaiseHand { id: "c1".into(), room: "lobby".into() }, ErrorCode::InvalidField),
            (ClientMessage::Join { id: "c1".into(), room: None, code: None }, ErrorCode::InvalidField),
            (
                ClientMessage::Hello {
                    v: 1,
                    auth: Auth::JoinCode { code: "KM7R4P".into(), name: "  ".into() },
                    last_seq: Default::default(),
                },
                ErrorCode::OutOfRange,
            ),
            (
                ClientMessage::Hello {
                    v: 1,
                    auth: Auth::JoinCode { code: "KM7R4P".into(), name: "n".repeat(41) },
                    last_seq: Default::default(),
                },
                ErrorCode::OutOfRange,
            ),
        ];
        for (message, code) in cases {
            assert_eq!(check(&message, &limits()).unwrap_err().code, code, "{message:?}");
        }
    }
}

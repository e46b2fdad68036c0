//! JSON and MessagePack codecs. The format is chosen once per connection by
//! WebSocket subprotocol: `amphi.v1.json` (text frames) or
//! `amphi.v1.msgpack` (binary frames, named fields). Decoding classifies
//! failures into stable [`ErrorCode`]s.

use serde::{Serialize, de::DeserializeOwned};

use crate::{ClientMessage, ErrorCode};

/// The JSON subprotocol: UTF-8 text frames.
pub const SUBPROTOCOL_JSON: &str = "amphi.v1.json";
/// The MessagePack subprotocol: binary frames, maps with named fields.
pub const SUBPROTOCOL_MSGPACK: &str = "amphi.v1.msgpack";

/// A wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Json,
    MsgPack,
}

impl Format {
    /// Both formats, JSON first (the default when a client names neither).
    pub const ALL: [Format; 2] = [Format::Json, Format::MsgPack];

    /// The WebSocket subprotocol naming this format.
    pub fn subprotocol(self) -> &'static str {
        match self {
            Format::Json => SUBPROTOCOL_JSON,
            Format::MsgPack => SUBPROTOCOL_MSGPACK,
        }
    }

    /// The format a subprotocol names, if any.
    pub fn from_subprotocol(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.subprotocol() == name)
    }

    /// Whether frames of this format travel as WebSocket text frames.
    pub fn is_text(self) -> bool {
        self == Format::Json
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::MsgPack => "msgpack",
        }
    }

    /// Encodes any message. Our types always encode; an error here means a
    /// map with non-string keys, which the protocol never uses.
    pub fn encode<T: Serialize>(self, message: &T) -> Result<Vec<u8>, EncodeError> {
        match self {
            Format::Json => serde_json::to_vec(message).map_err(|e| EncodeError(e.to_string())),
            Format::MsgPack => rmp_serde::to_vec_named(message).map_err(|e| EncodeError(e.to_string())),
        }
    }

    /// Decodes a message of any type, without classification (clients
    /// reading server frames).
    pub fn decode<T: DeserializeOwned>(self, frame: &[u8]) -> Result<T, DecodeError> {
        match self {
            Format::Json => {
                serde_json::from_slice(frame).map_err(|e| DecodeError::new(ErrorCode::MalformedFrame, e.to_string()))
            }
            Format::MsgPack => {
                rmp_serde::from_slice(frame).map_err(|e| DecodeError::new(ErrorCode::MalformedFrame, e.to_string()))
            }
        }
    }

    /// Decodes a client frame. On failure, tells apart a frame that is not
    /// JSON / MessagePack at all (`malformed_frame`), an unknown `type`
    /// (`unknown_type`) and a missing or ill-typed field (`invalid_field`).
    pub fn decode_client(self, frame: &[u8]) -> Result<ClientMessage, DecodeError> {
        // serde accepts a sequence for a tagged enum (`["ping", "c1"]`); the
        // protocol does not: every message is a map.
        if !self.starts_with_map(frame) {
            // Bytes that are not JSON / MessagePack at all are told so (not
            // "must be a map", which suggests they were read).
            let readable = match self {
                Format::Json => serde_json::from_slice::<serde::de::IgnoredAny>(frame).is_ok(),
                Format::MsgPack => rmp_serde::from_slice::<serde::de::IgnoredAny>(frame).is_ok(),
            };
            let message = if readable {
                "a message must be a map with a `type` field".to_string()
            } else {
                format!("the frame is not valid {}", self.label())
            };
            return Err(DecodeError::new(ErrorCode::MalformedFrame, message));
        }
        // The typed decode is the fast path; the untyped one below runs only
        // to explain a failure.
        let typed_error = match self.decode_typed::<ClientMessage>(frame) {
            Ok(message) => return Ok(message),
            Err(error) => error,
        };
        let value: serde_json::Value = match self {
            Format::Json => serde_json::from_slice(frame),
            Format::MsgPack => rmp_serde::from_slice(frame).map_err(serde::de::Error::custom),
        }
        .map_err(|e| DecodeError::new(ErrorCode::MalformedFrame, format!("not valid {}: {e}", self.as_str())))?;
        let Some(map) = value.as_object() else {
            return Err(DecodeError::new(ErrorCode::MalformedFrame, "a message must be a map with a `type` field"));
        };
        match map.get("type") {
            None => Err(DecodeError::new(ErrorCode::InvalidField, "missing field `type`")),
            Some(serde_json::Value::String(t)) if !ClientMessage::TYPES.contains(&t.as_str()) => {
                Err(DecodeError::new(ErrorCode::UnknownType, format!("unknown message type `{t}`")))
            }
            Some(serde_json::Value::String(_)) => Err(DecodeError::new(ErrorCode::InvalidField, typed_error)),
            Some(_) => Err(DecodeError::new(ErrorCode::InvalidField, "field `type` must be a string")),
        }
    }

    /// The format's name in an error message.
    fn label(self) -> &'static str {
        match self {
            Format::Json => "JSON",
            Format::MsgPack => "MessagePack",
        }
    }

    fn starts_with_map(self, frame: &[u8]) -> bool {
        match self {
            Format::Json => frame.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'),
            Format::MsgPack => matches!(frame.first(), Some(0x80..=0x8f | 0xde | 0xdf)),
        }
    }

    fn decode_typed<T: DeserializeOwned>(self, frame: &[u8]) -> Result<T, String> {
        match self {
            Format::Json => serde_json::from_slice(frame).map_err(|e| e.to_string()),
            Format::MsgPack => rmp_serde::from_slice(frame).map_err(|e| e.to_string()),
        }
    }
}

/// A message could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError(pub String);

impl std::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot encode message: {}", self.0)
    }
}

impl std::error::Error for EncodeError {}

/// A frame could not be decoded: the code to send back and a human message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub code: ErrorCode,
    pub message: String,
}

impl DecodeError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        DecodeError { code, message: message.into() }
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for DecodeError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_that_are_not_the_format_are_told_so() {
        // 0xc1 is never used in MessagePack; "not json" is no JSON value.
        let error = Format::MsgPack.decode_client(&[0xc1, 0x00]).unwrap_err();
        assert_eq!(error.code, ErrorCode::MalformedFrame);
        assert_eq!(error.message, "the frame is not valid MessagePack");
        let error = Format::Json.decode_client(b"not json").unwrap_err();
        assert_eq!(error.message, "the frame is not valid JSON");
    }

    #[test]
    fn a_readable_frame_that_is_not_a_map_is_asked_for_a_map() {
        let error = Format::Json.decode_client(br#"["ping", "c1"]"#).unwrap_err();
        assert_eq!(error.code, ErrorCode::MalformedFrame);
        assert_eq!(error.message, "a message must be a map with a `type` field");
        let error = Format::MsgPack.decode_client(&[0x92, 0x01, 0x02]).unwrap_err();
        assert_eq!(error.message, "a message must be a map with a `type` field");
    }
}

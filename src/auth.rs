//! Identity: JWTs (HS256) from the platform or `amphi token`, guest
//! capabilities for one room, and resume tokens. Decides who a member is and
//! which rooms they may enter; each command's role check lives with the
//! command.

use std::time::{SystemTime, UNIX_EPOCH};

use amphi_protocol::Role;
use amphi_protocol::server::MemberIdentity;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The claims amphi reads and writes. Platform tokens carry `sub`, `name`,
/// `tenant`, `role` and `exp`; amphi adds `room` to scope a capability (a
/// guest, a projector) to one room, and `guest` for guests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub name: String,
    pub tenant: String,
    pub role: Role,
    /// Expiry, seconds since the Unix epoch.
    pub exp: u64,
    /// Issued at, seconds since the Unix epoch.
    #[serde(default)]
    pub iat: u64,
    /// The only room this token opens, for scoped capabilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<Uuid>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub guest: bool,
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid: {0}")]
    Invalid(String),
}

/// Who is on a connection, once `hello` succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub tenant: String,
    /// The only room this member may enter, for scoped capabilities.
    pub room_scope: Option<Uuid>,
    pub guest: bool,
    /// When the credential this member came with expires (seconds since the
    /// epoch). Resume tokens never outlive it; guests have none, their
    /// resume tokens are renewed at each connection.
    pub expires_at: Option<u64>,
}

impl Member {
    /// A guest who joined `room` with its code.
    pub fn guest(name: String, tenant: String, room: Uuid) -> Member {
        Member {
            id: Uuid::new_v4().to_string(),
            name,
            role: Role::Participant,
            tenant,
            room_scope: Some(room),
            guest: true,
            expires_at: None,
        }
    }

    /// Whether this member may enter a room of `tenant` with id `room`.
    pub fn may_enter(&self, tenant: &str, room: Uuid) -> bool {
        self.tenant == tenant && self.room_scope.is_none_or(|scope| scope == room)
    }

    /// The identity sent in `welcome`.
    pub fn identity(&self) -> MemberIdentity {
        MemberIdentity {
            id: self.id.clone(),
            name: self.name.clone(),
            role: self.role,
            tenant: self.tenant.clone(),
            guest: self.guest,
        }
    }
}

impl From<Claims> for Member {
    fn from(claims: Claims) -> Member {
        Member {
            id: claims.sub,
            name: claims.name,
            role: claims.role,
            tenant: claims.tenant,
            room_scope: claims.room,
            expires_at: (!claims.guest).then_some(claims.exp),
            guest: claims.guest,
        }
    }
}

/// Clock skew allowed on `exp`, `nbf` and `iat`, in seconds.
pub const LEEWAY_SECONDS: u64 = 30;

/// Signs and checks tokens with one HS256 secret.
#[derive(Clone)]
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl Keys {
    pub fn new(secret: &[u8]) -> Keys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECONDS;
        // A token not valid yet (`nbf` ahead of now, beyond the leeway) is refused.
        validation.validate_nbf = true;
        validation.required_spec_claims = ["exp", "sub"].iter().map(|c| c.to_string()).collect();
        Keys { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret), validation }
    }

    /// Signs `claims`.
    pub fn sign(&self, claims: &Claims) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .expect("HS256 signing of plain claims cannot fail")
    }

    /// Checks a token's signature, algorithm and expiry, and that its
    /// subject is not one the server keeps for itself
    /// ([`crate::hub::SERVICE_MEMBER_PREFIX`]).
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|error| match error.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                other => {
                    tracing::debug!(%error, "token refused");
                    TokenError::Invalid(plain_reason(other))
                }
            })?;
        if claims.iat > unix_seconds() + LEEWAY_SECONDS {
            return Err(TokenError::Invalid("the token is issued in the future (`iat`)".into()));
        }
        if claims.tenant.trim().is_empty() {
            return Err(TokenError::Invalid("the token names no tenant".into()));
        }
        if claims.sub.starts_with(crate::hub::SERVICE_MEMBER_PREFIX) {
            return Err(TokenError::Invalid("this subject is reserved for the server".into()));
        }
        Ok(claims)
    }

    /// A token that brings `member` back after a reconnect (or a restart).
    pub fn resume_token(&self, member: &Member, ttl_hours: u64) -> String {
        self.sign(&claims_for(member, ttl_hours))
    }
}

/// Claims naming `member`, valid for `ttl_hours` from now, or until the
/// member's own credential expires if that comes first.
pub fn claims_for(member: &Member, ttl_hours: u64) -> Claims {
    let now = unix_seconds();
    Claims {
        sub: member.id.clone(),
        name: member.name.clone(),
        tenant: member.tenant.clone(),
        role: member.role,
        exp: (now + ttl_hours * 3600).min(member.expires_at.unwrap_or(u64::MAX)),
        iat: now,
        room: member.room_scope,
        guest: member.guest,
    }
}

/// Why a token did not verify, in words a client writer can act on (the
/// library's own text, such as "Base64 error: Invalid last symbol 116",
/// goes to the debug log only).
fn plain_reason(kind: &jsonwebtoken::errors::ErrorKind) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match kind {
        ErrorKind::InvalidToken | ErrorKind::Base64(_) | ErrorKind::Utf8(_) => {
            "it is not a JWT (three base64url parts separated by dots)".into()
        }
        ErrorKind::Json(_) => "its header or claims do not read (a claim is missing or of the wrong type)".into(),
        ErrorKind::InvalidSignature => "its signature does not match this server's secret".into(),
        ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm | ErrorKind::InvalidAlgorithmName => {
            "its algorithm is not the one this server accepts (HS256)".into()
        }
        ErrorKind::MissingRequiredClaim(claim) => format!("it lacks the `{claim}` claim"),
        ErrorKind::ImmatureSignature => "it is not valid yet (`nbf`)".into(),
        _ => "it cannot be verified".into(),
    }
}

pub fn unix_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The secret from config, or the one kept under the data directory
/// (generated on first start).
pub fn load_or_create_secret(configured: &str, data_dir: &std::path::Path) -> std::io::Result<Vec<u8>> {
    if !configured.is_empty() {
        return Ok(configured.as_bytes().to_vec());
    }
    let path = data_dir.join("jwt-secret");
    match std::fs::read_to_string(&path) {
        Ok(secret) if secret.trim().len() >= 32 => Ok(secret.trim().as_bytes().to_vec()),
        _ => {
            std::fs::create_dir_all(data_dir)?;
            let secret: String = (0..2).map(|_| Uuid::new_v4().simple().to_string()).collect();
            write_private(&path, &secret)?;
            Ok(secret.into_bytes())
        }
    }
}

fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(role: Role) -> Member {
        Member {
            id: "u1".into(),
            name: "Mme Durand".into(),
            role,
            tenant: "ac-lyon".into(),
            room_scope: None,
            guest: false,
            expires_at: None,
        }
    }

    #[test]
    fn a_token_cannot_claim_the_servers_own_subjects() {
        let keys = Keys::new(b"0123456789abcdef0123456789abcdef");
        let mut claims = claims_for(&member(Role::Admin), 1);
        claims.sub = format!("{}u1", crate::hub::SERVICE_MEMBER_PREFIX);
        assert!(matches!(keys.verify(&keys.sign(&claims)), Err(TokenError::Invalid(_))));
        claims.sub = "u1".into();
        assert!(keys.verify(&keys.sign(&claims)).is_ok());
    }

    #[test]
    fn resume_tokens_never_outlive_the_platform_token() {
        let keys = Keys::new(b"0123456789abcdef0123456789abcdef");
        let mut platform = claims_for(&member(Role::Trainer), 1);
        platform.exp = unix_seconds() + 600;
        let trainer = Member::from(keys.verify(&keys.sign(&platform)).unwrap());
        let resumed = keys.verify(&keys.resume_token(&trainer, 24)).unwrap();
        assert_eq!(resumed.exp, platform.exp, "capped by the platform token");
        let again = Member::from(resumed);
        assert_eq!(keys.verify(&keys.resume_token(&again, 24)).unwrap().exp, platform.exp, "and stays capped");
        let guest = Member::guest("Camille".into(), "ac-lyon".into(), Uuid::new_v4());
        let guest_claims = keys.verify(&keys.resume_token(&guest, 24)).unwrap();
        assert!(guest_claims.exp >= unix_seconds() + 24 * 3600 - 5, "guests get the full window");
        assert_eq!(Member::from(guest_claims).expires_at, None);
    }

    #[test]
    fn a_signed_token_verifies_and_keeps_its_claims() {
        let keys = Keys::new(b"0123456789abcdef0123456789abcdef");
        let claims = claims_for(&member(Role::Trainer), 1);
        assert_eq!(keys.verify(&keys.sign(&claims)).unwrap(), claims);
    }

    #[test]
    fn forged_and_expired_tokens_are_refused() {
        let keys = Keys::new(b"0123456789abcdef0123456789abcdef");
        let other = Keys::new(b"another-secret-another-secret-xx");
        let claims = claims_for(&member(Role::Trainer), 1);
        assert!(matches!(keys.verify(&other.sign(&claims)), Err(TokenError::Invalid(_))));
        let mut old = claims.clone();
        old.exp = unix_seconds() - 3600;
        assert_eq!(keys.verify(&keys.sign(&old)), Err(TokenError::Expired));
        assert!(matches!(keys.verify("not.a.token"), Err(TokenError::Invalid(_))));
        // The library's own words ("Base64 error: Invalid last symbol 116") stay out.
        for garbage in ["not.a.token", "eyJhbGciOiJIUzI1NiJ9.e30t.abc", "abc"] {
            let message = keys.verify(garbage).unwrap_err().to_string();
            assert!(!message.contains("Base64") && !message.contains("symbol"), "{message}");
            assert!(message.starts_with("the token is not valid: it"), "{message}");
        }
        let message = keys.verify(&other.sign(&claims)).unwrap_err().to_string();
        assert_eq!(message, "the token is not valid: its signature does not match this server's secret");
    }

    #[test]
    fn scoped_members_enter_only_their_room_and_tenant() {
        let room = Uuid::new_v4();
        let guest = Member::guest("Camille".into(), "ac-lyon".into(), room);
        assert!(guest.may_enter("ac-lyon", room));
        assert!(!guest.may_enter("ac-lyon", Uuid::new_v4()));
        assert!(!guest.may_enter("ac-nantes", room));
        let trainer = member(Role::Trainer);
        assert!(trainer.may_enter("ac-lyon", Uuid::new_v4()));
        assert!(!trainer.may_enter("ac-nantes", room));
    }

    #[test]
    fn the_secret_is_generated_once_and_kept() {
        let dir = std::env::temp_dir().join(format!("amphi-secret-{}", Uuid::new_v4()));
        let first = load_or_create_secret("", &dir).unwrap();
        let second = load_or_create_secret("", &dir).unwrap();
        assert_eq!(first, second);
        assert!(first.len() >= 32);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn future_nbf_or_iat_and_an_empty_tenant_are_refused_within_the_leeway() {
        let keys = Keys::new(b"0123456789abcdef0123456789abcdef");
        let now = unix_seconds();
        let claims = Claims {
            sub: "u1".into(),
            name: "Camille".into(),
            tenant: "ac-lyon".into(),
            role: Role::Participant,
            exp: now + 3600,
            iat: now,
            room: None,
            guest: false,
        };
        assert!(keys.verify(&keys.sign(&claims)).is_ok());
        let skewed = Claims { iat: now + LEEWAY_SECONDS - 5, ..claims.clone() };
        assert!(keys.verify(&keys.sign(&skewed)).is_ok(), "within the leeway");
        let future = Claims { iat: now + 3 * LEEWAY_SECONDS, ..claims.clone() };
        assert!(matches!(keys.verify(&keys.sign(&future)), Err(TokenError::Invalid(_))));
        for tenant in ["", "  "] {
            let empty = Claims { tenant: tenant.into(), ..claims.clone() };
            assert!(matches!(keys.verify(&keys.sign(&empty)), Err(TokenError::Invalid(_))), "{tenant:?}");
        }
        let mut raw = serde_json::to_value(&claims).unwrap();
        raw["nbf"] = serde_json::json!(now + 3 * LEEWAY_SECONDS);
        let header = Header::new(Algorithm::HS256);
        let not_yet = jsonwebtoken::encode(&header, &raw, &keys.encoding).unwrap();
        assert!(matches!(keys.verify(&not_yet), Err(TokenError::Invalid(_))), "nbf ahead");
        raw["nbf"] = serde_json::json!(now + LEEWAY_SECONDS - 5);
        let soon = jsonwebtoken::encode(&header, &raw, &keys.encoding).unwrap();
        assert!(keys.verify(&soon).is_ok(), "nbf within the leeway");
    }
}

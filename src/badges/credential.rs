//! The Open Badges 3.0 credential: an `OpenBadgeCredential` (W3C Verifiable
//! Credentials Data Model 2.0 with the 1EdTech OB 3.0 context), secured as a
//! VC-JWT (OB 3.0 §8.2: the payload is the credential itself, with `iss`,
//! `jti`, `nbf` and `exp` mapped from `issuer.id`, `id`, `validFrom` and
//! `validUntil`; EdDSA over Ed25519 through `jsonwebtoken`), and the
//! verification of such a JWT into a [`Verdict`]. Pure: time is an input.

use jsonwebtoken::{Algorithm, Header, Validation};
use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::keys::IssuerKey;

/// The W3C VC 2.0 context.
pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// The 1EdTech Open Badges 3.0 context.
pub const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// The OB 3.0 JSON schema of an `OpenBadgeCredential`.
pub const OB_SCHEMA: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";
/// The JWT claims OB 3.0 §8.2 adds to the credential's members.
pub const JWT_CLAIMS: [&str; 4] = ["iss", "jti", "nbf", "exp"];

/// Who issues: the tenant's profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    /// The profile's URL.
    pub id: String,
    pub name: String,
    pub url: String,
    pub email: String,
}

impl Issuer {
    /// The OB 3.0 `Profile`.
    pub fn profile(&self) -> Value {
        let mut profile = json!({ "id": self.id, "type": ["Profile"], "name": self.name });
        if !self.url.is_empty() {
            profile["url"] = json!(self.url);
        }
        if !self.email.is_empty() {
            profile["email"] = json!(self.email);
        }
        profile
    }
}

/// What is recognised: the badge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Achievement {
    /// The achievement's URL.
    pub id: String,
    pub name: String,
    pub description: String,
    pub criteria: String,
    /// The image's URL, when it has one.
    pub image: Option<String>,
}

impl Achievement {
    /// The OB 3.0 `Achievement`.
    pub fn json(&self, issuer: &Issuer) -> Value {
        let mut achievement = json!({
            "id": self.id,
            "type": ["Achievement"],
            "achievementType": "Badge",
            "name": self.name,
            "description": self.description,
            "criteria": { "narrative": self.criteria },
            "creator": issuer.profile(),
            "inLanguage": "fr",
        });
        if let Some(image) = &self.image {
            achievement["image"] = json!({ "id": image, "type": "Image" });
        }
        achievement
    }
}

/// One award, as the credential states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Awarded {
    /// The credential's URL.
    pub id: String,
    /// The recipient's platform id, hashed with `salt` in the credential.
    pub recipient: String,
    pub salt: String,
    /// Milliseconds since the epoch.
    pub issued_at: i64,
    pub expires_at: Option<i64>,
    /// The revocation list's URL and this award's index in it.
    pub status_list: String,
    pub status_index: i64,
    /// The completion's figures ("12 / 15"), when it counted some.
    pub score: Option<(i64, i64)>,
    /// What backs the award up (OB 3.0 `Evidence`), in words.
    pub evidence: Vec<Evidence>,
}

/// One piece of evidence: a name and what it says ("Résultat", "12 / 15
/// points"), with a URL when it points somewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub name: String,
    pub narrative: String,
    pub id: Option<String>,
}

impl Evidence {
    pub fn json(&self) -> Value {
        let mut evidence = json!({ "type": ["Evidence"], "name": self.name, "narrative": self.narrative });
        if let Some(id) = &self.id {
            evidence["id"] = json!(id);
        }
        evidence
    }
}

/// `sha256$<hex>` of `identity` salted with `salt` (OB's hashed identity).
pub fn identity_hash(identity: &str, salt: &str) -> String {
    format!("sha256${}", hex::encode(Sha256::digest(format!("{identity}{salt}").as_bytes())))
}

/// RFC 3339 at second precision ("2026-12-02T09:30:00Z").
pub fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_second(ms.div_euclid(1000)).map(|t| t.to_string()).unwrap_or_default()
}

/// The `OpenBadgeCredential` (unsigned).
pub fn credential(issuer: &Issuer, achievement: &Achievement, awarded: &Awarded) -> Value {
    let mut subject = json!({
        "type": ["AchievementSubject"],
        "identifier": [{
            "type": "IdentityObject",
            "identityHash": identity_hash(&awarded.recipient, &awarded.salt),
            "identityType": "systemId",
            "hashed": true,
            "salt": awarded.salt,
        }],
        "achievement": achievement.json(issuer),
    });
    if let Some((score, max)) = awarded.score.filter(|(_, max)| *max > 0) {
        subject["result"] = json!([{ "type": ["Result"], "value": format!("{score}/{max}") }]);
    }
    let mut credential = json!({
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": awarded.id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.name,
        "issuer": issuer.profile(),
        "validFrom": rfc3339(awarded.issued_at),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": format!("{}#{}", awarded.status_list, awarded.status_index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": awarded.status_index.to_string(),
            "statusListCredential": awarded.status_list,
        },
        "credentialSchema": [{ "id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019" }],
    });
    if let Some(expires) = awarded.expires_at {
        credential["validUntil"] = json!(rfc3339(expires));
    }
    if !awarded.evidence.is_empty() {
        credential["evidence"] = awarded.evidence.iter().map(Evidence::json).collect();
    }
    credential
}

/// Signs `credential` (a JSON object with `id`, `issuer.id`, `validFrom`
/// and maybe `validUntil`) as a VC-JWT with `key`; the header names the key
/// (`kid`) and where the issuer publishes it (`jku`). Ed25519 signatures
/// are deterministic: the same credential and key give the same JWT.
pub fn sign(credential: &Value, key: &IssuerKey, jwks_url: &str) -> Result<String, String> {
    let Value::Object(members) = credential else { return Err("a credential is a JSON object".into()) };
    let mut claims = members.clone();
    let text = |name: &str| credential.get(name).and_then(Value::as_str);
    let seconds = |name: &str| -> Option<i64> {
        text(name).and_then(|t| t.parse::<jiff::Timestamp>().ok()).map(|t| t.as_second())
    };
    let issuer = credential.pointer("/issuer/id").and_then(Value::as_str).or_else(|| text("issuer"));
    claims.insert("iss".into(), json!(issuer.ok_or("the credential has no issuer")?));
    claims.insert("jti".into(), json!(text("id").ok_or("the credential has no id")?));
    claims.insert("nbf".into(), json!(seconds("validFrom").ok_or("the credential has no validFrom")?));
    if let Some(exp) = seconds("validUntil") {
        claims.insert("exp".into(), json!(exp));
    }
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(key.kid.clone());
    header.jku = Some(jwks_url.to_string());
    jsonwebtoken::encode(&header, &Value::Object(claims), &key.encoding).map_err(|e| e.to_string())
}

/// A verification's outcome, with a stable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum Verdict {
    /// Signed by its issuer's key, unchanged, in force.
    Valid,
    /// Not a VC-JWT or an Open Badges credential at all.
    Malformed { reason: String },
    /// Names an issuer this server does not publish.
    UnknownIssuer { reason: String },
    /// Signed by a key that is not its issuer's.
    OtherKey { reason: String },
    /// The signature does not match the content: changed after signing.
    Tampered { reason: String },
    /// Past its `validUntil`.
    Expired { reason: String },
    /// Revoked by its issuer.
    Revoked { reason: String },
}

impl Verdict {
    pub fn code(&self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Malformed { .. } => "malformed",
            Verdict::UnknownIssuer { .. } => "unknown_issuer",
            Verdict::OtherKey { .. } => "other_key",
            Verdict::Tampered { .. } => "tampered",
            Verdict::Expired { .. } => "expired",
            Verdict::Revoked { .. } => "revoked",
        }
    }

    pub fn is_valid(&self) -> bool {
        *self == Verdict::Valid
    }
}

/// The credential of a VC-JWT: its payload less the JWT claims.
pub fn credential_of_claims(mut claims: Map<String, Value>) -> Value {
    for name in JWT_CLAIMS {
        claims.remove(name);
    }
    Value::Object(claims)
}

/// Reads a VC-JWT without checking it: its header's `kid` and its
/// credential (payload less the JWT claims).
pub fn read_unverified(jwt: &str) -> Result<(Option<String>, Value), Verdict> {
    let malformed = |reason: &str| Verdict::Malformed { reason: reason.to_string() };
    let header =
        jsonwebtoken::decode_header(jwt).map_err(|_| malformed("this is not a JWT (header.payload.signature)"))?;
    let payload = jwt.split('.').nth(1).ok_or_else(|| malformed("this is not a JWT"))?;
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| malformed("the JWT's payload is not base64url"))?;
    let claims: Map<String, Value> =
        serde_json::from_slice(&bytes).map_err(|_| malformed("the JWT's payload is not a JSON object"))?;
    Ok((header.kid, credential_of_claims(claims)))
}

/// Checks `jwt` against `key`, its issuer's key, at `now` (milliseconds):
/// the algorithm, the key, the signature, the OB 3.0 shape and the validity
/// period. Revocation is the caller's (it needs the issuer's list). Returns
/// the credential with the verdict.
pub fn verify(jwt: &str, key: &IssuerKey, now: i64) -> (Verdict, Option<Value>) {
    let (kid, credential) = match read_unverified(jwt) {
        Ok(read) => read,
        Err(verdict) => return (verdict, None),
    };
    let header = jsonwebtoken::decode_header(jwt).ok();
    if header.as_ref().is_none_or(|h| h.alg != Algorithm::EdDSA) {
        let reason = "the credential is not signed with EdDSA, the issuer's algorithm".to_string();
        return (Verdict::OtherKey { reason }, Some(credential));
    }
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    if let Err(error) = jsonwebtoken::decode::<Map<String, Value>>(jwt, &key.decoding, &validation) {
        let verdict = if kid.as_deref().is_some_and(|kid| kid != key.kid) {
            Verdict::OtherKey {
                reason: format!(
                    "signed with key {}, not the issuer's key {}",
                    kid.as_deref().unwrap_or_default(),
                    key.kid
                ),
            }
        } else if matches!(error.kind(), jsonwebtoken::errors::ErrorKind::InvalidSignature) {
            Verdict::Tampered {
                reason: "the signature does not match the content: the credential was changed after it was signed"
                    .into(),
            }
        } else {
            Verdict::Malformed { reason: "the JWT could not be read".into() }
        };
        return (verdict, Some(credential));
    }
    let types = credential.get("type").and_then(Value::as_array);
    if !types.is_some_and(|t| t.iter().any(|t| t == "OpenBadgeCredential")) {
        let reason = "the credential's type has no OpenBadgeCredential".into();
        return (Verdict::Malformed { reason }, Some(credential));
    }
    if let Some(until) = credential.get("validUntil").and_then(Value::as_str) {
        match until.parse::<jiff::Timestamp>() {
            Ok(until) if until.as_millisecond() <= now => {
                let reason = format!("the credential expired on {until}");
                return (Verdict::Expired { reason }, Some(credential));
            }
            Ok(_) => {}
            Err(_) => {
                let reason = "validUntil is not a date".into();
                return (Verdict::Malformed { reason }, Some(credential));
            }
        }
    }
    (Verdict::Valid, Some(credential))
}

#[cfg(test)]
mod tests;

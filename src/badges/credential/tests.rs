//! Round trips with fixed keys (RFC 8032's first Ed25519 test vector) and
//! fixed dates, against the known-answer vector kept in
//! `tests/fixtures/badges/` (also checked by the independent Python
//! verifier, `tests/python/verify_badge.py`).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;

use super::*;

/// RFC 8032 §7.1, TEST 1.
const SECRET: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const PUBLIC_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
/// 2026-12-01T08:30:00Z and a year later.
const ISSUED: i64 = 1_796_113_800_000;
const EXPIRES: i64 = ISSUED + 365 * 86_400_000;
const VECTOR: &str = include_str!("../../../tests/fixtures/badges/credential.jwt");

fn key(secret: &str) -> IssuerKey {
    let bytes: [u8; 32] = hex::decode(secret).unwrap().try_into().unwrap();
    let pem = SigningKey::from_bytes(&bytes).to_pkcs8_pem(LineEnding::LF).unwrap();
    IssuerKey::from_pem(&pem).unwrap()
}

fn issuer() -> Issuer {
    Issuer {
        id: "https://amphi.example.org/badges/issuers/ac-lyon".into(),
        name: "Académie de Lyon".into(),
        url: "https://www.ac-lyon.fr".into(),
        email: "formation@ac-lyon.fr".into(),
    }
}

fn fixed() -> Value {
    fixed_with(Vec::new())
}

fn fixed_with(evidence: Vec<Evidence>) -> Value {
    let achievement = Achievement {
        id: "https://amphi.example.org/badges/achievements/6f1c2a8e-4b1d-4c53-9a57-0d3e1f2a3b4c".into(),
        name: "Sécurité numérique".into(),
        description: "A suivi le module « Sécurité numérique » jusqu’au bout.".into(),
        criteria: "Répondre à toutes les questions du quiz.".into(),
        image: None,
    };
    let awarded = Awarded {
        id: "https://amphi.example.org/badges/credentials/0b6f5d7e-2c4a-4e8b-9f1d-3a5c7e9b1d2f".into(),
        recipient: "user-1".into(),
        salt: "0011223344556677".into(),
        issued_at: ISSUED,
        expires_at: Some(EXPIRES),
        status_list: "https://amphi.example.org/badges/issuers/ac-lyon/revocations".into(),
        status_index: 7,
        score: Some((12, 15)),
        evidence,
    };
    credential(&issuer(), &achievement, &awarded)
}

const JWKS: &str = "https://amphi.example.org/badges/issuers/ac-lyon/jwks";

#[test]
fn the_key_of_the_rfc_8032_vector_has_its_public_half() {
    assert_eq!(key(SECRET).x, PUBLIC_X);
}

#[test]
fn the_recipient_is_identified_by_a_salted_sha256() {
    // sha256("user-1" + "0011223344556677"), computed independently.
    assert_eq!(
        identity_hash("user-1", "0011223344556677"),
        "sha256$df165e106fb64c3e607c12b7733a4b7511768a243bcbf238918bb70d85f4e995"
    );
}

#[test]
fn the_credential_has_the_open_badges_3_shape() {
    let credential = fixed();
    assert_eq!(credential["@context"], json!([VC_CONTEXT, OB_CONTEXT]));
    assert_eq!(credential["type"], json!(["VerifiableCredential", "OpenBadgeCredential"]));
    assert_eq!(credential["validFrom"], "2026-12-01T08:30:00Z");
    assert_eq!(credential["validUntil"], "2027-12-01T08:30:00Z");
    assert_eq!(credential["issuer"]["type"], json!(["Profile"]));
    let subject = &credential["credentialSubject"];
    assert_eq!(subject["type"], json!(["AchievementSubject"]));
    assert_eq!(subject["achievement"]["type"], json!(["Achievement"]));
    assert_eq!(subject["achievement"]["criteria"]["narrative"], "Répondre à toutes les questions du quiz.");
    assert_eq!(subject["identifier"][0]["hashed"], true);
    assert_eq!(credential["credentialStatus"]["type"], "BitstringStatusListEntry");
    assert_eq!(credential["credentialStatus"]["statusListIndex"], "7");
}

#[test]
fn evidence_is_listed_in_words_with_its_link_when_it_has_one() {
    assert!(fixed().get("evidence").is_none(), "none given, none stated (the known answer below has none)");
    let credential = fixed_with(vec![
        Evidence { name: "Résultat".into(), narrative: "12 / 15 points".into(), id: None },
        Evidence { name: "Activité".into(), narrative: "« Quiz »".into(), id: Some("https://a/x".into()) },
    ]);
    assert_eq!(
        credential["evidence"][0],
        json!({ "type": ["Evidence"], "name": "Résultat", "narrative": "12 / 15 points" })
    );
    assert_eq!(credential["evidence"][1]["id"], "https://a/x");
}

#[test]
fn signing_gives_the_known_answer_and_it_verifies() {
    let key = key(SECRET);
    let jwt = sign(&fixed(), &key, JWKS).unwrap();
    assert_eq!(jwt, VECTOR.trim(), "the signed credential changed: update tests/fixtures/badges/credential.jwt");
    let header = jsonwebtoken::decode_header(&jwt).unwrap();
    assert_eq!(header.alg, Algorithm::EdDSA);
    assert_eq!(header.kid.as_deref(), Some(key.kid.as_str()));
    let (verdict, credential) = verify(&jwt, &key, ISSUED + 1000);
    assert_eq!(verdict, Verdict::Valid);
    assert_eq!(credential.unwrap(), fixed());
    let (_, claims) = jwt.split_once('.').unwrap();
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(claims["iss"], issuer().id);
    assert_eq!(claims["nbf"], ISSUED / 1000);
    assert_eq!(claims["exp"], EXPIRES / 1000);
    assert_eq!(claims["jti"], fixed()["id"]);
}

#[test]
fn a_changed_credential_is_tampered() {
    let key = key(SECRET);
    let jwt = sign(&fixed(), &key, JWKS).unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["credentialSubject"]["achievement"]["name"] = json!("Expert en tout");
    let forged = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(claims.to_string()), parts[2]);
    let (verdict, _) = verify(&forged, &key, ISSUED + 1000);
    assert_eq!(verdict.code(), "tampered", "{verdict:?}");
}

#[test]
fn a_credential_signed_by_another_key_says_so() {
    let other = key("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
    let jwt = sign(&fixed(), &other, JWKS).unwrap();
    let (verdict, _) = verify(&jwt, &key(SECRET), ISSUED + 1000);
    assert_eq!(verdict.code(), "other_key", "{verdict:?}");
}

#[test]
fn a_credential_past_its_validity_is_expired() {
    let key = key(SECRET);
    let jwt = sign(&fixed(), &key, JWKS).unwrap();
    let (verdict, _) = verify(&jwt, &key, EXPIRES);
    assert_eq!(verdict, Verdict::Expired { reason: "the credential expired on 2027-12-01T08:30:00Z".into() });
    assert_eq!(verify(&jwt, &key, EXPIRES - 1).0, Verdict::Valid);
}

#[test]
fn what_is_not_a_jwt_is_malformed() {
    let key = key(SECRET);
    for garbage in ["", "abc", "a.b.c", "eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.c2ln"] {
        assert_eq!(verify(garbage, &key, ISSUED).0.code(), "malformed", "{garbage:?}");
    }
}

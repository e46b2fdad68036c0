//! A platform simulator that speaks what Moodle 4.5 sends an LTI 1.3 tool
//! (built on the messages captured from a real Moodle in
//! `tests/fixtures/lti/`): its keyset, the OIDC authorisation step (played
//! by the test as the browser), a token endpoint that checks the tool's
//! signed client assertion against the tool's own keyset, AGS scores with
//! Moodle's rules (FullyGraded to land, 409 for a timestamp not newer,
//! scaled to the line item's maximum), NRPS memberships, and Dynamic
//! Registration.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs8::DecodePrivateKey;
use serde_json::{Value, json};
use tokio::net::TcpListener;

pub const CLIENT_ID: &str = "E5uJ0hoGHwDU3te";
pub const DEPLOYMENT: &str = "1";
pub const PLATFORM_KID: &str = "bcda8fce752280a6962b";
pub const REGISTRATION_TOKEN: &str = "moodle-registration-token";

/// Who launches: the fixtures' learner (Moodle user 4) or instructor (3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Person {
    Student,
    Teacher,
}

#[derive(Default)]
pub struct Recorded {
    /// Scores as posted (the body) with the grade as Moodle would store it.
    pub scores: Vec<(Value, f64)>,
    pub last_timestamp: HashMap<String, String>,
    pub keyset_fetches: usize,
    pub tokens_issued: usize,
    pub access_tokens: Vec<String>,
    /// While set, the scores endpoint answers 503 (an outage).
    pub scores_down: bool,
    pub registrations: Vec<Value>,
    /// The signing kid published (a rotation changes it).
    pub published_kid: String,
}

#[derive(Clone)]
pub struct Platform {
    pub url: String,
    pub tool_url: String,
    pub recorded: Arc<Mutex<Recorded>>,
    key: Arc<EncodingKey>,
    public_jwk: Value,
}

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/lti/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// An RS256 signing key and its public JWK, from a PKCS#8 PEM fixture.
pub fn key_pair(file: &str, kid: &str) -> (EncodingKey, Value) {
    use base64::Engine as _;
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::traits::PublicKeyParts;
    let pem = std::fs::read_to_string(format!("{}/tests/fixtures/lti/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let private = rsa::RsaPrivateKey::from_pkcs8_pem(&pem).unwrap();
    let der = private.to_pkcs1_der().unwrap();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let jwk = json!({
        "kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
        "n": b64.encode(private.n().to_bytes_be()), "e": b64.encode(private.e().to_bytes_be()),
    });
    (EncodingKey::from_rsa_der(der.as_bytes()), jwk)
}

impl Platform {
    /// Starts the simulator; `tool_url` is amphi's base URL.
    pub async fn start(tool_url: &str) -> Platform {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (key, public_jwk) = key_pair("platform-key.pem", PLATFORM_KID);
        let recorded = Arc::new(Mutex::new(Recorded { published_kid: PLATFORM_KID.into(), ..Recorded::default() }));
        let platform = Platform { url, tool_url: tool_url.to_string(), recorded, key: Arc::new(key), public_jwk };
        let router = axum::Router::new()
            .route("/mod/lti/certs.php", get(certs))
            .route("/mod/lti/token.php", post(token))
            .route("/mod/lti/services.php/CourseSection/2/bindings/1/memberships", get(memberships))
            .route("/mod/lti/services.php/2/lineitems/2/lineitem/scores", post(score))
            .route("/mod/lti/openid-configuration.php", get(openid_configuration))
            .route("/mod/lti/openid-registration.php", post(register))
            .with_state(platform.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        platform
    }

    pub fn auth_url(&self) -> String {
        format!("{}/mod/lti/auth.php", self.url)
    }

    /// What an admin types in for a manual registration.
    pub fn registration_json(&self) -> Value {
        json!({
            "name": "Moodle de l'académie",
            "issuer": self.url,
            "client_id": CLIENT_ID,
            "deployment_ids": [DEPLOYMENT],
            "auth_url": self.auth_url(),
            "token_url": format!("{}/mod/lti/token.php", self.url),
            "jwks_url": format!("{}/mod/lti/certs.php", self.url),
        })
    }

    pub fn openid_configuration_url(&self) -> String {
        format!("{}/mod/lti/openid-configuration.php", self.url)
    }

    /// The login initiation Moodle posts for `person` (resource link for a
    /// student, Deep Linking for a teacher unless `deep_link` is false).
    pub fn login_form(&self, person: Person, deep_link: bool) -> Vec<(String, String)> {
        let name = if deep_link { "login_initiation_deep_linking.json" } else { "login_initiation_resource_link.json" };
        let mut fields = fixture(name)["fields"].as_object().unwrap().clone();
        fields.insert("iss".into(), json!(self.url));
        fields.insert("login_hint".into(), json!(if person == Person::Student { "4" } else { "3" }));
        fields.insert("target_link_uri".into(), json!(format!("{}/lti/launch", self.tool_url)));
        fields.into_iter().map(|(k, v)| (k, v.as_str().unwrap().to_string())).collect()
    }

    /// The authorisation step: checks amphi's authentication request as
    /// Moodle does and returns the id_token and state the browser posts back.
    pub fn authorize(
        &self,
        request_url: &str,
        person: Person,
        deep_link: bool,
        tweak: impl FnOnce(&mut Value),
    ) -> (String, String) {
        let url = url::Url::parse(request_url).unwrap();
        assert!(request_url.starts_with(&self.auth_url()), "sent to the registered auth URL: {request_url}");
        let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(query["scope"], "openid");
        assert_eq!(query["response_type"], "id_token");
        assert_eq!(query["response_mode"], "form_post");
        assert_eq!(query["prompt"], "none");
        assert_eq!(query["client_id"], CLIENT_ID);
        assert_eq!(query["redirect_uri"], format!("{}/lti/launch", self.tool_url));
        assert!(query["nonce"].len() >= 32 && query["state"].len() >= 32, "fresh, long state and nonce");
        let mut claims = self.claims(person, deep_link);
        claims["nonce"] = json!(query["nonce"]);
        tweak(&mut claims);
        let kid = claims.get("__kid").and_then(Value::as_str).unwrap_or(PLATFORM_KID).to_string();
        if claims.get("__forge").is_some() {
            // Signed with a key the platform never published, under its kid.
            let (forger, _) = key_pair("forger-key.pem", &kid);
            let mut header = Header::new(Algorithm::RS256);
            header.kid = Some(kid);
            let object = claims.as_object_mut().unwrap();
            object.remove("__forge");
            return (jsonwebtoken::encode(&header, &claims, &forger).unwrap(), query["state"].clone());
        }
        (self.sign_claims(&claims, &kid), query["state"].clone())
    }

    /// The fixture's claims, pointed at this simulator and this tool, fresh.
    pub fn claims(&self, person: Person, deep_link: bool) -> Value {
        let name =
            if deep_link { "id_token_instructor_deep_linking.json" } else { "id_token_learner_resource_link.json" };
        let text = fixture(name)["claims"].to_string().replace("http://127.0.0.1:18700", &self.url);
        let mut claims: Value = serde_json::from_str(&text).unwrap();
        let now = amphi::auth::unix_seconds();
        claims["iat"] = json!(now);
        claims["exp"] = json!(now + 60);
        claims["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"] =
            json!(format!("{}/lti/launch", self.tool_url));
        if person == Person::Teacher && !deep_link {
            claims["sub"] = json!("3");
            claims["name"] = json!("Tina Formatrice");
            claims["https://purl.imsglobal.org/spec/lti/claim/roles"] =
                json!(["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]);
        }
        claims
    }

    pub fn sign_claims(&self, claims: &Value, kid: &str) -> String {
        let mut claims = claims.clone();
        if let Some(object) = claims.as_object_mut() {
            object.remove("__kid");
        }
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.into());
        jsonwebtoken::encode(&header, &claims, &self.key).unwrap()
    }

    /// Checks a Deep Linking response as Moodle does: signed by the tool
    /// (its keyset), from the client id, for this platform, the right
    /// message; returns its claims.
    pub async fn accept_deep_link(&self, jwt: &str) -> Value {
        let claims = verify_tool_jwt(&self.tool_url, jwt, &self.url).await.expect("a valid Deep Linking response");
        assert_eq!(claims["iss"], CLIENT_ID);
        assert_eq!(claims["https://purl.imsglobal.org/spec/lti/claim/message_type"], "LtiDeepLinkingResponse");
        assert_eq!(claims["https://purl.imsglobal.org/spec/lti/claim/version"], "1.3.0");
        assert_eq!(claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"], DEPLOYMENT);
        claims
    }
}

/// Verifies a JWT signed by the tool against the tool's published keyset.
pub async fn verify_tool_jwt(tool_url: &str, jwt: &str, audience: &str) -> Result<Value, String> {
    let jwks: jsonwebtoken::jwk::JwkSet = reqwest::get(format!("{tool_url}/lti/jwks"))
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let header = jsonwebtoken::decode_header(jwt).map_err(|e| e.to_string())?;
    let kid = header.kid.ok_or("no kid")?;
    let jwk = jwks.find(&kid).ok_or("kid not in the tool's keyset")?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[audience]);
    jsonwebtoken::decode::<Value>(jwt, &key, &validation).map(|d| d.claims).map_err(|e| e.to_string())
}

async fn certs(State(p): State<Platform>) -> Response {
    let kid = {
        let mut recorded = p.recorded.lock().unwrap();
        recorded.keyset_fetches += 1;
        recorded.published_kid.clone()
    };
    let mut jwk = p.public_jwk.clone();
    jwk["kid"] = json!(kid);
    axum::Json(json!({ "keys": [jwk] })).into_response()
}

async fn token(State(p): State<Platform>, Form(form): Form<HashMap<String, String>>) -> Response {
    let refuse = |why: &str| {
        (StatusCode::BAD_REQUEST, axum::Json(json!({ "error": "invalid_client", "why": why }))).into_response()
    };
    if form.get("grant_type").map(String::as_str) != Some("client_credentials")
        || form.get("client_assertion_type").map(String::as_str)
            != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    {
        return refuse("grant");
    }
    let token_url = format!("{}/mod/lti/token.php", p.url);
    let Some(assertion) = form.get("client_assertion") else { return refuse("no assertion") };
    let claims = match verify_tool_jwt(&p.tool_url, assertion, &token_url).await {
        Ok(claims) => claims,
        Err(why) => return refuse(&why),
    };
    if claims["iss"] != CLIENT_ID || claims["sub"] != CLIENT_ID || claims["jti"].as_str().is_none() {
        return refuse("claims");
    }
    let access = format!("access-{}", uuid::Uuid::new_v4().simple());
    {
        let mut recorded = p.recorded.lock().unwrap();
        recorded.tokens_issued += 1;
        recorded.access_tokens.push(access.clone());
    }
    axum::Json(
        json!({ "access_token": access, "token_type": "Bearer", "expires_in": 3600, "scope": form.get("scope") }),
    )
    .into_response()
}

fn authorized(p: &Platform, headers: &HeaderMap) -> bool {
    let bearer = headers.get("authorization").and_then(|h| h.to_str().ok()).and_then(|h| h.strip_prefix("Bearer "));
    bearer.is_some_and(|token| p.recorded.lock().unwrap().access_tokens.iter().any(|t| t == token))
}

async fn memberships(State(p): State<Platform>, headers: HeaderMap) -> Response {
    if !authorized(&p, &headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let answers = fixture("ags_nrps_responses.json");
    let text = answers["memberships"].to_string().replace("http://127.0.0.1:18700", &p.url);
    ([("content-type", "application/vnd.ims.lti-nrps.v2.membershipcontainer+json")], text).into_response()
}

async fn score(
    State(p): State<Platform>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    body: String,
) -> Response {
    if p.recorded.lock().unwrap().scores_down {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    if !authorized(&p, &headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    if query.get("type_id").map(String::as_str) != Some("1") {
        return (StatusCode::BAD_REQUEST, "type_id is missing").into_response();
    }
    if headers.get("content-type").and_then(|h| h.to_str().ok()) != Some("application/vnd.ims.lis.v1.score+json") {
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, "not a score").into_response();
    }
    let score: Value = match serde_json::from_str(&body) {
        Ok(score) => score,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    let (Some(user), Some(timestamp)) = (score["userId"].as_str(), score["timestamp"].as_str()) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let mut recorded = p.recorded.lock().unwrap();
    if let Some(last) = recorded.last_timestamp.get(user)
        && last.as_str() >= timestamp
    {
        return StatusCode::CONFLICT.into_response();
    }
    recorded.last_timestamp.insert(user.to_string(), timestamp.to_string());
    // Moodle keeps a grade only when fully graded, scaled to the item's 100.
    if score["gradingProgress"] == "FullyGraded" {
        let grade = score["scoreGiven"].as_f64().unwrap_or(0.0) / score["scoreMaximum"].as_f64().unwrap_or(1.0) * 100.0;
        recorded.scores.push((score, grade));
    }
    StatusCode::OK.into_response()
}

async fn openid_configuration(State(p): State<Platform>) -> Response {
    axum::Json(json!({
        "issuer": p.url,
        "token_endpoint": format!("{}/mod/lti/token.php", p.url),
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "jwks_uri": format!("{}/mod/lti/certs.php", p.url),
        "authorization_endpoint": format!("{}/mod/lti/auth.php", p.url),
        "registration_endpoint": format!("{}/mod/lti/openid-registration.php", p.url),
        "scopes_supported": ["openid"],
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
        "https://purl.imsglobal.org/spec/lti-platform-configuration": {
            "product_family_code": "moodle",
            "version": "4.5.5+ (Build: 20250613)",
            "messages_supported": [{ "type": "LtiResourceLinkRequest" }, { "type": "LtiDeepLinkingRequest" }],
            "variables": []
        }
    }))
    .into_response()
}

async fn register(State(p): State<Platform>, headers: HeaderMap, axum::Json(body): axum::Json<Value>) -> Response {
    if headers.get("authorization").and_then(|h| h.to_str().ok()) != Some(&format!("Bearer {REGISTRATION_TOKEN}")) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    // Moodle's registration_helper: the tool's domain must be its target
    // link's (host and port, `www.` ignored), else 400 domain_targetlinkuri_mismatch.
    let configuration = &body["https://purl.imsglobal.org/spec/lti-tool-configuration"];
    let domain_of = |url: &str| {
        let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
        let host = rest.split('/').next().unwrap_or_default().to_lowercase();
        host.strip_prefix("www.").map(String::from).unwrap_or(host)
    };
    let domain = domain_of(configuration["domain"].as_str().unwrap_or_default());
    let target = configuration["target_link_uri"].as_str().unwrap_or_default();
    if domain.is_empty() || domain != domain_of(target) {
        return (StatusCode::BAD_REQUEST, "domain_targetlinkuri_mismatch").into_response();
    }
    p.recorded.lock().unwrap().registrations.push(body.clone());
    let mut answer = body;
    answer["client_id"] = json!(CLIENT_ID);
    answer["https://purl.imsglobal.org/spec/lti-tool-configuration"]["deployment_id"] = json!(DEPLOYMENT);
    axum::Json(answer).into_response()
}

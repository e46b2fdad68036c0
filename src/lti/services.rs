//! The platform's services amphi calls: access tokens (OAuth 2
//! client_credentials, the client authenticated by a JWT signed with the
//! tool's key, cached per platform and scope until shortly before they
//! expire), scores and line items (Assignment and Grade Services) and the
//! course's memberships (Names and Role Provisioning Services).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};

use super::http::{CallError, PlatformHttp};
use super::keys::ToolKeys;
use crate::store::PlatformRecord;

pub const SCOPE_SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
pub const SCOPE_LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
pub const SCOPE_MEMBERSHIPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

/// A token is renewed this long before the platform says it expires.
const EARLY_RENEWAL: Duration = Duration::from_secs(60);

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

pub struct Services {
    http: PlatformHttp,
    tokens: Mutex<HashMap<(String, String), (String, Instant)>>,
}

impl Services {
    pub fn new(http: PlatformHttp) -> Services {
        Services { http, tokens: Mutex::new(HashMap::new()) }
    }

    /// An access token of `platform` for `scope`, from the cache or its
    /// token endpoint.
    pub async fn token(
        &self,
        keys: &Arc<ToolKeys>,
        platform: &PlatformRecord,
        scope: &str,
    ) -> Result<String, CallError> {
        let key = (platform.id.clone(), scope.to_string());
        if let Some((token, until)) = self.lock().get(&key)
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let now = crate::auth::unix_seconds();
        let assertion = json!({
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.token_url,
            "iat": now,
            "exp": now + 300,
            "jti": uuid::Uuid::new_v4().to_string(),
        });
        let assertion = keys.sign(&assertion).await.map_err(|e| CallError::Invalid {
            url: platform.token_url.clone(),
            message: format!("cannot sign the client assertion: {e}"),
        })?;
        let form = [
            ("grant_type", "client_credentials"),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", &assertion),
            ("scope", scope),
        ];
        let request = self.http.request(reqwest::Method::POST, &platform.token_url).form(&form);
        let answer: TokenAnswer = self.http.json(&platform.token_url, request).await?;
        let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(3600)).saturating_sub(EARLY_RENEWAL);
        self.lock().insert(key, (answer.access_token.clone(), Instant::now() + lifetime));
        Ok(answer.access_token)
    }

    /// Drops a platform's cached tokens (one was refused).
    pub fn forget_tokens(&self, platform_id: &str) {
        self.lock().retain(|(platform, _), _| platform != platform_id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), (String, Instant)>> {
        self.tokens.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// POSTs a score to a line item's `/scores`.
    pub async fn post_score(&self, token: &str, lineitem: &str, score: &Value) -> Result<(), CallError> {
        let url = service_url(lineitem, "scores");
        let request = self
            .http
            .request(reqwest::Method::POST, &url)
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/vnd.ims.lis.v1.score+json")
            .body(score.to_string());
        self.http.send(&url, request).await.map(drop)
    }

    /// Creates a line item in a course's container; returns its URL.
    pub async fn create_lineitem(&self, token: &str, lineitems: &str, item: &Value) -> Result<String, CallError> {
        let request = self
            .http
            .request(reqwest::Method::POST, lineitems)
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/vnd.ims.lis.v2.lineitem+json")
            .header(reqwest::header::ACCEPT, "application/vnd.ims.lis.v2.lineitem+json")
            .body(item.to_string());
        let created: Value = self.http.json(lineitems, request).await?;
        created["id"].as_str().map(String::from).ok_or_else(|| CallError::Invalid {
            url: lineitems.to_string(),
            message: "the new line item has no id".into(),
        })
    }

    /// The course's memberships (NRPS 2.0).
    pub async fn memberships(&self, token: &str, url: &str) -> Result<Value, CallError> {
        let request = self
            .http
            .request(reqwest::Method::GET, url)
            .bearer_auth(token)
            .header(reqwest::header::ACCEPT, "application/vnd.ims.lti-nrps.v2.membershipcontainer+json");
        self.http.json(url, request).await
    }
}

/// A line item's sub-resource: `…/lineitem?type_id=1` + `scores` →
/// `…/lineitem/scores?type_id=1` (the query kept, as Moodle needs it).
pub fn service_url(lineitem: &str, resource: &str) -> String {
    match url::Url::parse(lineitem) {
        Ok(mut url) => {
            let path = format!("{}/{resource}", url.path().trim_end_matches('/'));
            url.set_path(&path);
            url.to_string()
        }
        Err(_) => format!("{}/{resource}", lineitem.trim_end_matches('/')),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_go_under_the_line_item_with_its_query_kept() {
        assert_eq!(
            service_url("http://127.0.0.1:18700/mod/lti/services.php/2/lineitems/2/lineitem?type_id=1", "scores"),
            "http://127.0.0.1:18700/mod/lti/services.php/2/lineitems/2/lineitem/scores?type_id=1"
        );
        assert_eq!(service_url("https://lms.example/items/7/", "scores"), "https://lms.example/items/7/scores");
    }
}

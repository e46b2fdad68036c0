//! The claims of an LTI 1.3 id_token (as Moodle 4.5 sends them, see
//! `tests/fixtures/lti/`), the checks that the signature alone does not
//! make, and the mapping of LIS roles to amphi's.

use std::collections::BTreeMap;

use amphi_protocol::Role;
use serde::Deserialize;
use serde_json::Value;

pub const RESOURCE_LINK_REQUEST: &str = "LtiResourceLinkRequest";
pub const DEEP_LINKING_REQUEST: &str = "LtiDeepLinkingRequest";
pub const VERSION: &str = "1.3.0";

/// `aud`: one string or an array.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    pub fn values(&self) -> Vec<&str> {
        match self {
            Audience::One(one) => vec![one.as_str()],
            Audience::Many(many) => many.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ResourceLink {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Context {
    #[serde(default)]
    pub id: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LaunchPresentation {
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub return_url: Option<String>,
}

/// Assignment and Grade Services endpoints.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AgsEndpoint {
    #[serde(default)]
    pub lineitems: Option<String>,
    #[serde(default)]
    pub lineitem: Option<String>,
}

/// Names and Role Provisioning Services.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NamesRoles {
    pub context_memberships_url: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DeepLinkingSettings {
    pub deep_link_return_url: String,
    #[serde(default)]
    pub accept_types: Vec<String>,
    #[serde(default)]
    pub data: Option<String>,
}

/// An id_token's claims that amphi reads (`iss`, `aud` and `exp` are also
/// checked with the signature). Everything amphi does not need may be absent.
#[derive(Debug, Clone, Deserialize)]
pub struct IdToken {
    pub aud: Audience,
    #[serde(default)]
    pub azp: Option<String>,
    #[serde(default)]
    pub sub: Option<String>,
    pub iat: u64,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub family_name: Option<String>,
    /// Shared when the platform's privacy settings allow it.
    #[serde(default)]
    pub email: Option<String>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/deployment_id", default)]
    pub deployment_id: Option<String>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/message_type", default)]
    pub message_type: Option<String>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/version", default)]
    pub version: Option<String>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/roles", default)]
    pub roles: Option<Vec<String>>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/resource_link", default)]
    pub resource_link: Option<ResourceLink>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/context", default)]
    pub context: Option<Context>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/custom", default)]
    pub custom: Option<BTreeMap<String, Value>>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation", default)]
    pub launch_presentation: Option<LaunchPresentation>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint", default)]
    pub ags: Option<AgsEndpoint>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice", default)]
    pub names_roles: Option<NamesRoles>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings", default)]
    pub deep_linking: Option<DeepLinkingSettings>,
}

/// Which launch an id_token asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    ResourceLink,
    DeepLinking,
}

/// A claim check that failed: the stable code and what to tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimError {
    pub code: &'static str,
    pub detail: String,
}

fn refuse(code: &'static str, detail: impl Into<String>) -> ClaimError {
    ClaimError { code, detail: detail.into() }
}

impl IdToken {
    /// The checks made after the signature (which also checked `exp`,
    /// `iss` and `aud`): `azp`, `iat` in time, the nonce, the deployment,
    /// the message type and version, the claims each message needs.
    pub fn check(
        &self,
        client_id: &str,
        deployments: &[String],
        nonce: &str,
        now: u64,
        leeway: u64,
        max_age: u64,
    ) -> Result<Message, ClaimError> {
        let audiences = self.aud.values();
        if audiences.len() > 1 && self.azp.is_none() {
            return Err(refuse("lti_wrong_audience", "several audiences and no `azp`"));
        }
        if self.azp.as_deref().is_some_and(|azp| azp != client_id) {
            return Err(refuse("lti_wrong_audience", "`azp` is not amphi's client id"));
        }
        if self.iat > now + leeway {
            return Err(refuse("lti_bad_time", "issued in the future (`iat`): check the platform's clock"));
        }
        if self.iat + max_age + leeway < now {
            return Err(refuse("lti_bad_time", "issued too long ago (`iat`)"));
        }
        if self.nonce.as_deref() != Some(nonce) {
            return Err(refuse("lti_bad_nonce", "the nonce is not the one this login asked for"));
        }
        let deployment =
            self.deployment_id.as_deref().ok_or_else(|| refuse("lti_missing_claim", "no deployment_id"))?;
        if !deployments.iter().any(|d| d == deployment) {
            return Err(refuse("lti_unknown_deployment", format!("deployment {deployment:?} is not registered")));
        }
        if self.version.as_deref() != Some(VERSION) {
            return Err(refuse(
                "lti_bad_message",
                format!("version {:?} is not 1.3.0", self.version.as_deref().unwrap_or("")),
            ));
        }
        let message = match self.message_type.as_deref() {
            Some(RESOURCE_LINK_REQUEST) => Message::ResourceLink,
            Some(DEEP_LINKING_REQUEST) => Message::DeepLinking,
            Some(other) => return Err(refuse("lti_bad_message", format!("message type {other:?} is not supported"))),
            None => return Err(refuse("lti_bad_message", "no message_type")),
        };
        if self.sub.as_deref().is_none_or(str::is_empty) {
            return Err(refuse("lti_missing_claim", "no `sub`: anonymous launches are not supported"));
        }
        if self.roles.is_none() {
            return Err(refuse("lti_missing_claim", "no roles claim"));
        }
        match message {
            Message::ResourceLink if self.resource_link.as_ref().is_none_or(|l| l.id.is_empty()) => {
                Err(refuse("lti_missing_claim", "no resource_link id"))
            }
            Message::DeepLinking if self.deep_linking.as_ref().is_none_or(|d| d.deep_link_return_url.is_empty()) => {
                Err(refuse("lti_missing_claim", "no deep_linking_settings with a deep_link_return_url"))
            }
            _ => Ok(message),
        }
    }

    /// The person's name as the platform sends it.
    pub fn display_name(&self) -> Option<String> {
        let name = self.name.clone().filter(|n| !n.trim().is_empty()).or_else(|| {
            let full =
                format!("{} {}", self.given_name.as_deref().unwrap_or(""), self.family_name.as_deref().unwrap_or(""));
            Some(full.trim().to_string()).filter(|n| !n.is_empty())
        })?;
        Some(name.trim().to_string())
    }

    /// A custom parameter's value, as text.
    pub fn custom(&self, key: &str) -> Option<String> {
        match self.custom.as_ref()?.get(key)? {
            Value::String(text) => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        }
    }

    /// `fr` or `en`, from the launch's locale (French by default).
    pub fn lang(&self) -> &'static str {
        let locale = self.launch_presentation.as_ref().and_then(|p| p.locale.as_deref()).unwrap_or("fr");
        if locale.to_ascii_lowercase().starts_with("en") { "en" } else { "fr" }
    }
}

/// amphi's role for a set of LIS roles: Instructor, ContentDeveloper and
/// Administrator (context, institution or system) lead as trainers,
/// TeachingAssistant as a facilitator, Learner takes part, Mentor and anything
/// else watches. The strongest role wins. Never `national` (the shared
/// library's national curators): a course's roles say nothing of it, so it
/// comes with a platform JWT only.
pub fn role_of(roles: &[String]) -> Role {
    let fragment = |role: &str| -> String {
        let last = role.rsplit(['#', '/']).next().unwrap_or(role);
        last.to_string()
    };
    let names: Vec<String> = roles.iter().map(|r| fragment(r)).collect();
    let has = |name: &str| names.iter().any(|n| n == name);
    // Moodle's non-editing teacher: membership/Instructor#TeachingAssistant.
    let assistant = roles.iter().any(|r| r.ends_with("#TeachingAssistant") || r.ends_with("/TeachingAssistant"));
    if has("Administrator") || has("ContentDeveloper") || (has("Instructor") && !assistant) {
        Role::Trainer
    } else if assistant {
        Role::Facilitator
    } else if has("Learner") || has("Student") {
        Role::Participant
    } else {
        Role::Observer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(list: &[&str]) -> Vec<String> {
        list.iter().map(|r| r.to_string()).collect()
    }

    #[test]
    fn lis_roles_map_to_amphi_roles() {
        let m = "http://purl.imsglobal.org/vocab/lis/v2/membership#";
        assert_eq!(role_of(&roles(&[&format!("{m}Instructor")])), Role::Trainer);
        assert_eq!(role_of(&roles(&[&format!("{m}ContentDeveloper")])), Role::Trainer);
        assert_eq!(
            role_of(&roles(&["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"])),
            Role::Trainer
        );
        assert_eq!(
            role_of(&roles(&["http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"])),
            Role::Trainer
        );
        assert_eq!(role_of(&roles(&[&format!("{m}Instructor#TeachingAssistant")])), Role::Facilitator);
        assert_eq!(role_of(&roles(&[&format!("{m}TeachingAssistant")])), Role::Facilitator);
        assert_eq!(role_of(&roles(&[&format!("{m}Learner")])), Role::Participant);
        assert_eq!(role_of(&roles(&[&format!("{m}Mentor")])), Role::Observer);
        assert_eq!(role_of(&roles(&[])), Role::Observer);
        assert_eq!(
            role_of(&roles(&[&format!("{m}Learner"), &format!("{m}Instructor")])),
            Role::Trainer,
            "the strongest"
        );
    }

    fn moodle_learner() -> IdToken {
        let fixture: Value =
            serde_json::from_str(include_str!("../../tests/fixtures/lti/id_token_learner_resource_link.json")).unwrap();
        serde_json::from_value(fixture["claims"].clone()).unwrap()
    }

    #[test]
    fn moodles_learner_launch_passes_the_checks() {
        let token = moodle_learner();
        let nonce = token.nonce.clone().unwrap();
        let now = token.iat + 5;
        let message = token.check("E5uJ0hoGHwDU3te", &["1".into()], &nonce, now, 60, 600).unwrap();
        assert_eq!(message, Message::ResourceLink);
        assert_eq!(token.display_name().as_deref(), Some("Sam Stagiaire"));
        assert_eq!(role_of(token.roles.as_deref().unwrap()), Role::Participant);
        assert_eq!(token.custom("quiz_id").as_deref(), Some("q42"));
        assert_eq!(token.lang(), "en");
        let ags = token.ags.unwrap();
        assert!(ags.lineitem.unwrap().contains("/lineitems/2/lineitem"));
    }

    #[test]
    fn each_claim_check_refuses_with_its_code() {
        let token = moodle_learner();
        let nonce = token.nonce.clone().unwrap();
        let now = token.iat + 5;
        let check = |t: &IdToken, deployments: &[String], nonce: &str, now: u64| {
            t.check("E5uJ0hoGHwDU3te", deployments, nonce, now, 60, 600).map_err(|e| e.code)
        };
        let one = ["1".to_string()];
        assert_eq!(check(&token, &["7".into()], &nonce, now), Err("lti_unknown_deployment"));
        assert_eq!(check(&token, &one, "other", now), Err("lti_bad_nonce"));
        assert_eq!(check(&token, &one, &nonce, token.iat - 120), Err("lti_bad_time"), "iat in the future");
        assert_eq!(check(&token, &one, &nonce, token.iat + 3600), Err("lti_bad_time"), "too old");
        let mut t = token.clone();
        t.azp = Some("someone-else".into());
        assert_eq!(check(&t, &one, &nonce, now), Err("lti_wrong_audience"));
        let mut t = token.clone();
        t.aud = Audience::Many(vec!["E5uJ0hoGHwDU3te".into(), "x".into()]);
        assert_eq!(check(&t, &one, &nonce, now), Err("lti_wrong_audience"));
        let mut t = token.clone();
        t.message_type = Some("LtiSubmissionReviewRequest".into());
        assert_eq!(check(&t, &one, &nonce, now), Err("lti_bad_message"));
        let mut t = token.clone();
        t.message_type = None;
        assert_eq!(check(&t, &one, &nonce, now), Err("lti_bad_message"));
        let mut t = token.clone();
        t.version = Some("1.1".into());
        assert_eq!(check(&t, &one, &nonce, now), Err("lti_bad_message"));
        let mut t = token.clone();
        t.sub = None;
        assert_eq!(check(&t, &one, &nonce, now), Err("lti_missing_claim"));
        let mut t = token.clone();
        t.roles = None;
        assert_eq!(check(&t, &one, &nonce, now), Err("lti_missing_claim"));
        let mut t = token.clone();
        t.resource_link = None;
        assert_eq!(check(&t, &one, &nonce, now), Err("lti_missing_claim"));
    }
}

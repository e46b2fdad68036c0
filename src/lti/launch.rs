//! A resource link launch, once verified: the person becomes a stable member
//! (`lti:<platform>:<sub>`, the platform's name, the role its LIS roles map
//! to, the platform's tenant), the link finds its session (on its first
//! launch, a copy of the activity chosen through Deep Linking), the link's
//! grade and roster services are remembered, and the browser is handed to
//! the web client with an amphi token in the address's fragment.
//!
//! A link that names no activity (added in Moodle as a plain external tool,
//! without the activity chooser) opens the picker for a trainer, whose
//! choice becomes the link's activity; others learn it is not ready yet.

use amphi_protocol::Role;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::claims::{IdToken, role_of};
use super::{LtiError, member_id, now_ms};
use crate::app::AppState;
use crate::auth::{Claims, unix_seconds};
use crate::store::{LinkRecord, MemberProfile, PlatformRecord};

/// The custom parameters that say a person's académie, department and
/// discipline, for the usage statistics' breakdowns.
pub const PROFILE_PARAMETERS: [&str; 3] = ["academie", "departement", "discipline"];

/// A profile custom parameter, unless it is a substitution variable the
/// platform did not replace (Moodle sends `$Name` as it is when it knows no
/// such variable, e.g. a custom profile field).
fn profile_value(token: &IdToken, key: &str) -> Option<String> {
    token.custom(key).filter(|value| !value.trim_start().starts_with('$'))
}

/// The custom parameter naming the activity a link was made for (set by
/// amphi's Deep Linking response).
pub const ACTIVITY_PARAMETER: &str = "amphi_activity";

/// The web client's entry route for a launched member.
pub const ENTRY_PATH: &str = "/entrer";

pub async fn resource_link(app: &AppState, platform: &PlatformRecord, token: IdToken) -> Result<Response, LtiError> {
    let lang = token.lang();
    if token.resource_link.is_none() {
        return Err(LtiError::bad("lti_missing_claim", "no resource_link").in_lang(lang));
    }
    let mut link = LaunchedLink::of(&token);
    let existing = app
        .store
        .lti_link(&platform.id, &link.deployment_id, &link.resource_link_id)
        .await
        .map_err(LtiError::internal)?;
    if link.lineitem_url.is_none() {
        link.lineitem_url = existing.as_ref().and_then(|l| l.lineitem_url.clone());
    }
    if let Some(existing) = &existing
        && app.store.room(existing.room_id).await.map_err(LtiError::internal)?.is_some()
    {
        return enter(app, platform, &link, existing.room_id, existing.template_room).await;
    }
    let template = token
        .custom(ACTIVITY_PARAMETER)
        .and_then(|id| Uuid::parse_str(&id).ok())
        .or(existing.as_ref().and_then(|l| l.template_room));
    match template {
        Some(template) => bind(app, platform, &link, template).await,
        None if link.role.leads() => super::deep_linking::link_picker(app, platform, link).await,
        None => Err(LtiError::new(StatusCode::CONFLICT, "lti_not_ready", NOT_READY).in_lang(lang)),
    }
}

const NOT_READY: &str = "this link names no amphi activity yet";

/// What a launch says of its link and of the person, kept (signed) across
/// the picker when the link has no activity yet.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LaunchedLink {
    pub deployment_id: String,
    pub resource_link_id: String,
    pub context_id: String,
    pub title: Option<String>,
    pub lineitem_url: Option<String>,
    pub lineitems_url: Option<String>,
    pub memberships_url: Option<String>,
    pub sub: String,
    pub name: Option<String>,
    /// The person's e-mail, when the platform shares it (Open Badges 2.0).
    #[serde(default)]
    pub email: Option<String>,
    pub role: Role,
    pub lang: String,
    pub return_url: Option<String>,
    /// What the platform says of the person for the usage statistics: the
    /// custom parameters `academie`, `departement` and `discipline`.
    #[serde(default)]
    pub academie: Option<String>,
    #[serde(default)]
    pub departement: Option<String>,
    #[serde(default)]
    pub discipline: Option<String>,
}

impl LaunchedLink {
    pub fn of(token: &IdToken) -> LaunchedLink {
        let ags = token.ags.clone().unwrap_or_default();
        LaunchedLink {
            deployment_id: token.deployment_id.clone().unwrap_or_default(),
            resource_link_id: token.resource_link.as_ref().map(|l| l.id.clone()).unwrap_or_default(),
            context_id: token.context.clone().unwrap_or_default().id,
            title: token.resource_link.as_ref().and_then(|l| l.title.clone()).filter(|t| !t.trim().is_empty()),
            lineitem_url: ags.lineitem,
            lineitems_url: ags.lineitems,
            memberships_url: token.names_roles.as_ref().map(|n| n.context_memberships_url.clone()),
            sub: token.sub.clone().unwrap_or_default(),
            name: token.display_name(),
            email: token.email.clone().map(|e| e.trim().to_lowercase()).filter(|e| is_email(e)),
            role: role_of(token.roles.as_deref().unwrap_or_default()),
            lang: token.lang().into(),
            return_url: token.launch_presentation.as_ref().and_then(|p| p.return_url.clone()),
            academie: profile_value(token, PROFILE_PARAMETERS[0]),
            departement: profile_value(token, PROFILE_PARAMETERS[1]),
            discipline: profile_value(token, PROFILE_PARAMETERS[2]),
        }
    }

    /// What the launch said of the person (académie, department, discipline).
    fn profile(&self) -> MemberProfile {
        MemberProfile::new(self.academie.as_deref(), self.departement.as_deref(), self.discipline.as_deref())
    }

    fn lang(&self) -> &'static str {
        if self.lang == "en" { "en" } else { "fr" }
    }
}

/// Whether a platform's `email` claim reads as one (what OB 2.0 hashes).
fn is_email(text: &str) -> bool {
    text.len() <= 254
        && text.split_once('@').is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Remembers the link (its session, grade and roster services) and hands
/// the person over to the web client in `room`.
async fn enter(
    app: &AppState,
    platform: &PlatformRecord,
    link: &LaunchedLink,
    room: Uuid,
    template: Option<Uuid>,
) -> Result<Response, LtiError> {
    let record = LinkRecord {
        platform_id: platform.id.clone(),
        deployment_id: link.deployment_id.clone(),
        resource_link_id: link.resource_link_id.clone(),
        context_id: link.context_id.clone(),
        title: link.title.clone().unwrap_or_else(|| "amphi".into()),
        room_id: room,
        template_room: template,
        lineitem_url: link.lineitem_url.clone(),
        lineitems_url: link.lineitems_url.clone(),
        memberships_url: link.memberships_url.clone(),
        updated_at: now_ms(),
    };
    app.store.upsert_lti_link(&record).await.map_err(LtiError::internal)?;
    let claims = member_claims(app, platform, link, room);
    if let Some(email) = &link.email {
        app.store.remember_email(&claims.tenant, &claims.sub, email, now_ms()).await.map_err(LtiError::internal)?;
    }
    let profile = [(claims.sub.clone(), link.profile())];
    app.store.record_profiles(&claims.tenant, &profile, now_ms()).await.map_err(LtiError::internal)?;
    Ok(hand_over(&app.keys.sign(&claims), room, link.lang(), link.return_url.as_deref()))
}

/// A trainer's choice for a link that had no activity: the activity becomes
/// the link's, its first session starts, and the trainer enters its console.
pub async fn bind(
    app: &AppState,
    platform: &PlatformRecord,
    link: &LaunchedLink,
    template: Uuid,
) -> Result<Response, LtiError> {
    let member = member_id(&platform.id, &link.sub);
    let session = new_session(app, platform, template, link.title.as_deref(), &member)
        .await
        .map_err(|e| e.in_lang(link.lang()))?;
    enter(app, platform, link, session, Some(template)).await
}

/// A new session of `template` (same kind and definition) in the
/// platform's tenant.
pub async fn new_session(
    app: &AppState,
    platform: &PlatformRecord,
    template: Uuid,
    title: Option<&str>,
    created_by: &str,
) -> Result<Uuid, LtiError> {
    let record = app
        .store
        .room(template)
        .await
        .map_err(LtiError::internal)?
        .filter(|r| r.tenant == platform.tenant)
        .ok_or_else(|| {
            LtiError::new(StatusCode::CONFLICT, "lti_not_ready", "the activity of this link no longer exists")
        })?;
    let title = title.unwrap_or(&record.title);
    let title: String = title.chars().take(app.config.limits.max_title_chars).collect();
    let handle = app
        .hub
        .create_room(&record.tenant, &title, created_by, record.kind, record.activity.clone())
        .await
        .map_err(LtiError::internal)?;
    Ok(handle.id())
}

/// The amphi claims of a launched person: leaders lead in their tenant,
/// others are scoped to the session.
fn member_claims(app: &AppState, platform: &PlatformRecord, link: &LaunchedLink, room: Uuid) -> Claims {
    let role = link.role;
    let fallback = match role {
        Role::Participant => "Participant",
        Role::Observer => "Observateur",
        _ => "Formateur",
    };
    let name: String = link
        .name
        .clone()
        .unwrap_or_else(|| fallback.to_string())
        .chars()
        .take(app.config.limits.max_name_chars)
        .collect();
    let now = unix_seconds();
    Claims {
        sub: member_id(&platform.id, &link.sub),
        name,
        tenant: platform.tenant.clone(),
        role,
        exp: now + app.config.auth.token_ttl_hours * 3600,
        iat: now,
        room: (!role.leads()).then_some(room),
        guest: false,
    }
}

/// Sends the browser to the web client's entry route, the token in the
/// fragment (never sent to a server, never in a log).
pub fn hand_over(token: &str, room: Uuid, lang: &str, return_url: Option<&str>) -> Response {
    let mut fragment = url::form_urlencoded::Serializer::new(String::new());
    fragment.append_pair("room", &room.to_string()).append_pair("token", token).append_pair("lang", lang);
    if let Some(url) = return_url.filter(|u| u.starts_with("https://") || u.starts_with("http://")) {
        fragment.append_pair("return", url);
    }
    let location = format!("{ENTRY_PATH}#{}", fragment.finish());
    (StatusCode::SEE_OTHER, [(header::LOCATION, location), (header::CACHE_CONTROL, "no-store".into())]).into_response()
}

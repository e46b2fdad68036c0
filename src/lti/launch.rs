//! A resource link launch, once verified: the person becomes a stable member
//! (`lti:<platform>:<sub>`, the platform's name, the role its LIS roles map
//! to, the platform's tenant), the link finds its session (on its first
//! launch, a copy of the activity chosen through Deep Linking), the link's
//! grade and roster services are remembered, and the browser is handed to
//! the web client with an amphi token in the address's fragment.

use amphi_protocol::Role;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::claims::{IdToken, role_of};
use super::{LtiError, member_id, now_ms};
use crate::app::AppState;
use crate::auth::{Claims, unix_seconds};
use crate::store::{LinkRecord, PlatformRecord};

/// The custom parameter naming the activity a link was made for (set by
/// amphi's Deep Linking response).
pub const ACTIVITY_PARAMETER: &str = "amphi_activity";

/// The web client's entry route for a launched member.
pub const ENTRY_PATH: &str = "/entrer";

pub async fn resource_link(app: &AppState, platform: &PlatformRecord, token: IdToken) -> Result<Response, LtiError> {
    let lang = token.lang();
    let fail = |e: LtiError| e.in_lang(lang);
    let role = role_of(token.roles.as_deref().unwrap_or_default());
    let link_claim =
        token.resource_link.clone().ok_or_else(|| fail(LtiError::bad("lti_missing_claim", "no resource_link")))?;
    let deployment = token.deployment_id.clone().unwrap_or_default();
    let existing = app.store.lti_link(&platform.id, &deployment, &link_claim.id).await.map_err(LtiError::internal)?;
    let title = link_claim.title.clone().filter(|t| !t.trim().is_empty());
    let (room, template) = match &existing {
        Some(link) if app.store.room(link.room_id).await.map_err(LtiError::internal)?.is_some() => {
            (link.room_id, link.template_room)
        }
        _ => {
            let template = token
                .custom(ACTIVITY_PARAMETER)
                .and_then(|id| Uuid::parse_str(&id).ok())
                .or(existing.as_ref().and_then(|l| l.template_room))
                .ok_or_else(|| fail(LtiError::new(StatusCode::CONFLICT, "lti_not_ready", not_ready_detail(role))))?;
            let session = new_session(
                app,
                platform,
                template,
                title.as_deref(),
                &member_id(&platform.id, token.sub.as_deref().unwrap_or_default()),
            )
            .await
            .map_err(fail)?;
            (session, Some(template))
        }
    };
    let ags = token.ags.clone().unwrap_or_default();
    let link = LinkRecord {
        platform_id: platform.id.clone(),
        deployment_id: deployment,
        resource_link_id: link_claim.id.clone(),
        context_id: token.context.clone().unwrap_or_default().id,
        title: title.unwrap_or_else(|| "amphi".into()),
        room_id: room,
        template_room: template,
        lineitem_url: ags.lineitem.clone().or(existing.as_ref().and_then(|l| l.lineitem_url.clone())),
        lineitems_url: ags.lineitems.clone(),
        memberships_url: token.names_roles.as_ref().map(|n| n.context_memberships_url.clone()),
        updated_at: now_ms(),
    };
    app.store.upsert_lti_link(&link).await.map_err(LtiError::internal)?;
    let claims = member_claims(app, platform, &token, role, room);
    let return_url = token.launch_presentation.as_ref().and_then(|p| p.return_url.clone());
    Ok(hand_over(&app.keys.sign(&claims), room, lang, return_url.as_deref()))
}

fn not_ready_detail(role: Role) -> &'static str {
    if role.leads() {
        "this link names no amphi activity: add amphi to the course from the activity chooser (Deep Linking)"
    } else {
        "this link names no amphi activity yet"
    }
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
        .create_room(&record.tenant, &title, created_by, &record.kind, record.activity.clone())
        .await
        .map_err(LtiError::internal)?;
    Ok(handle.id())
}

/// The amphi claims of a launched person: leaders lead in their tenant,
/// others are scoped to the session.
pub fn member_claims(app: &AppState, platform: &PlatformRecord, token: &IdToken, role: Role, room: Uuid) -> Claims {
    let fallback = match role {
        Role::Participant => "Participant",
        Role::Observer => "Observateur",
        _ => "Formateur",
    };
    let name: String = token
        .display_name()
        .unwrap_or_else(|| fallback.to_string())
        .chars()
        .take(app.config.limits.max_name_chars)
        .collect();
    let now = unix_seconds();
    Claims {
        sub: member_id(&platform.id, token.sub.as_deref().unwrap_or_default()),
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

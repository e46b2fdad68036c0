//! Deep Linking: a trainer adding amphi from Moodle's activity chooser gets
//! a picker (in their language) to create a quiz (a GIFT, Moodle XML or JSON
//! file), a board or ateliers (from a saved plan), or to pick an activity
//! they made before, or to copy an item of the shared library
//! (`library_pick.rs`); amphi answers the platform with a signed
//! `LtiDeepLinkingResponse` holding one `ltiResourceLink` (its `lineItem`
//! and the custom parameter naming the activity).
//!
//! The same picker sets up a launched link that names no activity: the
//! trainer's choice becomes the link's activity (no answer to the platform,
//! the trainer enters the new session's console).
//!
//! Between the picker and the answer, the request's context travels in a
//! token signed with the tool's key (valid one hour): a tampered or expired
//! one is refused with `lti_bad_deep_link`.

use amphi_protocol::RoomKind;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::claims::{IdToken, role_of};
use super::launch::{ACTIVITY_PARAMETER, LaunchedLink};
use super::pages::{escape, page, self_posting_form};
use super::{LtiError, member_id, public_url};
use crate::app::AppState;
use crate::store::PlatformRecord;

/// How long the picker may stay open.
const CONTEXT_TTL_SECONDS: u64 = 3600;
/// The `typ` of a picker context token, so no other token passes for one.
const CONTEXT_TYPE: &str = "amphi-lti-deep-link";

/// What the picker needs to answer the platform, signed by the tool.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct PickerContext {
    typ: String,
    platform: String,
    deployment: String,
    return_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<String>,
    pub(super) member: String,
    pub(super) tenant: String,
    pub(super) lang: String,
    pub(super) exp: u64,
    iat: u64,
    /// Set when the picker sets up a launched link rather than answering
    /// a Deep Linking request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) link: Option<LaunchedLink>,
}

/// The picker page for a verified `LtiDeepLinkingRequest`.
pub async fn picker(app: &AppState, platform: &PlatformRecord, token: IdToken) -> Result<Response, LtiError> {
    let lang = token.lang();
    let role = role_of(token.roles.as_deref().unwrap_or_default());
    if !role.leads() {
        return Err(LtiError::new(StatusCode::FORBIDDEN, "forbidden", "only trainers add activities").in_lang(lang));
    }
    let settings = token.deep_linking.clone().unwrap_or_default();
    if !settings.accept_types.is_empty() && !settings.accept_types.iter().any(|t| t == "ltiResourceLink") {
        return Err(
            LtiError::bad("lti_bad_message", "the platform does not accept ltiResourceLink items").in_lang(lang)
        );
    }
    let mut context = PickerContext::new(
        platform,
        token.deployment_id.clone().unwrap_or_default(),
        token.sub.as_deref().unwrap_or_default(),
        lang,
    );
    context.return_url = settings.deep_link_return_url.clone();
    context.data = settings.data.clone();
    show_picker(app, context).await
}

/// The picker for a trainer's launch of a link that names no activity.
pub async fn link_picker(app: &AppState, platform: &PlatformRecord, link: LaunchedLink) -> Result<Response, LtiError> {
    let mut context = PickerContext::new(platform, link.deployment_id.clone(), &link.sub, &link.lang);
    context.link = Some(link);
    show_picker(app, context).await
}

impl PickerContext {
    /// A context valid [`CONTEXT_TTL_SECONDS`] from now, answering nothing
    /// to the platform and setting up no link until told.
    fn new(platform: &PlatformRecord, deployment: String, sub: &str, lang: &str) -> PickerContext {
        let now = crate::auth::unix_seconds();
        PickerContext {
            typ: CONTEXT_TYPE.into(),
            platform: platform.id.clone(),
            deployment,
            return_url: String::new(),
            data: None,
            member: member_id(&platform.id, sub),
            tenant: platform.tenant.clone(),
            lang: lang.into(),
            exp: now + CONTEXT_TTL_SECONDS,
            iat: now,
            link: None,
        }
    }
}

/// Signs `context` and shows the picker carrying it.
async fn show_picker(app: &AppState, context: PickerContext) -> Result<Response, LtiError> {
    let signed = app.lti.keys.sign(&context).await.map_err(LtiError::internal)?;
    picker_page(app, &context, &signed, "").await
}

/// The picker: the trainer's activities, the forms that make new ones, and
/// the shared library (what `library_q` finds there; newest first when
/// empty).
pub(super) async fn picker_page(
    app: &AppState,
    context: &PickerContext,
    signed: &str,
    library_q: &str,
) -> Result<Response, LtiError> {
    let en = context.lang == "en";
    let tr = |fr: &'static str, english: &'static str| if en { english } else { fr };
    let ctx = format!("<input type=\"hidden\" name=\"ctx\" value=\"{}\">", escape(signed));
    let sets_up_link = context.link.is_some();
    let heading = if sets_up_link {
        tr("Choisir l’activité amphi de ce lien", "Choose this link’s amphi activity")
    } else {
        tr("Ajouter une activité amphi", "Add an amphi activity")
    };
    let (add, create_and_add) = if sets_up_link {
        (tr("Ouvrir cette activité", "Open this activity"), tr("Créer et ouvrir", "Create and open"))
    } else {
        (tr("Ajouter au cours", "Add to the course"), tr("Créer et ajouter au cours", "Create and add to the course"))
    };
    let mut body = format!("<h1>{heading}</h1>");
    if sets_up_link {
        body.push_str(&format!(
            "<p>{}</p>",
            tr(
                "Ce lien Moodle ne désigne pas encore d’activité amphi\u{a0}: choisissez-la une fois pour toutes, les participants y arriveront ensuite directement.",
                "This Moodle link names no amphi activity yet: choose it once, participants will then land in it directly.",
            )
        ));
    }

    let made = app.store.lti_activities_of(&context.tenant, &context.member).await.map_err(LtiError::internal)?;
    body.push_str(&format!("<h2>{}</h2>", tr("Vos activités", "Your activities")));
    if made.is_empty() {
        body.push_str(&format!("<p class=\"small\">{}</p>", tr("Aucune pour l’instant.", "None yet.")));
    } else {
        body.push_str(&format!(
            "<form method=\"post\" action=\"/lti/deep-link\">{ctx}<fieldset><legend>{}</legend><ul class=\"choices\">",
            tr("Choisissez une activité", "Choose an activity")
        ));
        for (index, room) in made.iter().enumerate() {
            body.push_str(&format!(
                "<li><input type=\"radio\" name=\"room\" id=\"r{index}\" value=\"{}\"{}><label for=\"r{index}\" style=\"display:inline\">{} ({})</label></li>",
                room.id,
                if index == 0 { " checked" } else { "" },
                escape(&room.title),
                kind_label(room.kind, en),
            ));
        }
        body.push_str(&format!("</ul></fieldset><button type=\"submit\">{add}</button></form>"));
    }

    body.push_str(&format!(
        "<h2>{}</h2><form method=\"post\" action=\"/lti/deep-link/create\" enctype=\"multipart/form-data\">{ctx}\
         <input type=\"hidden\" name=\"kind\" value=\"quiz\"><label for=\"qt\">{}</label><input type=\"text\" id=\"qt\" name=\"title\" required maxlength=\"200\">\
         <label for=\"qf\">{}</label><input type=\"file\" id=\"qf\" name=\"file\" required accept=\".gift,.txt,.xml,.json\">\
         <p class=\"small\">{}</p><button type=\"submit\">{}</button></form>",
        tr("Nouveau test interactif", "New interactive test"),
        tr("Titre", "Title"),
        tr("Fichier de questions (GIFT, Moodle XML ou JSON)", "Questions file (GIFT, Moodle XML or JSON)"),
        tr("Les questions qu’amphi ne sait pas poser sont signalées.", "Questions amphi cannot ask are listed."),
        create_and_add,
    ));
    body.push_str(&format!(
        "<h2>{}</h2><form method=\"post\" action=\"/lti/deep-link/create\" enctype=\"multipart/form-data\">{ctx}\
         <input type=\"hidden\" name=\"kind\" value=\"board\"><label for=\"bt\">{}</label><input type=\"text\" id=\"bt\" name=\"title\" required maxlength=\"200\">\
         <button type=\"submit\">{}</button></form>",
        tr("Nouveau mur collaboratif", "New board"),
        tr("Titre", "Title"),
        create_and_add,
    ));
    let plans = app.store.plans(&context.tenant).await.map_err(LtiError::internal)?;
    body.push_str(&format!("<h2>{}</h2>", tr("Nouveaux ateliers", "New ateliers")));
    if plans.is_empty() {
        body.push_str(&format!(
            "<p class=\"small\">{}</p>",
            tr("Préparez d’abord un plan d’ateliers dans amphi.", "Prepare a plan of ateliers in amphi first.")
        ));
    } else {
        let options: String =
            plans.iter().map(|p| format!("<option value=\"{}\">{}</option>", p.id, escape(&p.title))).collect();
        body.push_str(&format!(
            "<form method=\"post\" action=\"/lti/deep-link/create\" enctype=\"multipart/form-data\">{ctx}\
             <input type=\"hidden\" name=\"kind\" value=\"breakout\"><label for=\"at\">{}</label><input type=\"text\" id=\"at\" name=\"title\" required maxlength=\"200\">\
             <label for=\"ap\">{}</label><select id=\"ap\" name=\"plan\">{options}</select><button type=\"submit\">{}</button></form>",
            tr("Titre", "Title"),
            tr("Plan d’ateliers", "Plan of ateliers"),
            create_and_add,
        ));
    }
    body.push_str(&super::library_pick::section(app, context, &ctx, library_q).await?);
    Ok(page(&context.lang, heading, &body, None, ""))
}

fn kind_label(kind: RoomKind, en: bool) -> &'static str {
    match (kind, en) {
        (RoomKind::Quiz, false) => "test interactif",
        (RoomKind::Quiz, true) => "interactive test",
        (RoomKind::Board, false) => "mur",
        (RoomKind::Board, true) => "board",
        (RoomKind::Breakout, _) => "ateliers",
        (RoomKind::Lobby, false) => "salle",
        (RoomKind::Lobby, true) => "room",
    }
}

pub(super) async fn context_of(app: &AppState, signed: &str) -> Result<(PickerContext, PlatformRecord), LtiError> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_required_spec_claims(&["exp"]);
    validation.validate_aud = false;
    let context: PickerContext =
        app.lti.keys.verify(signed, &validation).await.map_err(|e| LtiError::bad("lti_bad_deep_link", e))?;
    if context.typ != CONTEXT_TYPE {
        return Err(LtiError::bad("lti_bad_deep_link", "not a picker context"));
    }
    let lang = if context.lang == "en" { "en" } else { "fr" };
    let platform = app
        .store
        .lti_platform(&context.platform)
        .await
        .map_err(LtiError::internal)?
        .filter(|p| p.tenant == context.tenant)
        .ok_or_else(|| LtiError::bad("lti_unknown_platform", "the platform was removed").in_lang(lang))?;
    Ok((context, platform))
}

#[derive(Deserialize)]
pub struct Choice {
    #[serde(default)]
    ctx: String,
    #[serde(default)]
    room: String,
}

/// `POST /lti/deep-link`: an activity made before, picked.
pub async fn respond(
    State(app): State<AppState>,
    headers: HeaderMap,
    Form(choice): Form<Choice>,
) -> Result<Response, LtiError> {
    let (context, platform) = context_of(&app, &choice.ctx).await?;
    let lang = if context.lang == "en" { "en" } else { "fr" };
    let room = Uuid::parse_str(&choice.room)
        .ok()
        .ok_or_else(|| LtiError::bad("lti_bad_request", "choose an activity").in_lang(lang))?;
    let record = app
        .store
        .room(room)
        .await
        .map_err(LtiError::internal)?
        .filter(|r| r.tenant == context.tenant)
        .ok_or_else(|| LtiError::bad("lti_bad_request", "no such activity").in_lang(lang))?;
    finish(&app, &headers, &context, &platform, record.id, &record.title).await
}

/// `POST /lti/deep-link/create` (multipart): a new quiz, board or ateliers.
pub async fn create(
    State(app): State<AppState>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Result<Response, LtiError> {
    let mut fields = std::collections::HashMap::new();
    let mut file: Option<(Option<String>, Vec<u8>)> = None;
    while let Some(field) = form.next_field().await.map_err(|e| LtiError::bad("lti_bad_request", e.body_text()))? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().map(String::from);
            let bytes = field.bytes().await.map_err(|e| LtiError::bad("lti_bad_request", e.body_text()))?;
            file = Some((file_name, bytes.to_vec()));
        } else {
            let text = field.text().await.map_err(|e| LtiError::bad("lti_bad_request", e.body_text()))?;
            fields.insert(name, text);
        }
    }
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    let (context, platform) = context_of(&app, field("ctx")).await?;
    let lang = if context.lang == "en" { "en" } else { "fr" };
    let bad = |detail: String| LtiError::bad("lti_bad_request", detail).in_lang(lang);
    let title = field("title").trim().to_string();
    let max = app.config.limits.max_title_chars;
    if title.is_empty() || title.chars().count() > max {
        return Err(bad(format!("the title must have 1 to {max} characters")));
    }
    // A picker offers an activity: a lobby is not one.
    let unknown = || bad(format!("unknown kind {:?}", field("kind")));
    let kind = field("kind").parse::<RoomKind>().map_err(|_| unknown())?;
    let (kind, activity) = match kind {
        RoomKind::Quiz => {
            let (file_name, bytes) =
                file.filter(|(_, b)| !b.is_empty()).ok_or_else(|| bad("choose a questions file".into()))?;
            let text = String::from_utf8(bytes).map_err(|_| bad("the file is not UTF-8 text".into()))?;
            let format = crate::quiz::ImportFormat::guess(file_name.as_deref(), &text);
            let imported =
                crate::quiz::import(&text, format).map_err(|e| bad(format!("{format} import failed: {e}")))?;
            let quiz = serde_json::to_value(&imported.quiz).map_err(LtiError::internal)?;
            (kind, crate::api::quiz_definition(Some(quiz), None).map_err(|e| bad(e.message))?)
        }
        RoomKind::Board => (kind, crate::api::board_definition(&title, None).map_err(|e| bad(e.message))?),
        RoomKind::Breakout => {
            let plan = Uuid::parse_str(field("plan")).map_err(|_| bad("choose a plan".into()))?;
            let plan = app
                .store
                .plan(&context.tenant, plan)
                .await
                .map_err(LtiError::internal)?
                .ok_or_else(|| bad("no such plan".into()))?;
            let definition = serde_json::from_str(&plan.definition).map_err(LtiError::internal)?;
            (kind, crate::api::breakout_definition(&title, Some(definition)).map_err(|e| bad(e.message))?)
        }
        RoomKind::Lobby => return Err(unknown()),
    };
    let handle = app
        .hub
        .create_room(&context.tenant, &title, &context.member, kind, Some(activity))
        .await
        .map_err(LtiError::internal)?;
    finish(&app, &headers, &context, &platform, handle.id(), &title).await
}

/// The chosen activity goes to the platform (Deep Linking) or becomes the
/// launched link's.
pub(super) async fn finish(
    app: &AppState,
    headers: &HeaderMap,
    context: &PickerContext,
    platform: &PlatformRecord,
    activity: Uuid,
    title: &str,
) -> Result<Response, LtiError> {
    match &context.link {
        Some(link) => super::launch::bind(app, platform, link, activity).await,
        None => answer_platform(app, headers, context, platform, activity, title).await,
    }
}

/// The signed `LtiDeepLinkingResponse`, posted by the browser to the
/// platform's `deep_link_return_url`.
async fn answer_platform(
    app: &AppState,
    headers: &HeaderMap,
    context: &PickerContext,
    platform: &PlatformRecord,
    activity: Uuid,
    title: &str,
) -> Result<Response, LtiError> {
    let now = crate::auth::unix_seconds();
    let mut claims = json!({
        "iss": platform.client_id,
        "aud": platform.issuer,
        "iat": now,
        "exp": now + 300,
        "nonce": Uuid::new_v4().simple().to_string(),
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": context.deployment,
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingResponse",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": [{
            "type": "ltiResourceLink",
            "title": title,
            "url": format!("{}/lti/launch", public_url(app, headers)),
            "custom": { ACTIVITY_PARAMETER: activity.to_string() },
            "lineItem": { "scoreMaximum": 100, "label": title, "resourceId": activity.to_string(), "tag": "amphi" },
        }],
    });
    if let Some(data) = &context.data {
        claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] = json!(data);
    }
    let jwt = app.lti.keys.sign(&claims).await.map_err(LtiError::internal)?;
    let lang = if context.lang == "en" { "en" } else { "fr" };
    let title = if lang == "en" { "Back to the course" } else { "Retour au cours" };
    Ok(self_posting_form(lang, title, &context.return_url, &[("JWT", &jwt)]))
}

//! The shared library in Moodle's activity picker: the picker lists the
//! library items the trainer's tenant sees (national ones and its
//! académie's, newest first, or those a search finds), and picking one makes
//! a copy in the trainer's tenant through the REST API's own path (a quiz or
//! board room; for an ateliers plan, the plan copied and an ateliers room
//! made of it), recorded as a library copy; the deep link (or the launched
//! link) then names the copy, never the item. Refusals are counted in
//! `amphi_abuse_total{kind="lti_library"}`.

use amphi_protocol::{Role, RoomKind};
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::LtiError;
use super::deep_linking::{PickerContext, context_of, finish, picker_page};
use super::pages::escape;
use crate::app::AppState;
use crate::auth::Member;
use crate::store::{LibraryItem, LibraryKind, LibraryQuery};

/// Items listed in the picker.
pub const PICKER_ITEMS: u32 = 15;
/// Most characters of a search typed in the picker.
const MAX_QUERY_CHARS: usize = 200;

/// The trainer the picker's context names, as a member of its tenant.
fn member_of(context: &PickerContext) -> Member {
    Member {
        id: context.member.clone(),
        name: String::new(),
        role: Role::Trainer,
        tenant: context.tenant.clone(),
        room_scope: None,
        guest: false,
        expires_at: Some(context.exp),
    }
}

fn lang_of(context: &PickerContext) -> &'static str {
    if context.lang == "en" { "en" } else { "fr" }
}

/// The picker's library section: a search form and the items found, each a
/// choice of the form that copies it.
pub(super) async fn section(app: &AppState, context: &PickerContext, ctx: &str, q: &str) -> Result<String, LtiError> {
    let en = context.lang == "en";
    let tr = |fr: &'static str, english: &'static str| if en { english } else { fr };
    let mut prefixes = crate::text_fold::terms(q);
    prefixes.truncate(crate::api::LIBRARY_MAX_QUERY_TERMS);
    let query =
        LibraryQuery { tenant: context.tenant.clone(), prefixes, limit: PICKER_ITEMS, ..LibraryQuery::default() };
    let items = app.store.search_library(&query).await.map_err(LtiError::internal)?;
    let mut body = format!(
        "<h2>{}</h2><form method=\"post\" action=\"/lti/deep-link/library/search\">{ctx}\
         <label for=\"lq\">{}</label><input type=\"search\" id=\"lq\" name=\"q\" maxlength=\"{MAX_QUERY_CHARS}\" value=\"{}\">\
         <button type=\"submit\">{}</button></form>",
        tr("Depuis la bibliothèque partagée", "From the shared library"),
        tr("Rechercher dans la bibliothèque", "Search the library"),
        escape(q),
        tr("Rechercher", "Search"),
    );
    if items.is_empty() {
        body.push_str(&format!("<p class=\"small\">{}</p>", tr("Aucun contenu trouvé.", "No item found.")));
        return Ok(body);
    }
    body.push_str(&format!(
        "<form method=\"post\" action=\"/lti/deep-link/library\">{ctx}<fieldset><legend>{}</legend><ul class=\"choices\">",
        tr("Choisissez un contenu à copier", "Choose an item to copy")
    ));
    for (index, item) in items.iter().enumerate() {
        body.push_str(&format!(
            "<li><input type=\"radio\" name=\"item\" id=\"l{index}\" value=\"{}\"{}><label for=\"l{index}\" style=\"display:inline\">{} ({}, {})</label></li>",
            item.id,
            if index == 0 { " checked" } else { "" },
            escape(&item.meta.title),
            kind_label(item.kind, en),
            escape(origin(item)),
        ));
    }
    let add = if context.link.is_some() {
        tr("Copier et ouvrir", "Copy and open")
    } else {
        tr("Copier et ajouter au cours", "Copy and add to the course")
    };
    body.push_str(&format!(
        "</ul></fieldset><p class=\"small\">{}</p><button type=\"submit\">{add}</button></form>",
        tr(
            "Une copie est faite dans votre académie\u{a0}: le cours désigne votre copie.",
            "A copy is made in your académie: the course names your copy.",
        )
    ));
    Ok(body)
}

fn kind_label(kind: LibraryKind, en: bool) -> &'static str {
    match (kind, en) {
        (LibraryKind::Quiz, false) => "test interactif",
        (LibraryKind::Quiz, true) => "interactive test",
        (LibraryKind::Board, false) => "mur",
        (LibraryKind::Board, true) => "board",
        (LibraryKind::Plan, _) => "ateliers",
    }
}

/// Where an item comes from: "national", or its académie.
fn origin(item: &LibraryItem) -> &str {
    if item.is_national() { "national" } else { &item.tenant }
}

#[derive(Deserialize)]
pub struct LibrarySearch {
    #[serde(default)]
    ctx: String,
    #[serde(default)]
    q: String,
}

/// `POST /lti/deep-link/library/search`: the picker again, its library
/// section showing what `q` finds.
pub async fn search(State(app): State<AppState>, Form(form): Form<LibrarySearch>) -> Result<Response, LtiError> {
    counted(&app, search_inner(&app, form).await)
}

/// Counts a refused picker request in `amphi_abuse_total{kind="lti_library"}`.
fn counted(app: &AppState, result: Result<Response, LtiError>) -> Result<Response, LtiError> {
    if result.as_ref().is_err_and(|error| error.status.is_client_error()) {
        app.metrics.abuse.with_label_values(&["lti_library"]).inc();
    }
    result
}

async fn search_inner(app: &AppState, form: LibrarySearch) -> Result<Response, LtiError> {
    let (context, _) = context_of(app, &form.ctx).await?;
    if form.q.chars().count() > MAX_QUERY_CHARS {
        return Err(LtiError::bad("lti_bad_request", format!("a search has at most {MAX_QUERY_CHARS} characters"))
            .in_lang(lang_of(&context)));
    }
    picker_page(app, &context, &form.ctx, form.q.trim()).await
}

#[derive(Deserialize)]
pub struct LibraryChoice {
    #[serde(default)]
    ctx: String,
    #[serde(default)]
    item: String,
}

/// `POST /lti/deep-link/library`: the chosen item copied into the
/// trainer's tenant; the copy goes to the platform (or becomes the
/// launched link's activity).
pub async fn pick(
    State(app): State<AppState>,
    headers: HeaderMap,
    Form(choice): Form<LibraryChoice>,
) -> Result<Response, LtiError> {
    counted(&app, pick_inner(&app, &headers, choice).await)
}

async fn pick_inner(app: &AppState, headers: &HeaderMap, choice: LibraryChoice) -> Result<Response, LtiError> {
    let (context, platform) = context_of(app, &choice.ctx).await?;
    let lang = lang_of(&context);
    let member = member_of(&context);
    let refused = |error: crate::api::ApiError| {
        let status =
            if error.status.is_server_error() { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::BAD_REQUEST };
        LtiError::new(status, "lti_bad_request", error.message).in_lang(lang)
    };
    let (item, copy, _) = crate::api::make_library_copy(app, &member, choice.item.trim()).await.map_err(refused)?;
    let (room, title) = match item.kind {
        LibraryKind::Quiz | LibraryKind::Board => {
            (Uuid::parse_str(&copy.target).map_err(LtiError::internal)?, item.meta.title.clone())
        }
        LibraryKind::Plan => {
            // A course links to a room: ateliers made of the copied plan.
            let plan_id = Uuid::parse_str(&copy.target).map_err(LtiError::internal)?;
            let plan = app
                .store
                .plan(&context.tenant, plan_id)
                .await
                .map_err(LtiError::internal)?
                .ok_or_else(|| LtiError::internal("the copied plan vanished"))?;
            let definition = serde_json::from_str(&plan.definition).map_err(LtiError::internal)?;
            let activity = crate::api::breakout_definition(&item.meta.title, Some(definition)).map_err(refused)?;
            let handle = app
                .hub
                .create_room(&context.tenant, &item.meta.title, &context.member, RoomKind::Breakout, Some(activity))
                .await
                .map_err(LtiError::internal)?;
            (handle.id(), item.meta.title.clone())
        }
    };
    finish(app, headers, &context, &platform, room, &title).await
}

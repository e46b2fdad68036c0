//! The HTML pages of the LTI flows, in French (default) or English: a
//! refusal's page (its stable code, what to do), the hand-over into the web
//! client, and the self-submitting forms that carry a message back to the
//! platform. Every text is escaped; each page carries its own Content
//! Security Policy (one script nonce, no outside resource).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A refused LTI request: its status, stable code and detail, shown as a page.
#[derive(Debug, Clone)]
pub struct LtiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub lang: &'static str,
}

impl LtiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> LtiError {
        LtiError { status, code, detail: detail.into(), lang: "fr" }
    }

    pub fn bad(code: &'static str, detail: impl Into<String>) -> LtiError {
        LtiError::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn internal(error: impl std::fmt::Display) -> LtiError {
        tracing::error!(%error, "LTI request failed");
        LtiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
    }

    pub fn in_lang(mut self, lang: &'static str) -> LtiError {
        self.lang = lang;
        self
    }
}

/// What a person reads for each code: (French, English).
fn explanation(code: &str) -> (&'static str, &'static str) {
    match code {
        "lti_bad_request" => ("La demande de connexion est incomplète.", "The launch request is incomplete."),
        "lti_unknown_platform" => (
            "Cette plateforme n’est pas enregistrée auprès d’amphi\u{a0}: demandez à l’administrateur de l’installer.",
            "This platform is not registered with amphi: ask your administrator to install it.",
        ),
        "lti_bad_state" => (
            "Cette connexion ne correspond à aucune demande en cours\u{a0}: relancez l’activité depuis Moodle.",
            "This launch matches no login in progress: open the activity from Moodle again.",
        ),
        "lti_replayed" => (
            "Cette connexion a déjà servi\u{a0}: relancez l’activité depuis Moodle.",
            "This launch was already used: open the activity from Moodle again.",
        ),
        "lti_login_expired" => (
            "La demande de connexion a expiré\u{a0}: relancez l’activité depuis Moodle.",
            "The login has expired: open the activity from Moodle again.",
        ),
        "lti_bad_signature" => (
            "La signature de la plateforme n’a pas pu être vérifiée.",
            "The platform’s signature could not be verified.",
        ),
        "lti_wrong_issuer" | "lti_wrong_audience" => (
            "Ce lancement ne vient pas de la plateforme attendue ou n’est pas destiné à amphi.",
            "This launch does not come from the expected platform or is not meant for amphi.",
        ),
        "lti_bad_time" => (
            "Ce lancement n’est pas dans sa période de validité (vérifiez l’horloge de la plateforme).",
            "This launch is outside its validity period (check the platform’s clock).",
        ),
        "lti_bad_nonce" => {
            ("Ce lancement ne correspond pas à la demande de connexion.", "This launch does not match its login.")
        }
        "lti_unknown_deployment" => (
            "Ce déploiement de l’outil n’est pas enregistré auprès d’amphi.",
            "This deployment of the tool is not registered with amphi.",
        ),
        "lti_bad_message" => {
            ("Ce type de lancement n’est pas pris en charge.", "This kind of launch is not supported.")
        }
        "lti_missing_claim" => {
            ("Il manque au lancement une information nécessaire.", "The launch lacks a required piece of information.")
        }
        "lti_keyset_unavailable" => (
            "Les clés de la plateforme sont injoignables pour le moment\u{a0}: réessayez dans un instant.",
            "The platform’s keys cannot be reached right now: try again in a moment.",
        ),
        "lti_not_ready" => (
            "Cette activité n’a pas encore été préparée par votre formateur ou votre formatrice.",
            "This activity has not been set up by your trainer yet.",
        ),
        "lti_bad_deep_link" => (
            "Ce choix d’activité n’est pas valide ou a expiré\u{a0}: rouvrez le sélecteur depuis Moodle.",
            "This choice is not valid or has expired: open the picker from Moodle again.",
        ),
        "lti_registration_refused" => {
            ("L’enregistrement de l’outil n’a pas pu se faire.", "The tool could not be registered.")
        }
        "forbidden" => ("Cette action est réservée aux formateurs.", "Only trainers may do this."),
        _ => ("Une erreur inattendue s’est produite.", "Something unexpected went wrong."),
    }
}

impl IntoResponse for LtiError {
    fn into_response(self) -> Response {
        let (fr, en) = explanation(self.code);
        let (title, text, code_label, detail_label) = if self.lang == "en" {
            ("amphi cannot open this activity", en, "Code", "Detail")
        } else {
            ("amphi ne peut pas ouvrir cette activité", fr, "Code", "Détail")
        };
        let body = format!(
            "<h1>{}</h1><p>{}</p><p class=\"small\">{}\u{a0}: <code>{}</code> — {}\u{a0}: {}</p>",
            escape(title),
            escape(text),
            code_label,
            escape(self.code),
            detail_label,
            escape(&self.detail)
        );
        let mut response = page(self.lang, title, &body, None, "").into_response();
        *response.status_mut() = self.status;
        if let Ok(value) = HeaderValue::from_str(self.code) {
            response.headers_mut().insert("x-amphi-error", value);
        }
        response
    }
}

/// HTML-escapes text for element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A complete page. `script` runs with the page's nonce; `form_action` is
/// the origin forms may post to (besides amphi itself).
pub fn page(lang: &str, title: &str, body: &str, script: Option<&str>, form_action: &str) -> Response {
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let script = script.map(|s| format!("<script nonce=\"{nonce}\">{s}</script>")).unwrap_or_default();
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} — amphi</title>\
         <style nonce=\"{nonce}\">{STYLE}</style></head><body><main>{body}</main>{script}</body></html>",
        title = escape(title),
    );
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; img-src 'self' data:; \
         form-action 'self' {form_action}; base-uri 'none'"
    );
    let mut response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    if let Ok(value) = HeaderValue::from_str(&csp) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A form that posts itself to `action` (with a button, for browsers
/// without scripts).
pub fn self_posting_form(lang: &str, title: &str, action: &str, fields: &[(&str, &str)]) -> Response {
    let inputs: String = fields
        .iter()
        .map(|(name, value)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", escape(name), escape(value)))
        .collect();
    let button = if lang == "en" { "Continue" } else { "Continuer" };
    let body = format!(
        "<h1>{}</h1><form id=\"f\" method=\"post\" action=\"{}\">{inputs}<button type=\"submit\">{button}</button></form>",
        escape(title),
        escape(action)
    );
    page(lang, title, &body, Some("document.getElementById('f').submit();"), &origin_of(action))
}

/// `scheme://host[:port]` of a URL, for a CSP source ('none' when unparsable).
pub fn origin_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(url) => url.origin().ascii_serialization(),
        Err(_) => "'none'".into(),
    }
}

const STYLE: &str = "body{font-family:Marianne,arial,sans-serif;margin:0;color:#161616;background:#f6f6f6}\
main{max-width:46rem;margin:2rem auto;padding:1.5rem 2rem;background:#fff;border-top:4px solid #000091}\
h1{font-size:1.5rem;color:#000091}h2{font-size:1.15rem;margin-top:1.5rem}\
button,.button{background:#000091;color:#fff;border:0;padding:.5rem 1rem;font-size:1rem;cursor:pointer;text-decoration:none;display:inline-block}\
button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible{outline:2px solid #0a76f6;outline-offset:2px}\
label{display:block;margin:.75rem 0 .25rem;font-weight:bold}input[type=text],select{width:100%;padding:.4rem;font-size:1rem}\
.small{font-size:.85rem;color:#3a3a3a}ul.choices{list-style:none;padding:0}ul.choices li{margin:.5rem 0}\
code{word-break:break-all}pre{white-space:pre-wrap;word-break:break-all;font-size:.8rem}dd{margin-left:1rem}\
fieldset{border:1px solid #ddd;margin:1rem 0;padding:.5rem 1rem}\
@media (max-width:40rem){main{margin:0;padding:1rem}}";

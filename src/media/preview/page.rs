//! What a web page says of itself, for its card: the title, description,
//! site name and image its Open Graph (`og:`) or Twitter tags give, else its
//! `<title>`, `description` meta and host. Pure: HTML in, card out.

use scraper::{Html, Selector};
use url::Url;

use crate::activity::board::{MAX_PREVIEW_DESCRIPTION_CHARS, MAX_PREVIEW_SITE_CHARS, MAX_PREVIEW_TITLE_CHARS};

/// A page's card, before its image is fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCard {
    pub title: String,
    pub description: String,
    pub site: String,
    /// The image's absolute http(s) URL.
    pub image: Option<Url>,
}

/// Reads the card of the page at `url` from its HTML.
pub fn read(html: &str, url: &Url) -> PageCard {
    let document = Html::parse_document(html);
    let meta = |keys: &[&str]| {
        keys.iter().find_map(|key| {
            let selector = Selector::parse(&format!(r#"meta[property="{key}"], meta[name="{key}"]"#)).ok()?;
            document
                .select(&selector)
                .filter_map(|element| element.value().attr("content"))
                .map(tidy)
                .find(|content| !content.is_empty())
        })
    };
    let title_tag = || {
        let selector = Selector::parse("title").ok()?;
        document.select(&selector).next().map(|t| tidy(&t.text().collect::<String>())).filter(|t| !t.is_empty())
    };
    let title = meta(&["og:title", "twitter:title"]).or_else(title_tag).unwrap_or_default();
    let description = meta(&["og:description", "twitter:description", "description"]).unwrap_or_default();
    let host = url.host_str().unwrap_or_default();
    let site = meta(&["og:site_name"]).unwrap_or_else(|| host.strip_prefix("www.").unwrap_or(host).to_string());
    let image = meta(&["og:image:secure_url", "og:image", "og:image:url", "twitter:image"])
        .and_then(|src| url.join(&src).ok())
        .filter(|image| matches!(image.scheme(), "http" | "https"));
    PageCard {
        title: cut(&title, MAX_PREVIEW_TITLE_CHARS),
        description: cut(&description, MAX_PREVIEW_DESCRIPTION_CHARS),
        site: cut(&site, MAX_PREVIEW_SITE_CHARS),
        image,
    }
}

/// Whitespace runs as one space, control characters dropped, trimmed.
fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").chars().filter(|c| !c.is_control()).collect()
}

/// At most `limit` characters, an ellipsis marking a cut.
fn cut(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut kept: String = text.chars().take(limit - 1).collect();
    kept.truncate(kept.trim_end().len());
    kept.push('…');
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> Url {
        Url::parse("https://www.education.gouv.fr/actualites/rentree").unwrap()
    }

    #[test]
    fn open_graph_tags_win_and_entities_are_decoded() {
        let html = r#"<!doctype html><html><head>
            <title>Ignored title</title>
            <meta property="og:title" content="La rentr&eacute;e   2026 &amp; ses nouveaut&#233;s">
            <meta name="description" content="Plain description">
            <meta property="og:description" content="Ce qui change
                pour les &eacute;l&egrave;ves">
            <meta property="og:site_name" content="Minist&egrave;re de l'&Eacute;ducation nationale">
            <meta property="og:image" content="/img/rentree.jpg">
        </head><body></body></html>"#;
        let card = read(html, &url());
        assert_eq!(card.title, "La rentrée 2026 & ses nouveautés");
        assert_eq!(card.description, "Ce qui change pour les élèves");
        assert_eq!(card.site, "Ministère de l'Éducation nationale");
        assert_eq!(card.image.unwrap().as_str(), "https://www.education.gouv.fr/img/rentree.jpg");
    }

    #[test]
    fn a_bare_page_gives_its_title_and_host_and_no_script_image() {
        let html = "<html><head><title>\n  Éduscol  </title><meta name=description content=''>\
                    <meta property='og:image' content='javascript:alert(1)'></head></html>";
        let card = read(html, &url());
        assert_eq!(card.title, "Éduscol");
        assert_eq!(card.description, "");
        assert_eq!(card.site, "education.gouv.fr");
        assert_eq!(card.image, None, "only http(s) images");
    }

    #[test]
    fn long_texts_are_cut_to_the_limits_and_broken_html_reads() {
        let long = "é".repeat(MAX_PREVIEW_DESCRIPTION_CHARS + 50);
        let html = format!("<head><meta property=og:description content=\"{long}\"><title>Sans fin");
        let card = read(&html, &url());
        assert_eq!(card.description.chars().count(), MAX_PREVIEW_DESCRIPTION_CHARS);
        assert!(card.description.ends_with('…'));
        assert_eq!(card.title, "Sans fin");
        assert_eq!(
            read("", &url()),
            PageCard {
                title: String::new(),
                description: String::new(),
                site: "education.gouv.fr".into(),
                image: None
            }
        );
    }
}

//! Video links turned into embed URLs, from an allowlist in config
//! (`board.video_hosts`): `youtube` (embedded from youtube-nocookie.com),
//! `vimeo`, `dailymotion`, and host names (`*.` for any subdomain) of
//! PeerTube instances (`/w/ID`, `/videos/watch/ID`) and Esup-Pod servers
//! such as PodEduc (`/video/SLUG/`). Anything else is refused.

use url::Url;

/// The embed URL of `link`, if its host is allowed.
pub fn embed_url(link: &str, allowed: &[String]) -> Option<String> {
    let url = Url::parse(link.trim()).ok()?;
    if !matches!(url.scheme(), "https" | "http") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let segments: Vec<&str> = url.path_segments().map(|s| s.filter(|p| !p.is_empty()).collect()).unwrap_or_default();
    let allows = |provider: &str| allowed.iter().any(|a| a == provider);
    let host_is = |names: &[&str]| names.iter().any(|n| host == *n);
    if host_is(&["youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be", "www.youtube-nocookie.com"]) {
        if !allows("youtube") {
            return None;
        }
        let id = if host == "youtu.be" {
            segments.first().map(|s| s.to_string())
        } else {
            match segments.as_slice() {
                ["watch"] => url.query_pairs().find(|(k, _)| k == "v").map(|(_, v)| v.into_owned()),
                ["embed" | "shorts" | "live", id, ..] => Some(id.to_string()),
                _ => None,
            }
        }?;
        return video_id(&id).then(|| format!("https://www.youtube-nocookie.com/embed/{id}"));
    }
    if host_is(&["vimeo.com", "www.vimeo.com", "player.vimeo.com"]) {
        if !allows("vimeo") {
            return None;
        }
        let id = segments.iter().find(|s| s.chars().all(|c| c.is_ascii_digit()))?;
        return Some(format!("https://player.vimeo.com/video/{id}"));
    }
    if host_is(&["dailymotion.com", "www.dailymotion.com", "dai.ly"]) {
        if !allows("dailymotion") {
            return None;
        }
        let id = match segments.as_slice() {
            [id] if host == "dai.ly" => id,
            ["video", id] | ["embed", "video", id] => id,
            _ => return None,
        };
        return video_id(id).then(|| format!("https://www.dailymotion.com/embed/video/{id}"));
    }
    if !allowed.iter().any(|pattern| host_matches(&host, pattern)) {
        return None;
    }
    let origin = format!("https://{host}");
    match segments.as_slice() {
        // PeerTube.
        ["w", id] | ["videos", "watch" | "embed", id] if video_id(id) => Some(format!("{origin}/videos/embed/{id}")),
        // Esup-Pod (PodEduc).
        ["video", slug] | ["video", slug, ..] if video_id(slug) => {
            Some(format!("{origin}/video/{slug}/?is_iframe=true"))
        }
        _ => None,
    }
}

/// Whether `host` matches an allowlist entry (`*.example.org` matches its
/// subdomains).
fn host_matches(host: &str, pattern: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(domain) => host.ends_with(&format!(".{domain}")),
        None => host == pattern,
    }
}

/// Ids and slugs: letters, digits, `-` and `_` only.
fn video_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 128 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Vec<String> {
        ["youtube", "vimeo", "dailymotion", "podeduc.apps.education.fr", "*.apps.education.fr"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn known_hosts_become_embed_urls() {
        let cases = [
            ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=4", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
            ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
            ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
            ("https://www.dailymotion.com/video/x8abcd1", "https://www.dailymotion.com/embed/video/x8abcd1"),
            (
                "https://tube-numerique-educatif.apps.education.fr/w/9c9de5e8-0a1e-484a-b099-e80766180a6d",
                "https://tube-numerique-educatif.apps.education.fr/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d",
            ),
            (
                "https://podeduc.apps.education.fr/video/0012-les-fractions/",
                "https://podeduc.apps.education.fr/video/0012-les-fractions/?is_iframe=true",
            ),
        ];
        for (link, embed) in cases {
            assert_eq!(embed_url(link, &allowed()).as_deref(), Some(embed), "{link}");
        }
    }

    #[test]
    fn other_links_are_refused() {
        for link in [
            "https://evil.example/w/abc",
            "javascript:alert(1)",
            "https://www.youtube.com/watch?v=<script>",
            "https://apps.education.fr.evil.example/w/abc",
            "ftp://vimeo.com/1",
            "not a url",
        ] {
            assert_eq!(embed_url(link, &allowed()), None, "{link}");
        }
        assert_eq!(embed_url("https://youtu.be/dQw4w9WgXcQ", &["vimeo".to_string()]), None, "not allowed here");
    }
}

//! Link cards for board posts: the server reads the linked page (http or
//! https; public addresses only, checked after resolution and on every
//! redirect; 5 s; the first 512 KiB of an HTML page), takes its title,
//! description, site name and image (`page.rs`), stores the image as the
//! member's upload (sniffed and limited like any upload, so phones never
//! call the linked site), and keeps the card an hour in memory
//! (`board.link_previews`: `public`, `off`, or `any_address` for an
//! intranet). `address.rs` says which addresses are public.

pub mod address;
pub mod page;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use amphi_protocol::board::LinkPreview;
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::sync::Semaphore;
use url::Url;

use crate::app::AppState;
use crate::media::uploads;
use crate::store::UploadRecord;
use page::PageCard;

/// Most bytes of a page read for its card.
pub const MAX_PAGE_BYTES: usize = 512 * 1024;
/// Most bytes of a card's image (and within the board's upload size).
pub const MAX_IMAGE_BYTES: u64 = 2 * 1024 * 1024;
/// The time a page, or an image, has to arrive whole.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Redirects followed, each checked like the first address.
pub const MAX_REDIRECTS: usize = 3;
/// Pages fetched at once by this node; others wait.
pub const MAX_CONCURRENT_FETCHES: usize = 8;
/// Cards kept, and for how long (a failure for less).
const CACHE_ENTRIES: usize = 1000;
const CACHE_OK: Duration = Duration::from_secs(3600);
const CACHE_FAILED: Duration = Duration::from_secs(600);

/// Whether and where the server fetches link cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreviewMode {
    /// Public addresses only (the default).
    Public,
    /// No cards: links are posted as they are.
    Off,
    /// Any address, private networks included: for a server inside an
    /// académie's network whose intranet pages should have cards.
    AnyAddress,
}

/// Why there is no card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreviewError {
    /// Not an http(s) address with a host.
    Invalid(String),
    /// An address the server will not fetch, or previews are off.
    Refused(String),
    /// The site did not answer a readable page in time.
    Unreachable(String),
}

/// A page's card, and its image once stored.
#[derive(Debug, Clone)]
struct Card {
    page: PageCard,
    image: Option<String>,
}

/// The fetcher, its limits and its cache.
pub struct LinkPreviews {
    mode: PreviewMode,
    client: reqwest::Client,
    permits: Semaphore,
    cache: Mutex<HashMap<String, Kept>>,
}

/// A cached answer, and until when it holds.
type Kept = (Instant, Result<Card, PreviewError>);

impl LinkPreviews {
    pub fn new(mode: PreviewMode) -> LinkPreviews {
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
            } else if let Err(why) = check_url(attempt.url(), mode) {
                attempt.error(why)
            } else {
                attempt.follow()
            }
        });
        let mut builder = reqwest::Client::builder()
            .no_proxy()
            .redirect(redirects)
            .connect_timeout(Duration::from_secs(3))
            .timeout(FETCH_TIMEOUT)
            .user_agent(concat!("Mozilla/5.0 (compatible; amphi-link-preview/", env!("CARGO_PKG_VERSION"), ")"));
        if mode == PreviewMode::Public {
            builder = builder.dns_resolver(std::sync::Arc::new(address::PublicOnly));
        }
        // Without its checks (resolver, redirects, no proxy) the client must
        // not fetch anything: previews go off rather than fall back.
        let (mode, client) = match builder.build() {
            Ok(client) => (mode, client),
            Err(error) => {
                tracing::error!(%error, "link previews are off: their HTTP client could not be built");
                (PreviewMode::Off, reqwest::Client::new())
            }
        };
        LinkPreviews {
            mode,
            client,
            permits: Semaphore::new(MAX_CONCURRENT_FETCHES),
            cache: Mutex::new(HashMap::new()),
        }
    }

    fn cached(&self, url: &str, now: Instant) -> Option<Result<Card, PreviewError>> {
        let cache = self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.get(url).filter(|(until, _)| *until > now).map(|(_, card)| card.clone())
    }

    fn keep(&self, url: String, card: Result<Card, PreviewError>, now: Instant) {
        let mut cache = self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if cache.len() >= CACHE_ENTRIES {
            cache.retain(|_, (until, _)| *until > now);
        }
        if cache.len() >= CACHE_ENTRIES
            && let Some(oldest) = cache.iter().min_by_key(|(_, (until, _))| *until).map(|(key, _)| key.clone())
        {
            cache.remove(&oldest);
        }
        let ttl = if card.is_ok() { CACHE_OK } else { CACHE_FAILED };
        cache.insert(url, (now + ttl, card));
    }

    /// The page's card, fetched now.
    async fn fetch_page(&self, url: &Url) -> Result<PageCard, PreviewError> {
        let _permit = self.permits.acquire().await.map_err(|_| PreviewError::Unreachable("stopping".into()))?;
        let response = self.client.get(url.clone()).send().await.map_err(|e| fetch_error(&e))?;
        if !response.status().is_success() {
            return Err(PreviewError::Unreachable(format!("the site answered {}", response.status())));
        }
        let final_url = response.url().clone();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !(content_type.starts_with("text/html") || content_type.starts_with("application/xhtml+xml")) {
            return Err(PreviewError::Unreachable(format!("not a web page ({content_type})")));
        }
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| fetch_error(&e))?;
            body.extend_from_slice(&chunk[..chunk.len().min(MAX_PAGE_BYTES - body.len())]);
            if body.len() >= MAX_PAGE_BYTES {
                break;
            }
        }
        let text = decode(&body, &content_type);
        Ok(page::read(&text, &final_url))
    }
}

/// Whether `url` may be fetched in `mode`: http(s), a host, and in
/// `public` mode no address literal that is not public (names are checked
/// by the resolver).
fn check_url(url: &Url, mode: PreviewMode) -> Result<(), PreviewError> {
    if mode == PreviewMode::Off {
        return Err(PreviewError::Refused("link previews are off on this server".into()));
    }
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(PreviewError::Invalid("a link is an http:// or https:// address".into()));
    }
    let literal = match url.host() {
        Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
        _ => None,
    };
    if mode == PreviewMode::Public && literal.is_some_and(|ip| !address::is_public(ip)) {
        return Err(PreviewError::Refused(format!("{} is not a public address", url.host_str().unwrap_or_default())));
    }
    Ok(())
}

impl std::fmt::Display for PreviewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PreviewError::Invalid(why) | PreviewError::Refused(why) | PreviewError::Unreachable(why) => {
                f.write_str(why)
            }
        }
    }
}

/// A fetch's failure: refused when the resolver or a redirect check said
/// so, else unreachable.
fn fetch_error(error: &reqwest::Error) -> PreviewError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if let Some(not_public) = cause.downcast_ref::<address::NotPublic>() {
            return PreviewError::Refused(not_public.to_string());
        }
        if let Some(refused) = cause.downcast_ref::<PreviewError>() {
            return refused.clone();
        }
        source = cause.source();
    }
    if error.is_timeout() {
        return PreviewError::Unreachable(format!("the site did not answer within {} s", FETCH_TIMEOUT.as_secs()));
    }
    PreviewError::Unreachable(format!("the site could not be reached: {error}"))
}

impl std::error::Error for PreviewError {}

/// The page's text: in the charset its `Content-Type` names, else UTF-8.
fn decode(body: &[u8], content_type: &str) -> String {
    let label =
        content_type.split(';').find_map(|part| part.trim().strip_prefix("charset=")).map(|c| c.trim_matches('"'));
    let encoding = label.and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes())).unwrap_or(encoding_rs::UTF_8);
    encoding.decode(body).0.into_owned()
}

/// The card of `link` for `member` of `room` (tenant `tenant`): from the
/// cache, or fetched, its image stored as the member's upload.
pub async fn preview(
    app: &AppState,
    tenant: &str,
    room: &str,
    member: &str,
    link: &str,
) -> Result<LinkPreview, PreviewError> {
    let previews = &app.link_previews;
    let url = Url::parse(link.trim())
        .map_err(|_| PreviewError::Invalid("a link is an http:// or https:// address".into()))?;
    check_url(&url, previews.mode)?;
    let now = Instant::now();
    let card = match previews.cached(url.as_str(), now) {
        Some(card) => card,
        None => {
            let card = match previews.fetch_page(&url).await {
                Ok(page) => {
                    let image = match &page.image {
                        Some(src) => store_image(app, src).await,
                        None => None,
                    };
                    Ok(Card { page, image })
                }
                Err(error) => Err(error),
            };
            previews.keep(url.to_string(), card.clone(), now);
            card
        }
    }?;
    // The image is this member's upload (the quota counts it once per
    // member; a post claims it like any image).
    let mut image = None;
    if let Some(blob) = card.image
        && let Some(meta) = app.blobs.meta(&blob).await
    {
        let record = UploadRecord {
            blob: blob.clone(),
            tenant: tenant.to_string(),
            room: room.to_string(),
            member: member.to_string(),
            size: meta.size,
            created_at: crate::hub::now_ms() as i64,
            referenced_at: None,
        };
        if uploads::record(app, &record).await.is_ok() {
            image = Some(blob);
        }
    }
    Ok(LinkPreview { title: card.page.title, description: card.page.description, site: card.page.site, image })
}

/// Fetches and stores a card's image; none when it fails or is no image.
async fn store_image(app: &AppState, src: &Url) -> Option<String> {
    let previews = &app.link_previews;
    check_url(src, previews.mode).ok()?;
    let _permit = previews.permits.acquire().await.ok()?;
    let response = previews.client.get(src.clone()).send().await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    let limit = MAX_IMAGE_BYTES.min(app.config.board.max_upload_bytes);
    let (blob, meta) = app.blobs.put(response.bytes_stream(), limit).await.ok()?;
    meta.is_image().then_some(blob)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_before_any_fetch() {
        let check = |url: &str, mode| check_url(&Url::parse(url).unwrap(), mode);
        assert!(check("https://eduscol.education.fr/", PreviewMode::Public).is_ok());
        assert!(matches!(check("ftp://example.org/", PreviewMode::Public), Err(PreviewError::Invalid(_))));
        assert!(matches!(check("http://127.0.0.1:8080/", PreviewMode::Public), Err(PreviewError::Refused(_))));
        assert!(matches!(check("http://[::1]/", PreviewMode::Public), Err(PreviewError::Refused(_))));
        assert!(matches!(check("http://169.254.169.254/latest/", PreviewMode::Public), Err(PreviewError::Refused(_))));
        assert!(check("http://10.0.0.5/intranet", PreviewMode::AnyAddress).is_ok());
        assert!(matches!(check("https://eduscol.education.fr/", PreviewMode::Off), Err(PreviewError::Refused(_))));
    }

    #[test]
    fn pages_are_decoded_in_their_charset() {
        assert_eq!(decode(b"\xe9l\xe8ve", "text/html; charset=ISO-8859-1"), "élève");
        assert_eq!(decode("élève".as_bytes(), "text/html"), "élève");
    }
}

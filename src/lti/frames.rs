//! Who may show amphi in a frame: its own pages and the platforms
//! registered (Moodle shows LTI activities in an iframe), nothing else: the
//! `frame-ancestors 'self' <platform origins>` directive every HTML response
//! carries ([`crate::headers`]), the origins read from the store and kept
//! 30 s.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::app::AppState;

const KEEP: Duration = Duration::from_secs(30);

/// The cached `frame-ancestors` directive.
#[derive(Default)]
pub struct FramePolicy {
    cached: Mutex<Option<(Instant, String)>>,
}

impl FramePolicy {
    pub async fn directive(&self, app: &AppState) -> String {
        if let Some((at, directive)) = self.cached.lock().unwrap_or_else(|p| p.into_inner()).as_ref()
            && at.elapsed() < KEEP
        {
            return directive.clone();
        }
        let mut origins: Vec<String> = match app.store.lti_platforms_all().await {
            Ok(platforms) => platforms
                .iter()
                .flat_map(|p| [&p.issuer, &p.auth_url])
                .map(|url| super::pages::origin_of(url))
                .filter(|origin| origin.starts_with("http"))
                .collect(),
            Err(error) => {
                tracing::warn!(%error, "cannot read the LTI platforms for the frame policy");
                Vec::new()
            }
        };
        origins.sort();
        origins.dedup();
        let directive =
            format!("frame-ancestors 'self'{}", origins.iter().map(|o| format!(" {o}")).collect::<String>());
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), directive.clone()));
        directive
    }

    /// Forgets the cached origins (a platform was added or removed).
    pub fn refresh(&self) {
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

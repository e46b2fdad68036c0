//! The HTTP client amphi talks to platforms with: one time limit per call,
//! answers read up to `lti.max_response_bytes`, and no redirects followed, so
//! that only the URLs registered for a platform are ever fetched.

use std::time::Duration;

use serde::de::DeserializeOwned;

/// A call to a platform that did not give a usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error("cannot reach {url}: {message}")]
    Unreachable { url: String, message: String },
    #[error("{url} answered HTTP {status}: {body}")]
    Status { url: String, status: u16, body: String },
    #[error("the answer of {url} is larger than {limit} bytes")]
    TooLarge { url: String, limit: usize },
    #[error("the answer of {url} is not the JSON expected: {message}")]
    Invalid { url: String, message: String },
}

impl CallError {
    /// The HTTP status, when the platform answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            CallError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

#[derive(Clone)]
pub struct PlatformHttp {
    client: reqwest::Client,
    limit: usize,
}

impl PlatformHttp {
    pub fn new(config: &super::LtiConfig) -> PlatformHttp {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(config.http_timeout_ms))
            .connect_timeout(Duration::from_millis(config.http_timeout_ms))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("amphi/", env!("CARGO_PKG_VERSION"), " (LTI 1.3 tool)"))
            .build()
            .expect("a client with rustls and no redirects builds");
        PlatformHttp { client, limit: config.max_response_bytes }
    }

    pub fn request(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        self.client.request(method, url)
    }

    /// Sends `request` and reads its answer's body (up to the limit); any
    /// status but 2xx is an error carrying the start of the body.
    pub async fn send(&self, url: &str, request: reqwest::RequestBuilder) -> Result<Vec<u8>, CallError> {
        let unreachable = |e: reqwest::Error| CallError::Unreachable { url: url.to_string(), message: e.to_string() };
        let mut response = request.send().await.map_err(unreachable)?;
        if response.content_length().is_some_and(|length| length > self.limit as u64) {
            return Err(CallError::TooLarge { url: url.to_string(), limit: self.limit });
        }
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
            if body.len() + chunk.len() > self.limit {
                return Err(CallError::TooLarge { url: url.to_string(), limit: self.limit });
            }
            body.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            let text: String = String::from_utf8_lossy(&body).chars().take(300).collect();
            return Err(CallError::Status { url: url.to_string(), status: status.as_u16(), body: text });
        }
        Ok(body)
    }

    /// Sends `request` and parses its JSON answer.
    pub async fn json<T: DeserializeOwned>(&self, url: &str, request: reqwest::RequestBuilder) -> Result<T, CallError> {
        let body = self.send(url, request).await?;
        serde_json::from_slice(&body).map_err(|e| CallError::Invalid { url: url.to_string(), message: e.to_string() })
    }
}

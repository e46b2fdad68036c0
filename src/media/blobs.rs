//! The blob store: uploaded files on the filesystem under the data
//! directory, content-addressed (the SHA-256 of the bytes names them), each
//! with a small JSON sidecar holding its type and size. The type is sniffed
//! from the content, never taken from a name or a header; only the types
//! boards accept are kept (a WebM whose tracks are all sound, as a
//! browser's voice recording is, is kept as `audio/webm`). The size limit
//! is enforced while streaming.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// The types a board accepts, as sniffed: documents, images, sound, video.
pub const ACCEPTED: [&str; 20] = [
    "application/pdf",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "audio/mpeg",
    "audio/ogg",
    "audio/opus",
    "audio/m4a",
    "audio/aac",
    "audio/x-wav",
    "audio/webm",
    "video/mp4",
    "video/webm",
];

/// Bytes kept in memory to sniff the type.
const SNIFF_BYTES: usize = 64 * 1024;

/// What the store knows of a blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobMeta {
    pub content_type: String,
    pub size: u64,
}

impl BlobMeta {
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }

    /// Whether browsers may show it inline (images, sound, video).
    pub fn is_inline(&self) -> bool {
        ["image/", "audio/", "video/"].iter().any(|prefix| self.content_type.starts_with(prefix))
    }
}

/// Why an upload was refused.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the file is larger than {0} bytes")]
    TooLarge(u64),
    #[error("files of this type are not accepted ({0})")]
    TypeRefused(String),
    #[error("the upload was interrupted: {0}")]
    Interrupted(String),
    #[error("cannot store the file: {0}")]
    Io(#[from] std::io::Error),
}

/// The store: cheap to clone.
#[derive(Debug, Clone)]
pub struct BlobStore {
    dir: PathBuf,
}

impl BlobStore {
    pub fn new(dir: impl Into<PathBuf>) -> BlobStore {
        BlobStore { dir: dir.into() }
    }

    /// Where blob `id` lives, if `id` is a well-formed blob id.
    pub fn path(&self, id: &str) -> Option<PathBuf> {
        let well_formed = id.len() == 64 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        well_formed.then(|| self.dir.join(&id[..2]).join(id))
    }

    /// The type and size of blob `id`, if it is stored.
    pub async fn meta(&self, id: &str) -> Option<BlobMeta> {
        let path = self.path(id)?;
        let json = tokio::fs::read(path.with_extension("json")).await.ok()?;
        serde_json::from_slice(&json).ok()
    }

    /// Deletes blob `id` and its sidecar, unless its file was written at or
    /// after `written_before` (stored again meanwhile). `true` when deleted.
    pub async fn remove(&self, id: &str, written_before: std::time::SystemTime) -> std::io::Result<bool> {
        let Some(path) = self.path(id) else { return Ok(false) };
        let modified = match tokio::fs::metadata(&path).await {
            Ok(metadata) => metadata.modified()?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(error) => return Err(error),
        };
        if modified >= written_before {
            return Ok(false);
        }
        tokio::fs::remove_file(&path).await?;
        match tokio::fs::remove_file(path.with_extension("json")).await {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error),
            _ => {}
        }
        Ok(true)
    }

    /// Stores what `body` streams, refusing it once it passes `limit`
    /// bytes or when its content is not of an accepted type. Returns the
    /// blob's id and what the store knows of it.
    pub async fn put<E: std::fmt::Display>(
        &self,
        body: impl Stream<Item = Result<Bytes, E>>,
        limit: u64,
    ) -> Result<(String, BlobMeta), UploadError> {
        let staging = self.dir.join("staging");
        tokio::fs::create_dir_all(&staging).await?;
        let temp = staging.join(uuid::Uuid::new_v4().simple().to_string());
        let result = self.receive(body, limit, &temp).await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&temp).await;
        }
        result
    }

    /// Stores `bytes` (an attachment of an imported board).
    pub async fn put_bytes(&self, bytes: Vec<u8>, limit: u64) -> Result<(String, BlobMeta), UploadError> {
        self.put(futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from(bytes))]), limit).await
    }

    async fn receive<E: std::fmt::Display>(
        &self,
        body: impl Stream<Item = Result<Bytes, E>>,
        limit: u64,
        temp: &Path,
    ) -> Result<(String, BlobMeta), UploadError> {
        let mut file = tokio::fs::File::create(temp).await?;
        let mut hasher = Sha256::new();
        let mut head = Vec::new();
        let mut size = 0u64;
        let mut body = std::pin::pin!(body);
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| UploadError::Interrupted(e.to_string()))?;
            size += chunk.len() as u64;
            if size > limit {
                return Err(UploadError::TooLarge(limit));
            }
            if head.len() < SNIFF_BYTES {
                head.extend_from_slice(&chunk[..chunk.len().min(SNIFF_BYTES - head.len())]);
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await?;
        }
        file.sync_all().await?;
        drop(file);
        let content_type = sniff(&head).ok_or_else(|| UploadError::TypeRefused(describe(&head)))?;
        let id = hex::encode(hasher.finalize());
        let path = self.path(&id).expect("a SHA-256 in hex is a well-formed id");
        tokio::fs::create_dir_all(path.parent().expect("blob paths have a parent")).await?;
        let meta = BlobMeta { content_type: content_type.to_string(), size };
        let sidecar = serde_json::to_vec(&meta).map_err(std::io::Error::other)?;
        tokio::fs::write(path.with_extension("json"), sidecar).await?;
        // Same content, same name: a second upload just replaces the file.
        tokio::fs::rename(temp, &path).await?;
        Ok((id, meta))
    }
}

/// The accepted type of content starting with `head`, if any.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    let kind = infer::get(head)?;
    let mime = match kind.mime_type() {
        "video/webm" if webm_is_sound_only(head) => "audio/webm",
        other => other,
    };
    ACCEPTED.iter().copied().find(|accepted| *accepted == mime)
}

/// Whether a WebM's head names sound codecs only: its track entries' codec
/// ids (Matroska `CodecID`, element 0x86, before the first cluster in what
/// browsers record) are `A_…` and none `V_…`.
fn webm_is_sound_only(head: &[u8]) -> bool {
    let (mut sound, mut picture) = (false, false);
    for (at, _) in head.iter().enumerate().filter(|(_, byte)| **byte == 0x86) {
        // A one-byte EBML size (0x80 | length) then the codec id's text.
        let Some(&size) = head.get(at + 1) else { break };
        if size & 0x80 == 0 {
            continue;
        }
        let length = usize::from(size & 0x7f);
        let Some(id) = head.get(at + 2..at + 2 + length) else { continue };
        if id.len() >= 3
            && id[1] == b'_'
            && id[2..].iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b"/_.".contains(b))
        {
            match id[0] {
                b'A' => sound = true,
                b'V' => picture = true,
                _ => {}
            }
        }
    }
    sound && !picture
}

/// What a refused content looks like, for the error message.
fn describe(head: &[u8]) -> String {
    match infer::get(head) {
        Some(kind) => kind.mime_type().to_string(),
        None if head.is_empty() => "empty".to_string(),
        None => "unknown or text content".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_content() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
        assert_eq!(sniff(png), Some("image/png"));
        assert_eq!(sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), Some("application/pdf"));
        assert_eq!(sniff(b"<!DOCTYPE html><script>alert(1)</script>"), None, "HTML is never accepted");
        assert_eq!(sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>"), None, "nor SVG");
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff"), None, "nor programs");
    }

    /// The start of a WebM as a browser's MediaRecorder writes it: the EBML
    /// header, then a track entry with codec id `codec`.
    fn webm(codecs: &[&str]) -> Vec<u8> {
        let mut bytes = vec![0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01];
        bytes.extend_from_slice(&[0x42, 0x82, 0x84]);
        bytes.extend_from_slice(b"webm");
        bytes.extend_from_slice(&[0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        for codec in codecs {
            bytes.extend_from_slice(&[0xae, 0x90, 0xd7, 0x81, 0x01, 0x86, 0x80 | codec.len() as u8]);
            bytes.extend_from_slice(codec.as_bytes());
        }
        bytes
    }

    #[test]
    fn a_recorded_voice_is_sound_and_a_film_stays_a_film() {
        assert_eq!(sniff(&webm(&["A_OPUS"])), Some("audio/webm"), "a browser's voice recording");
        assert_eq!(sniff(&webm(&["V_VP8", "A_OPUS"])), Some("video/webm"));
        assert_eq!(sniff(&webm(&["V_VP9"])), Some("video/webm"));
        assert_eq!(sniff(&webm(&[])), Some("video/webm"), "no codec named: not said to be sound");
        let ogg = b"OggS\0\x02\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\x01\x13OpusHead\x01\x01";
        assert!(matches!(sniff(ogg), Some("audio/opus" | "audio/ogg")), "{:?}", sniff(ogg));
    }

    #[tokio::test]
    async fn uploads_are_content_addressed_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::new(dir.path());
        let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\nhello".to_vec();
        let (id, meta) = store.put_bytes(pdf.clone(), 1000).await.unwrap();
        assert_eq!(meta, BlobMeta { content_type: "application/pdf".into(), size: pdf.len() as u64 });
        assert_eq!(std::fs::read(store.path(&id).unwrap()).unwrap(), pdf);
        assert_eq!(store.meta(&id).await, Some(meta));
        let (again, _) = store.put_bytes(pdf, 1000).await.unwrap();
        assert_eq!(again, id, "same content, same id");
        assert!(matches!(store.put_bytes(vec![b'%'; 2000], 1000).await, Err(UploadError::TooLarge(1000))));
        let html = b"<html><body>hi</body></html>".to_vec();
        assert!(matches!(store.put_bytes(html, 1000).await, Err(UploadError::TypeRefused(_))));
        assert_eq!(store.meta("../../etc/passwd").await, None);
        let staging = std::fs::read_dir(dir.path().join("staging")).unwrap().count();
        assert_eq!(staging, 0, "refused uploads leave nothing behind");
    }
}

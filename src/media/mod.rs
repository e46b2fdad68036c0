//! Media a board post carries: uploaded files in a content-addressed blob
//! store (type sniffed from the bytes), and videos embedded from allowed
//! hosts only; link cards read from the linked page (`preview/`); the
//! quotas on uploads and the sweep of those nothing refers to.

pub mod blobs;
pub mod links;
pub mod preview;
pub mod sweep;
pub mod uploads;
pub mod video;

pub use blobs::{BlobMeta, BlobStore, UploadError};

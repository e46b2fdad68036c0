//! Media a board post carries: uploaded files in a content-addressed blob
//! store (type sniffed from the bytes), and videos embedded from allowed
//! hosts only.

pub mod blobs;
pub mod video;

pub use blobs::{BlobMeta, BlobStore, UploadError};

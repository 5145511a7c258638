//! The `Blobs` port: where evidence files and their previews are kept. Keys are content
//! addressed (`sha256/<hex>`), so an object is either absent or exactly the bytes its key names;
//! an object left behind by a failed request is never referenced by any case, and is deleted
//! (at once when the upload is refused, by the worker's collector after a crash).

use async_trait::async_trait;
use bytes::Bytes;
use std::path::Path;
use std::pin::Pin;

/// A file read back in chunks, never whole.
pub type ByteStream = Pin<Box<dyn futures_util::Stream<Item = std::io::Result<Bytes>> + Send>>;

/// One stored object, as a listing names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredObject {
    pub key: String,
    /// When it was last written, by the storage's own clock.
    pub modified: jiff::Timestamp,
}

/// The objects under a prefix, page by page from the storage, never all in memory.
pub type Listing = Pin<Box<dyn futures_util::Stream<Item = anyhow::Result<StoredObject>> + Send>>;

#[async_trait]
pub trait Blobs: Send + Sync + 'static {
    /// The size of the object at `key`, if there is one.
    async fn size(&self, key: &str) -> anyhow::Result<Option<u64>>;
    /// Stores the file at `path` under `key`, streamed (multipart for large files); the object
    /// appears only once it is complete.
    async fn put_file(&self, key: &str, path: &Path) -> anyhow::Result<()>;
    async fn put_bytes(&self, key: &str, bytes: Bytes) -> anyhow::Result<()>;
    /// The object at `key` as a stream of chunks, or `None` if it is absent.
    async fn get(&self, key: &str) -> anyhow::Result<Option<ByteStream>>;
    /// Deletes the object at `key`; an absent object is not an error.
    async fn delete(&self, key: &str) -> anyhow::Result<()>;
    /// Every object whose key starts with `prefix` (`sha256/`, `preview/`).
    fn list(&self, prefix: &str) -> Listing;
}

/// Where an evidence file is kept.
pub fn original_key(sha256: &str) -> String {
    format!("sha256/{sha256}")
}

/// Where the metadata-free preview of an image is kept (derived from the original only).
pub fn preview_key(sha256: &str) -> String {
    format!("preview/{sha256}.jpg")
}

/// The file hash a key of `original_key` or `preview_key` stands for.
pub fn hash_of_key(key: &str) -> Option<&str> {
    let hash = key.strip_prefix("sha256/").or_else(|| key.strip_prefix("preview/")?.strip_suffix(".jpg"))?;
    (hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))).then_some(hash)
}

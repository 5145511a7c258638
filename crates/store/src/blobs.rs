//! The `Blobs` port on `object_store`: a local directory by default, any S3-compatible service
//! by configuration. Large files go up as multipart uploads, chunk by chunk; an upload that fails
//! is aborted, so no partial object is ever visible under its key.

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::StreamExt;
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use redress_app::blobs::{Blobs, ByteStream, Listing, StoredObject};
use std::path::Path;
use std::sync::Arc;
use tokio::io::AsyncReadExt;

/// Files up to this size are sent in one request; larger ones in parts of this size.
const PART: usize = 8 << 20;

/// Where an S3-compatible bucket is.
#[derive(Clone, Debug)]
pub struct S3Config {
    pub endpoint: Option<String>,
    pub bucket: String,
    pub region: String,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
}

pub struct ObjectBlobs {
    store: Arc<dyn ObjectStore>,
}

impl ObjectBlobs {
    pub fn new(store: Arc<dyn ObjectStore>) -> ObjectBlobs {
        ObjectBlobs { store }
    }

    /// A directory on this machine (created if missing).
    pub fn local(dir: &Path) -> anyhow::Result<ObjectBlobs> {
        std::fs::create_dir_all(dir)?;
        let fs = object_store::local::LocalFileSystem::new_with_prefix(dir)?;
        Ok(ObjectBlobs::new(Arc::new(fs)))
    }

    /// An S3-compatible bucket, path-style (what MinIO, moto, s3s and Ceph expect); plain
    /// HTTP is allowed only when the endpoint says `http://`.
    pub fn s3(config: &S3Config) -> anyhow::Result<ObjectBlobs> {
        let mut builder =
            object_store::aws::AmazonS3Builder::new().with_bucket_name(&config.bucket).with_region(&config.region);
        if let Some(endpoint) = &config.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        if let (Some(key), Some(secret)) = (&config.access_key, &config.secret_key) {
            builder = builder.with_access_key_id(key).with_secret_access_key(secret);
        }
        Ok(ObjectBlobs::new(Arc::new(builder.build()?)))
    }

    /// The same storage under a key prefix (tests give each run its own).
    pub fn prefixed(self, prefix: &str) -> ObjectBlobs {
        ObjectBlobs::new(Arc::new(object_store::prefix::PrefixStore::new(self.store, prefix)))
    }
}

#[async_trait]
impl Blobs for ObjectBlobs {
    async fn size(&self, key: &str) -> anyhow::Result<Option<u64>> {
        match self.store.head(&Key::parse(key)?).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn put_file(&self, key: &str, path: &Path) -> anyhow::Result<()> {
        let key = Key::parse(key)?;
        let mut file = tokio::fs::File::open(path).await?;
        let size = file.metadata().await?.len();
        if size <= PART as u64 {
            let mut bytes = Vec::with_capacity(size as usize);
            file.read_to_end(&mut bytes).await?;
            self.store.put(&key, PutPayload::from(bytes)).await?;
            return Ok(());
        }
        let upload = self.store.put_multipart(&key).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut buf = vec![0u8; 1 << 20];
        let copied: anyhow::Result<()> = async {
            loop {
                let n = file.read(&mut buf).await?;
                if n == 0 {
                    return Ok(());
                }
                writer.wait_for_capacity(4).await?;
                writer.write(&buf[..n]);
            }
        }
        .await;
        match copied {
            Ok(()) => {
                writer.finish().await?;
                Ok(())
            }
            Err(e) => {
                let _ = writer.abort().await;
                Err(e)
            }
        }
    }

    async fn put_bytes(&self, key: &str, bytes: Bytes) -> anyhow::Result<()> {
        self.store.put(&Key::parse(key)?, PutPayload::from(bytes)).await?;
        Ok(())
    }

    async fn get(&self, key: &str) -> anyhow::Result<Option<ByteStream>> {
        match self.store.get(&Key::parse(key)?).await {
            Ok(result) => Ok(Some(Box::pin(result.into_stream().map(|chunk| chunk.map_err(std::io::Error::other))))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.store.delete(&Key::parse(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    fn list(&self, prefix: &str) -> Listing {
        let prefix = match Key::parse(prefix.trim_end_matches('/')) {
            Ok(p) => p,
            Err(e) => return Box::pin(futures_util::stream::once(async move { Err(e.into()) })),
        };
        Box::pin(self.store.list(Some(&prefix)).map(|meta| {
            let meta = meta?;
            let modified = jiff::Timestamp::from_microsecond(meta.last_modified.timestamp_micros())?;
            Ok(StoredObject { key: meta.location.to_string(), modified })
        }))
    }
}

//! The objects of the emulated buckets, held in memory.
//!
//! One store serves every object-storage route (OSS, COS and S3-style): an object is named by its
//! bucket and key only, so an object written through one API can be read through another, as OSS
//! and COS serve their native and S3-compatible APIs from the same buckets. Buckets need no
//! creation: any name holds objects. Sizes are bounded by the server's
//! [`crate::MAX_BODY_BYTES`].

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::SystemTime;

use crate::crypto::{hex, md5};
use crate::state::lock;

/// One stored object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredObject {
    /// The object's bytes.
    pub body: Vec<u8>,
    /// The `Content-Type` it was written with (`application/octet-stream` when none was sent).
    pub content_type: String,
    /// Lower-case hex MD5 of the body (the routes send it quoted as the `ETag`).
    pub md5_hex: String,
    /// When it was written, by the emulator's clock.
    pub last_modified: SystemTime,
}

impl StoredObject {
    /// An object holding `body`.
    pub fn new(body: impl Into<Vec<u8>>, content_type: &str, last_modified: SystemTime) -> Self {
        let body = body.into();
        StoredObject {
            md5_hex: hex(&md5(&body)),
            content_type: if content_type.is_empty() {
                "application/octet-stream".to_string()
            } else {
                content_type.to_string()
            },
            body,
            last_modified,
        }
    }
}

/// Objects by `(bucket, key)`; keys are the decoded object names (`docs/a b.txt`).
#[derive(Debug, Default)]
pub struct ObjectStore {
    objects: Mutex<BTreeMap<(String, String), StoredObject>>,
}

impl ObjectStore {
    /// Stores `object` under `bucket`/`key`, replacing what was there.
    pub fn put(&self, bucket: &str, key: &str, object: StoredObject) {
        lock(&self.objects).insert((bucket.to_string(), key.to_string()), object);
    }

    /// A copy of the object at `bucket`/`key`.
    pub fn get(&self, bucket: &str, key: &str) -> Option<StoredObject> {
        lock(&self.objects)
            .get(&(bucket.to_string(), key.to_string()))
            .cloned()
    }

    /// Removes the object; `false` when there was none.
    pub fn delete(&self, bucket: &str, key: &str) -> bool {
        lock(&self.objects)
            .remove(&(bucket.to_string(), key.to_string()))
            .is_some()
    }

    /// The `(bucket, key)` names of every object, sorted.
    pub fn names(&self) -> Vec<(String, String)> {
        lock(&self.objects).keys().cloned().collect()
    }
}

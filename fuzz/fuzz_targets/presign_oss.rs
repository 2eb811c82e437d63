//! OSS V1 and V4 presigning never panic on arbitrary inputs, and a URL, when produced, is one
//! line of ASCII.
#![no_main]
use credchain::sign::object_endpoint::ObjectEndpoint;
use credchain::sign::oss_presign::{self, OssPresignRequest};
use credchain::Credentials;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts: Vec<String> = data.split(|b| *b == 0).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
    let get = |i: usize| parts.get(i).cloned().unwrap_or_default();
    let ts = i64::from_le_bytes(data.iter().copied().chain([0; 8]).take(8).collect::<Vec<_>>().try_into().unwrap());
    let expires = u64::from_le_bytes(data.iter().rev().copied().chain([0; 8]).take(8).collect::<Vec<_>>().try_into().unwrap());
    let creds = Credentials::builder(get(0), get(1)).security_token_opt(Some(get(2))).build();
    let mut req = OssPresignRequest::new(get(3), get(4), get(5), get(6), ts);
    req.expires = expires % 1_000_000;
    req.endpoint_override = ObjectEndpoint::parse(&get(7)).ok();
    req.headers = vec![(get(8), get(9))];
    req.params = vec![(get(10), get(11))];
    req.additional_headers = vec![get(8)];
    req.slash_safe = data.len() % 2 == 0;
    for url in [oss_presign::presign_v1(&req, &creds), oss_presign::presign_v4(&req, &creds)].into_iter().flatten().map(|p| p.url) {
        assert!(url.is_ascii() && !url.contains(['\n', ' ']), "{url}");
    }
});

//! COS presigning never panics on arbitrary inputs, and a URL, when produced, is one line of ASCII.
#![no_main]
use credchain::sign::cos_presign::{self, CosPresignRequest};
use credchain::sign::object_endpoint::ObjectEndpoint;
use credchain::Credentials;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts: Vec<String> = data.split(|b| *b == 0).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
    let get = |i: usize| parts.get(i).cloned().unwrap_or_default();
    let ts = i64::from_le_bytes(data.iter().copied().chain([0; 8]).take(8).collect::<Vec<_>>().try_into().unwrap());
    let expires = u64::from_le_bytes(data.iter().rev().copied().chain([0; 8]).take(8).collect::<Vec<_>>().try_into().unwrap());
    let creds = Credentials::builder(get(0), get(1)).security_token_opt(Some(get(2))).build();
    let mut req = CosPresignRequest::new(get(3), get(4), get(5), get(6), ts);
    req.expires = expires;
    req.endpoint_override = ObjectEndpoint::parse(&get(7)).ok();
    req.headers = vec![(get(8), get(9))];
    req.params = vec![(get(10), get(11))];
    req.sign_host = data.len() % 2 == 0;
    if let Ok(p) = cos_presign::presign(&req, &creds) {
        assert!(p.url.is_ascii() && !p.url.contains(['\n', ' ']), "{}", p.url);
    }
});

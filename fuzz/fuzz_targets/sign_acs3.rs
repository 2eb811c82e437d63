//! ACS3 signing never panics on arbitrary request parts.
#![no_main]
use credchain::sign::{acs3, Payload};
use credchain::Credentials;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts: Vec<String> = data.split(|b| *b == 0).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
    let get = |i: usize| parts.get(i).cloned().unwrap_or_default();
    let mut req = acs3::Acs3Request::new(get(0), get(1), get(2), get(3), get(4));
    req.method = get(5);
    req.path = get(6);
    req.query = vec![(get(7), get(8))];
    req.headers = vec![(get(9), get(10))];
    req.payload = Payload::Bytes(get(11).into_bytes());
    let creds = Credentials::builder(get(12), get(13)).security_token_opt(Some(get(14))).build();
    let _ = acs3::sign(&req, &creds);
});

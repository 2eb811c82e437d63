//! TC3 signing never panics on arbitrary request parts.
#![no_main]
use credchain::sign::{tc3, Payload};
use credchain::Credentials;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts: Vec<String> = data.split(|b| *b == 0).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
    let get = |i: usize| parts.get(i).cloned().unwrap_or_default();
    let ts = i64::from_le_bytes(data.iter().copied().chain([0; 8]).take(8).collect::<Vec<_>>().try_into().unwrap());
    let mut req = tc3::Tc3Request::new(get(0), get(1), get(2), ts);
    req.method = get(3);
    req.region = get(4);
    req.query = vec![(get(5), get(6))];
    req.headers = vec![(get(7), get(8))];
    req.extra_signed_headers = vec![get(7)];
    req.payload = Payload::Bytes(get(9).into_bytes());
    let creds = Credentials::builder(get(10), get(11)).security_token_opt(Some(get(12))).build();
    let _ = tc3::sign(&req, &creds);
});

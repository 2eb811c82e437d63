//! COS header signing never panics, and its steps stay consistent, on arbitrary request parts.
#![no_main]
use credchain::sign::{cos, crypto};
use credchain::Credentials;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts: Vec<String> = data.split(|b| *b == 0).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
    let get = |i: usize| parts.get(i).cloned().unwrap_or_default();
    let ts = i64::from_le_bytes(data.iter().copied().chain([0; 8]).take(8).collect::<Vec<_>>().try_into().unwrap());
    let expires = i64::from(data.first().copied().unwrap_or(0)) * 1000;
    let creds = Credentials::builder(get(0), get(1)).security_token_opt(Some(get(2))).build();
    let mut req = cos::CosRequest::new(get(3), get(4), ts, expires);
    req.params = vec![(get(5), get(6)), (get(7), get(8))];
    req.headers = vec![(get(9), get(10)), (get(11), get(12))];
    req.host = get(13);
    req.sign_host = data.len() % 2 == 0;
    if let Ok(s) = cos::sign(&req, &creds) {
        assert!(s.authorization.ends_with(&s.signature));
        assert_eq!(s.string_to_sign, format!("sha1\n{}\n{}\n", s.key_time, crypto::sha1_hex(s.http_string.as_bytes())));
        let _ = format!("{s:?}");
    }
});

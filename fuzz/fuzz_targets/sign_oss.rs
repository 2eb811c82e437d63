//! OSS V1 and V4 signing never panic on arbitrary request parts.
#![no_main]
use credchain::sign::oss;
use credchain::Credentials;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts: Vec<String> = data.split(|b| *b == 0).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
    let get = |i: usize| parts.get(i).cloned().unwrap_or_default();
    let ts = i64::from_le_bytes(data.iter().copied().chain([0; 8]).take(8).collect::<Vec<_>>().try_into().unwrap());
    let creds = Credentials::builder(get(0), get(1)).security_token_opt(Some(get(2))).build();
    let v1 = oss::OssV1Request {
        method: get(3),
        bucket: get(4),
        key: get(5),
        query: vec![(get(6), get(7))],
        headers: vec![(get(8), get(9))],
        ..oss::OssV1Request::default()
    };
    let _ = oss::sign_v1(&v1, &creds);
    let mut v4 = oss::OssV4Request::new(get(3), get(4), get(5), get(10), ts);
    v4.query = vec![(get(6), get(7))];
    v4.headers = vec![(get(8), get(9))];
    v4.additional_headers = vec![get(8)];
    let _ = oss::sign_v4(&v4, &creds);
});

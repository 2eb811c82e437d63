//! Tencent signature v1 never panics on arbitrary parameters.
#![no_main]
use credchain::sign::tc_v1;
use credchain::Credentials;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts: Vec<String> = data.split(|b| *b == 0).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
    let get = |i: usize| parts.get(i).cloned().unwrap_or_default();
    let ts = i64::from_le_bytes(data.iter().copied().chain([0; 8]).take(8).collect::<Vec<_>>().try_into().unwrap());
    let mut req = tc_v1::TcV1Request::new(get(0), get(1), get(2), get(3), ts, ts as u64);
    req.method = get(4);
    req.path = get(5);
    req.params.push((get(6), get(7)));
    let creds = Credentials::builder(get(8), get(9)).security_token_opt(Some(get(10))).build();
    let _ = tc_v1::sign(&req, &creds);
});

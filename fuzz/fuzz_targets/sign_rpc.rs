//! RPC v1 signing and percent-encoding never panic on arbitrary parameters.
#![no_main]
use credchain::sign::{encode, rpc};
use credchain::Credentials;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts: Vec<String> = data.split(|b| *b == 0).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
    let get = |i: usize| parts.get(i).cloned().unwrap_or_default();
    let mut req = rpc::RpcRequest::new(get(0), get(1), get(2), get(3), get(4));
    req.method = get(5);
    req.query.push((get(6), get(7)));
    req.form.push((get(8), get(9)));
    let creds = Credentials::builder(get(10), get(11)).security_token_opt(Some(get(12))).build();
    let _ = rpc::sign(&req, &creds);
    let encoded = encode::encode_param(&get(13));
    assert_eq!(encode::decode(&encoded), get(13).into_bytes());
});

//! Property test for the Tencent v1 fast path: `tc_v1::signature` equals the full result's
//! `signature` for any parameters (long lists spill past the stack), method, key and token.

use credchain::sign::tc_v1::{self, TcV1Method, TcV1Request};
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    prop_oneof!["[ -~]{0,16}", any::<String>()]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn signature_writer_equals_the_full_result(
        params in proptest::collection::vec(
            (prop_oneof![
                prop::sample::select(vec!["Action", "Signature", "Nonce", "SecretId", "Token", "a", "B"])
                    .prop_map(str::to_string),
                "[A-Za-z.]{1,4}",
                text(),
            ], text()),
            0..30,
        ),
        method in prop_oneof![Just("GET".to_string()), text()],
        host in text(),
        path in text(),
        sha256 in any::<bool>(),
        timestamp in any::<i64>(),
        nonce in any::<u64>(),
        id in text(),
        secret in prop_oneof![text(), "[a-z]{65,100}"],
        token in proptest::option::of(prop_oneof![Just(String::new()), text()]),
        prefix in text(),
    ) {
        let req = TcV1Request {
            method,
            host,
            path,
            params,
            signature_method: if sha256 { TcV1Method::HmacSha256 } else { TcV1Method::HmacSha1 },
            timestamp,
            nonce,
        };
        let full = tc_v1::sign_with_key(&req, &id, &secret, token.as_deref());
        prop_assert_eq!(&tc_v1::signature(&req, &id, &secret, token.as_deref()), &full.signature);
        let mut out = prefix.clone();
        tc_v1::write_signature(&req, &id, &secret, token.as_deref(), &mut out);
        prop_assert_eq!(out, format!("{prefix}{}", full.signature));
    }
}

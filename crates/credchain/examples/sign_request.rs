//! Sign a Tencent Cloud API 3.0 request with TC3-HMAC-SHA256 and send it with reqwest.
//!
//! ```text
//! cargo run -p credchain --example sign_request
//! ```
//!
//! Calls `cvm:DescribeRegions` (read-only) with the default chain's credentials. Without
//! credentials nothing is sent: the example prints the chain's error. The signer only builds
//! headers; any HTTP client can send them.

use std::time::{SystemTime, UNIX_EPOCH};

use credchain::context::Context;
use credchain::sign::tc3;
use credchain::sign::Payload;
use credchain::{tencent, ProvideCredentials};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let ctx = Context::real();
    let credentials = match tencent::default_chain(&ctx).provide_credentials().await {
        Ok(c) => c,
        Err(e) => {
            println!("no Tencent Cloud credentials, nothing sent: {e}");
            return;
        }
    };

    let host = "cvm.tencentcloudapi.com";
    let body = br#"{}"#.to_vec();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let mut req = tc3::Tc3Request::new(host, "DescribeRegions", "2017-03-12", now);
    req.region = "ap-guangzhou".into();
    req.payload = Payload::Bytes(body.clone());
    let signed = match tc3::sign(&req, &credentials) {
        Ok(s) => s,
        Err(e) => {
            println!("signing failed: {e}");
            return;
        }
    };

    let client = reqwest::Client::new();
    let mut http = client.post(format!("https://{host}/")).body(body);
    // `headers` holds everything to send: Authorization, Content-Type, Host, X-TC-*.
    for (name, value) in &signed.headers {
        if !name.eq_ignore_ascii_case("host") {
            http = http.header(name.as_str(), value.as_str());
        }
    }
    match http.send().await {
        Ok(resp) => {
            let status = resp.status();
            let text = resp.text().await.unwrap_or_default();
            println!("HTTP {status}: {text}");
        }
        Err(e) => println!("request failed: {e}"),
    }
}

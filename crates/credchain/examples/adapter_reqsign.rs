//! reqsign's OSS signer (the one OpenDAL uses) with credentials from a credchain provider.
//!
//! ```text
//! cargo run -p credchain --example adapter_reqsign --features reqsign
//! ```
//!
//! Starts the credchain emulator on 127.0.0.1 (nothing reaches a real cloud), signs a `PUT` of an
//! object with reqsign and sends it to the emulator's path-style bucket.

use credchain::adapters::reqsign::OssCredentialProvider;
use credchain::alibaba::StaticAccessKeyProvider;
use credchain_emulator::routes::alibaba_sts;
use credchain_emulator::Emulator;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emu = Emulator::start().await?;
    let loader = OssCredentialProvider::new(StaticAccessKeyProvider::new(
        alibaba_sts::ACCESS_KEY_ID,
        alibaba_sts::ACCESS_KEY_SECRET,
    )?);
    let signer = reqsign_core::Signer::new(
        reqsign_core::Context::new(),
        loader,
        reqsign_aliyun_oss::RequestSigner::new("emu-bucket"),
    );

    let url = emu.url("/emu-bucket/examples/hello.txt");
    let (mut parts, ()) = http::Request::builder()
        .method("PUT")
        .uri(&url)
        .header("content-type", "text/plain")
        .body(())?
        .into_parts();
    signer.sign(&mut parts, None).await?;
    let mut put = reqwest::Client::new().put(&url);
    for (name, value) in &parts.headers {
        put = put.header(name, value);
    }
    let answer = put.body("hello from reqsign").send().await?;
    println!("PUT: HTTP {}", answer.status());
    Ok(())
}

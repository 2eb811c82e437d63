//! A reqwest-middleware client that signs Alibaba (ACS3) and Tencent (TC3) API calls.
//!
//! ```text
//! cargo run -p credchain --example adapter_middleware --features middleware
//! ```
//!
//! Starts the credchain emulator on 127.0.0.1 (nothing reaches a real cloud) and calls its API
//! routes. On an expired-token answer the middleware refreshes the credentials once and retries.

use credchain::adapters::middleware::SigningMiddleware;
use credchain::alibaba::StaticAccessKeyProvider;
use credchain::{provide_fn, Credentials};
use credchain_emulator::routes::{alibaba_sts, tencent_sts};
use credchain_emulator::Emulator;
use reqwest_middleware::ClientBuilder;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emu = Emulator::start().await?;

    let alibaba = ClientBuilder::new(reqwest::Client::new())
        .with(SigningMiddleware::acs3(StaticAccessKeyProvider::new(
            alibaba_sts::ACCESS_KEY_ID,
            alibaba_sts::ACCESS_KEY_SECRET,
        )?))
        .build();
    let answer = alibaba
        .post(emu.url("/"))
        .header("x-acs-action", "DescribeRegions")
        .header("x-acs-version", "2014-05-26")
        .send()
        .await?;
    println!("ACS3: HTTP {} {}", answer.status(), answer.text().await?);

    let tencent = ClientBuilder::new(reqwest::Client::new())
        .with(SigningMiddleware::tc3(provide_fn("static", || async {
            Ok(Credentials::builder(
                tencent_sts::EMULATOR_SECRET_ID,
                tencent_sts::EMULATOR_SECRET_KEY,
            )
            .build())
        })))
        .build();
    let answer = tencent
        .post(emu.url("/"))
        .header("X-TC-Action", "DescribeRegions")
        .header("X-TC-Version", "2017-03-12")
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await?;
    println!("TC3: HTTP {} {}", answer.status(), answer.text().await?);
    Ok(())
}

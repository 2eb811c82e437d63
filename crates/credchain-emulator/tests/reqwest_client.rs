//! The same faults as seen by a production HTTP client (reqwest, as the library uses).

use std::time::{Duration, Instant};

use credchain_emulator::routes::{ALIBABA_CREDENTIALS_URI, TENCENT_CVM_CREDENTIALS};
use credchain_emulator::{Emulator, Fault};

async fn json(r: reqwest::Response) -> Result<serde_json::Value, String> {
    let bytes = r.bytes().await.map_err(|e| e.to_string())?;
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

#[tokio::test]
async fn reqwest_sees_every_fault() {
    let emu = Emulator::start().await.unwrap();
    let c = client();
    let url = emu.url("/credentials-uri");

    let v = json(c.get(&url).send().await.unwrap()).await.unwrap();
    assert_eq!(v["Code"], "Success");

    emu.push_fault(
        ALIBABA_CREDENTIALS_URI,
        Fault::status_with_body(500, "nope"),
    );
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 500);
    assert_eq!(r.text().await.unwrap(), "nope");

    emu.push_fault(ALIBABA_CREDENTIALS_URI, Fault::MalformedBody);
    let r = c.get(&url).send().await.unwrap();
    assert!(json(r).await.is_err());

    emu.push_fault(ALIBABA_CREDENTIALS_URI, Fault::TruncatedBody);
    let r = c.get(&url).send().await.unwrap();
    assert!(r.bytes().await.is_err());

    emu.push_fault(ALIBABA_CREDENTIALS_URI, Fault::DropConnection);
    assert!(c.get(&url).send().await.is_err());

    emu.push_fault(
        ALIBABA_CREDENTIALS_URI,
        Fault::Delay(Duration::from_millis(500)),
    );
    let err = c
        .get(&url)
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());

    let delay = Duration::from_millis(150);
    emu.push_fault(ALIBABA_CREDENTIALS_URI, Fault::Delay(delay));
    let started = Instant::now();
    assert_eq!(c.get(&url).send().await.unwrap().status(), 200);
    assert!(started.elapsed() >= delay);

    // The pooled keep-alive connection still works after all that.
    assert_eq!(c.get(&url).send().await.unwrap().status(), 200);
    assert_eq!(emu.issued_count(ALIBABA_CREDENTIALS_URI), 5);
}

#[tokio::test]
async fn reqwest_many_parallel_requests() {
    let emu = Emulator::start().await.unwrap();
    let c = client();
    let url = emu.url("/latest/meta-data/cam/security-credentials/EmulatorCvmRole");
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let (c, url) = (c.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            c.post(&url).send().await.unwrap().status().as_u16();
            json(c.get(&url).send().await.unwrap()).await.unwrap()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap()["Code"], "Success");
    }
    assert_eq!(emu.issued_count(TENCENT_CVM_CREDENTIALS), 64);
    assert_eq!(emu.unmatched_requests().len(), 64);
}

//! The built-in endpoints, custom routes and 404s over real HTTP.

mod common;

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use common::{get, get_with, raw, send};
use credchain_emulator::routes::*;
use credchain_emulator::time::{parse_utc, unix_seconds};
use credchain_emulator::{Cloud, Emulator, Matcher, Reply, Route};
use serde_json::json;

const ECS_LIST: &str = "/latest/meta-data/ram/security-credentials/";
const CVM_LIST: &str = "/latest/meta-data/cam/security-credentials/";
const TOKEN: &str = "/latest/api/token";

async fn imds_token(emu: &Emulator, ttl: &str) -> common::Response {
    send(
        emu.addr(),
        &raw(
            "PUT",
            TOKEN,
            &[("X-aliyun-ecs-metadata-token-ttl-seconds", ttl)],
            b"",
        ),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn alibaba_imds_v2_flow() {
    let emu = Emulator::start().await.unwrap();
    let t = imds_token(&emu, "21600").await;
    assert_eq!(t.status, 200);
    let token = t.text();
    assert!(!token.is_empty());
    let h = [("X-aliyun-ecs-metadata-token", token.as_str())];

    let role = get_with(emu.addr(), ECS_LIST, &h).await.unwrap();
    assert_eq!(
        (role.status, role.text().as_str()),
        (200, "EmulatorEcsRole")
    );

    let before = SystemTime::now();
    let r = get_with(emu.addr(), &format!("{ECS_LIST}EmulatorEcsRole"), &h)
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    let keys: HashSet<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        HashSet::from([
            "Code",
            "AccessKeyId",
            "AccessKeySecret",
            "SecurityToken",
            "Expiration",
            "LastUpdated"
        ])
    );
    assert_eq!(v["Code"], "Success");
    assert_eq!(v["AccessKeyId"], "STS.emu0001");
    let exp = v["Expiration"].as_str().unwrap();
    assert!(exp.ends_with('Z') && exp.len() == 20, "{exp}");
    let exp = unix_seconds(parse_utc(exp).unwrap());
    let expected = unix_seconds(before) + 3600;
    assert!((expected - 1..=expected + 2).contains(&exp));
    assert!(parse_utc(v["LastUpdated"].as_str().unwrap()).is_some());
    assert_eq!(emu.issued_count(ALIBABA_IMDS_CREDENTIALS), 1);

    let names: Vec<_> = emu
        .requests()
        .into_iter()
        .map(|r| r.route.unwrap())
        .collect();
    assert_eq!(
        names,
        [
            ALIBABA_IMDS_TOKEN,
            ALIBABA_IMDS_ROLE_LIST,
            ALIBABA_IMDS_CREDENTIALS
        ]
    );
}

#[tokio::test]
async fn imds_token_ttl_is_validated() {
    let emu = Emulator::start().await.unwrap();
    for bad in ["0", "21601", "abc", ""] {
        assert_eq!(imds_token(&emu, bad).await.status, 400, "ttl {bad:?}");
    }
    let r = send(emu.addr(), &raw("PUT", TOKEN, &[], b""))
        .await
        .unwrap();
    assert_eq!(r.status, 400);
    // GET on the token path is not the token route.
    assert_eq!(get(emu.addr(), TOKEN).await.unwrap().status, 404);
}

#[tokio::test]
async fn imds_token_requirement() {
    let emu = Emulator::start().await.unwrap();
    let creds = format!("{ECS_LIST}EmulatorEcsRole");
    // IMDSv1 allowed by default.
    assert_eq!(get(emu.addr(), &creds).await.unwrap().status, 200);
    // A bogus token is refused even then.
    let bogus = [("X-aliyun-ecs-metadata-token", "forged")];
    assert_eq!(
        get_with(emu.addr(), &creds, &bogus).await.unwrap().status,
        401
    );

    emu.set_require_imds_token(true);
    assert!(emu.config().require_imds_token);
    assert_eq!(get(emu.addr(), ECS_LIST).await.unwrap().status, 401);
    assert_eq!(get(emu.addr(), &creds).await.unwrap().status, 401);
    let token = imds_token(&emu, "60").await.text();
    let h = [("x-aliyun-ecs-metadata-token", token.as_str())];
    assert_eq!(
        get_with(emu.addr(), ECS_LIST, &h).await.unwrap().status,
        200
    );
    assert_eq!(get_with(emu.addr(), &creds, &h).await.unwrap().status, 200);
    assert_eq!(emu.issued_count(ALIBABA_IMDS_CREDENTIALS), 2);
}

#[tokio::test]
async fn imds_token_expires() {
    let emu = Emulator::start().await.unwrap();
    emu.set_require_imds_token(true);
    let token = imds_token(&emu, "1").await.text();
    assert!(emu.state().imds_token_is_valid(&token));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let h = [("X-aliyun-ecs-metadata-token", token.as_str())];
    assert_eq!(
        get_with(emu.addr(), ECS_LIST, &h).await.unwrap().status,
        401
    );
}

#[tokio::test]
async fn roles_can_be_unset_or_renamed() {
    let emu = Emulator::start().await.unwrap();
    emu.set_ecs_role_name(None);
    emu.set_cvm_role_name(None);
    assert_eq!(get(emu.addr(), ECS_LIST).await.unwrap().status, 404);
    assert_eq!(get(emu.addr(), CVM_LIST).await.unwrap().status, 404);
    assert_eq!(
        get(emu.addr(), &format!("{ECS_LIST}EmulatorEcsRole"))
            .await
            .unwrap()
            .status,
        404
    );

    emu.set_ecs_role_name(Some("my-role"));
    emu.set_cvm_role_name(Some("cvm-role"));
    assert_eq!(get(emu.addr(), ECS_LIST).await.unwrap().text(), "my-role");
    assert_eq!(get(emu.addr(), CVM_LIST).await.unwrap().text(), "cvm-role");
    assert_eq!(
        get(emu.addr(), &format!("{ECS_LIST}other"))
            .await
            .unwrap()
            .status,
        404
    );
    assert_eq!(
        get(emu.addr(), &format!("{ECS_LIST}my-role"))
            .await
            .unwrap()
            .status,
        200
    );
    assert_eq!(
        get(emu.addr(), &format!("{CVM_LIST}cvm-role"))
            .await
            .unwrap()
            .status,
        200
    );
    assert_eq!(emu.issued_count(ALIBABA_IMDS_CREDENTIALS), 1);
    assert_eq!(emu.issued_count(TENCENT_CVM_CREDENTIALS), 1);
}

#[tokio::test]
async fn tencent_cvm_metadata_shape() {
    let emu = Emulator::start().await.unwrap();
    let role = get(emu.addr(), CVM_LIST).await.unwrap();
    assert_eq!(
        (role.status, role.text().as_str()),
        (200, "EmulatorCvmRole")
    );
    let v = get(emu.addr(), &format!("{CVM_LIST}EmulatorCvmRole"))
        .await
        .unwrap()
        .json();
    let keys: HashSet<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        HashSet::from([
            "TmpSecretId",
            "TmpSecretKey",
            "ExpiredTime",
            "Expiration",
            "Token",
            "Code"
        ])
    );
    assert_eq!(v["Code"], "Success");
    assert!(v["TmpSecretId"].as_str().unwrap().starts_with("AKID"));
    let expired_time = v["ExpiredTime"].as_i64().unwrap();
    let expiration = parse_utc(v["Expiration"].as_str().unwrap()).unwrap();
    assert_eq!(unix_seconds(expiration), expired_time);
    assert!(expired_time > unix_seconds(SystemTime::now()) + 3500);
}

#[tokio::test]
async fn credentials_uri_shape_lifetime_and_custom_path() {
    let emu = Emulator::start().await.unwrap();
    emu.set_credential_lifetime(Duration::from_secs(900));
    let v = get(emu.addr(), "/credentials-uri?x=1&y")
        .await
        .unwrap()
        .json();
    let keys: HashSet<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        HashSet::from([
            "Code",
            "AccessKeyId",
            "AccessKeySecret",
            "SecurityToken",
            "Expiration"
        ])
    );
    let exp = unix_seconds(parse_utc(v["Expiration"].as_str().unwrap()).unwrap());
    let now = unix_seconds(SystemTime::now());
    assert!((now + 890..=now + 901).contains(&exp));

    emu.set_credentials_uri_path("/creds/ecs");
    assert_eq!(emu.config().credentials_uri_path, "/creds/ecs");
    assert_eq!(
        get(emu.addr(), "/credentials-uri").await.unwrap().status,
        404
    );
    assert_eq!(get(emu.addr(), "/creds/ecs").await.unwrap().status, 200);
    assert_eq!(emu.issued_count(ALIBABA_CREDENTIALS_URI), 2);
    // Replaced in place, not duplicated.
    assert_eq!(
        emu.route_names()
            .iter()
            .filter(|n| *n == ALIBABA_CREDENTIALS_URI)
            .count(),
        1
    );
}

#[tokio::test]
async fn issued_ids_are_unique_across_routes() {
    let emu = Emulator::start().await.unwrap();
    for path in [
        "/credentials-uri",
        "/latest/meta-data/ram/security-credentials/EmulatorEcsRole",
        "/latest/meta-data/cam/security-credentials/EmulatorCvmRole",
        "/credentials-uri",
    ] {
        assert_eq!(get(emu.addr(), path).await.unwrap().status, 200);
    }
    let issued = emu.issued();
    assert_eq!(issued.len(), 4);
    let ids: HashSet<_> = issued.iter().map(|c| c.access_key_id.clone()).collect();
    let secrets: HashSet<_> = issued.iter().map(|c| c.access_key_secret.clone()).collect();
    let tokens: HashSet<_> = issued.iter().map(|c| c.security_token.clone()).collect();
    assert_eq!((ids.len(), secrets.len(), tokens.len()), (4, 4, 4));
    assert_eq!(issued[0].access_key_id, "STS.emu0001");
    assert_eq!(issued[2].access_key_id, "AKIDemu0003");
    assert_eq!(emu.issued_count(ALIBABA_CREDENTIALS_URI), 2);
    assert_eq!(emu.issued_count(ALIBABA_IMDS_CREDENTIALS), 1);
    assert_eq!(emu.issued_count(TENCENT_CVM_CREDENTIALS), 1);
}

#[tokio::test]
async fn unknown_path_is_a_recorded_json_404() {
    let emu = Emulator::start().await.unwrap();
    let r = get(emu.addr(), "/nope?secret=1").await.unwrap();
    assert_eq!(r.status, 404);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    assert_eq!(v["Code"], "EmulatorRouteNotFound");
    assert!(!v["Message"].as_str().unwrap().contains("secret"));
    let unmatched = emu.unmatched_requests();
    assert_eq!(unmatched.len(), 1);
    assert_eq!(
        (unmatched[0].path.as_str(), unmatched[0].query.as_str()),
        ("/nope", "secret=1")
    );
    assert_eq!(unmatched[0].route, None);
    // Wrong method on a known path is unmatched too.
    let r = send(emu.addr(), &raw("POST", "/credentials-uri", &[], b"{}"))
        .await
        .unwrap();
    assert_eq!(r.status, 404);
    assert_eq!(emu.unmatched_requests().len(), 2);
}

fn sts_like_route(name: &str, matcher: Matcher, cloud: Cloud) -> Route {
    Route::new(name, matcher, move |req, ctx| {
        let c = ctx.issue_credentials(cloud);
        Reply::json(
            200,
            json!({
                "Credentials": {"AccessKeyId": c.access_key_id, "Expiration": c.expiration_utc()},
                "Session": req.param("RoleSessionName"),
            }),
        )
    })
}

#[tokio::test]
async fn custom_routes_dispatch_by_predicate() {
    let emu = Emulator::start().await.unwrap();
    emu.add_route(sts_like_route(
        "alibaba.sts.assume_role",
        Matcher::rpc_action("AssumeRole"),
        Cloud::Alibaba,
    ));
    emu.add_route(sts_like_route(
        "alibaba.sts.assume_role_with_oidc",
        Matcher::rpc_action("AssumeRoleWithOIDC"),
        Cloud::Alibaba,
    ));
    emu.add_route(sts_like_route(
        "tencent.sts.assume_role",
        Matcher::tc3_action("AssumeRole"),
        Cloud::Tencent,
    ));

    // Alibaba RPC GET, parameters in the query.
    let r = get(emu.addr(), "/?Action=AssumeRole&RoleSessionName=a%20b")
        .await
        .unwrap();
    assert_eq!(r.json()["Session"], "a b");
    // Alibaba RPC POST, Action in the query, the rest in the form body.
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let r = send(
        emu.addr(),
        &raw(
            "POST",
            "/?Action=AssumeRoleWithOIDC",
            &form,
            b"RoleSessionName=oidc+s",
        ),
    )
    .await
    .unwrap();
    assert_eq!(r.json()["Session"], "oidc s");
    // Alibaba RPC POST, Action in the form body only.
    let r = send(
        emu.addr(),
        &raw("POST", "/", &form, b"Action=AssumeRole&RoleSessionName=f"),
    )
    .await
    .unwrap();
    assert_eq!(r.json()["Session"], "f");
    // Tencent: POST / with X-TC-Action.
    let tc = [
        ("Content-Type", "application/json"),
        ("X-TC-Action", "AssumeRole"),
    ];
    let r = send(emu.addr(), &raw("POST", "/", &tc, br#"{"RoleArn":"x"}"#))
        .await
        .unwrap();
    assert!(r.json()["Credentials"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .starts_with("AKID"));
    // POST / with neither: 404.
    let r = send(emu.addr(), &raw("POST", "/", &[], b"{}"))
        .await
        .unwrap();
    assert_eq!(r.status, 404);

    assert_eq!(emu.issued_count("alibaba.sts.assume_role"), 2);
    assert_eq!(emu.issued_count("alibaba.sts.assume_role_with_oidc"), 1);
    assert_eq!(emu.issued_count("tencent.sts.assume_role"), 1);
    assert_eq!(
        emu.requests_for("tencent.sts.assume_role")[0].body,
        br#"{"RoleArn":"x"}"#
    );

    // Faults apply to custom routes by name, including nested missing fields.
    emu.push_fault(
        "tencent.sts.assume_role",
        credchain_emulator::Fault::missing_fields(["Credentials.Expiration"]),
    );
    let v = send(emu.addr(), &raw("POST", "/", &tc, b"{}"))
        .await
        .unwrap()
        .json();
    assert!(v["Credentials"].get("Expiration").is_none());
    assert!(v["Credentials"].get("AccessKeyId").is_some());

    assert!(emu.remove_route("tencent.sts.assume_role"));
    assert!(!emu.remove_route("tencent.sts.assume_role"));
    let r = send(emu.addr(), &raw("POST", "/", &tc, b"{}"))
        .await
        .unwrap();
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn panicking_handler_answers_500_and_server_survives() {
    let emu = Emulator::start().await.unwrap();
    emu.add_route(Route::new(
        "test.panic",
        Matcher::method_path("GET", "/panic"),
        |_, _| panic!("handler bug"),
    ));
    let r = get(emu.addr(), "/panic").await.unwrap();
    assert_eq!(r.status, 500);
    assert_eq!(
        get(emu.addr(), "/credentials-uri").await.unwrap().status,
        200
    );
}

#[test]
fn route_names_are_stable() {
    assert_eq!(ALIBABA_IMDS_TOKEN, "alibaba.imds.token");
    assert_eq!(ALIBABA_IMDS_ROLE_LIST, "alibaba.imds.role_list");
    assert_eq!(ALIBABA_IMDS_CREDENTIALS, "alibaba.imds.credentials");
    assert_eq!(ALIBABA_CREDENTIALS_URI, "alibaba.credentials_uri");
    assert_eq!(TENCENT_CVM_ROLE_LIST, "tencent.cvm.role_list");
    assert_eq!(TENCENT_CVM_CREDENTIALS, "tencent.cvm.credentials");
}

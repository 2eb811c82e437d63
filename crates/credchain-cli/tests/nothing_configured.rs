//! With nothing configured, `get` prints the chain's error on several lines, one per source,
//! and the Alibaba hint names the files and profiles too, not only the variables.

mod common;

use common::{credchain_in, output, scratch};

fn get(cloud: &str) -> String {
    let o = output(
        credchain_in(&scratch(&format!("nothing-{cloud}")))
            .args(["get", "--cloud", cloud, "--format", "json"]),
    );
    assert_eq!(o.status.code(), Some(1));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn alibaba_lists_one_source_per_line_and_names_the_files() {
    let err = get("alibaba");
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines[0].starts_with("credchain: error: default: no credentials found"),
        "{err}"
    );
    let sources = lines.iter().filter(|l| l.starts_with("  - ")).count();
    assert!(sources >= 3, "{err}");
    assert!(
        lines.iter().any(|l| l.starts_with("  - cli_profile: ")),
        "{err}"
    );
    assert!(lines.iter().all(|l| l.len() < 400), "{err}");
    let fix = lines.last().unwrap();
    assert!(fix.starts_with("  To fix: "), "{err}");
    assert!(
        fix.contains("~/.aliyun/config.json") && fix.contains("credentials.ini"),
        "{err}"
    );
}

#[test]
fn tencent_lists_one_source_per_line() {
    let err = get("tencent");
    assert!(
        err.lines().filter(|l| l.starts_with("  - ")).count() >= 2,
        "{err}"
    );
    assert!(
        err.lines()
            .last()
            .unwrap()
            .contains("TENCENTCLOUD_SECRET_ID"),
        "{err}"
    );
}

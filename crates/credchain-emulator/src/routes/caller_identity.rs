//! `GetCallerIdentity` answers for both clouds: who the (already verified) key belongs to.
//!
//! The generic API routes ([`super::alibaba_api`], [`super::tencent_api`]) verify the signature
//! as for any action and then answer `GetCallerIdentity` from here:
//!
//! - a configured long-term key is the emulated account's root identity
//!   (Alibaba `IdentityType: Account`, ARN `acs:ram::<account>:root`; Tencent `Type: RootAccount`,
//!   ARN `qcs::cam::uin/<uin>:uin/<uin>`);
//! - credentials the emulator issued are the role they were issued for
//!   ([`crate::EmulatorState::assumed_role`]: AssumeRole's `RoleArn`/`RoleSessionName`, the
//!   instance role name for metadata credentials), ARN
//!   `acs:ram::<account>:assumed-role/<role>/<session>` or
//!   `qcs::sts:<uin>:assumed-role/<role>/<session>`; credentials issued by a route that names no
//!   role (credentials URI, OAuth, CloudSSO, session key) report the role `<route name>` and the
//!   session `emulator`.
//!
//! The account is the one in the role ARN when there is one, else [`ALIBABA_ACCOUNT_ID`] /
//! [`TENCENT_ACCOUNT_UIN`].

use serde_json::{json, Value};

use crate::route::RouteContext;
use crate::state::AssumedRole;

/// The emulated Alibaba account id.
pub const ALIBABA_ACCOUNT_ID: &str = "1234567890123456";
/// The emulated Tencent account (root uin).
pub const TENCENT_ACCOUNT_UIN: &str = "100000000001";

/// Who `access_key_id` is, for an issued key (`None`: a long-term key).
fn issued_role(ctx: &RouteContext<'_>, access_key_id: &str) -> Option<AssumedRole> {
    if let Some(role) = ctx.state().assumed_role(access_key_id) {
        return Some(role);
    }
    ctx.state()
        .issued_with_key(access_key_id)
        .map(|c| AssumedRole {
            role_arn: c.route,
            session: "emulator".into(),
        })
}

/// `(account, role name)` of a role ARN such as `acs:ram::123:role/name` or
/// `qcs::cam::uin/123:roleName/name`; a bare name belongs to `default_account`.
fn split_role_arn(arn: &str, default_account: &str) -> (String, String) {
    let name = arn.rsplit('/').next().unwrap_or(arn).to_string();
    let account = arn
        .split(':')
        .find_map(|part| {
            let digits = part.strip_prefix("uin/").unwrap_or(part);
            (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| digits.to_string())
        })
        .unwrap_or_else(|| default_account.to_string());
    (account, name)
}

/// The fields of an Alibaba `GetCallerIdentity` answer (without `RequestId`).
pub fn alibaba(ctx: &RouteContext<'_>, access_key_id: &str) -> Value {
    match issued_role(ctx, access_key_id) {
        None => json!({
            "AccountId": ALIBABA_ACCOUNT_ID,
            "UserId": ALIBABA_ACCOUNT_ID,
            "PrincipalId": ALIBABA_ACCOUNT_ID,
            "Arn": format!("acs:ram::{ALIBABA_ACCOUNT_ID}:root"),
            "IdentityType": "Account",
        }),
        Some(role) => {
            let (account, name) = split_role_arn(&role.role_arn, ALIBABA_ACCOUNT_ID);
            let role_id = format!("3{:017}", name.len());
            json!({
                "AccountId": account,
                "UserId": format!("{role_id}:{}", role.session),
                "PrincipalId": format!("{role_id}:{}", role.session),
                "RoleId": role_id,
                "Arn": format!("acs:ram::{account}:assumed-role/{name}/{}", role.session),
                "IdentityType": "AssumedRoleUser",
            })
        }
    }
}

/// The fields of a Tencent `GetCallerIdentity` answer (without `RequestId`).
pub fn tencent(ctx: &RouteContext<'_>, secret_id: &str) -> Value {
    match issued_role(ctx, secret_id) {
        None => json!({
            "AccountId": TENCENT_ACCOUNT_UIN,
            "UserId": TENCENT_ACCOUNT_UIN,
            "PrincipalId": TENCENT_ACCOUNT_UIN,
            "Arn": format!("qcs::cam::uin/{TENCENT_ACCOUNT_UIN}:uin/{TENCENT_ACCOUNT_UIN}"),
            "Type": "RootAccount",
        }),
        Some(role) => {
            let (account, name) = split_role_arn(&role.role_arn, TENCENT_ACCOUNT_UIN);
            json!({
                "AccountId": account,
                "UserId": format!("{name}:{}", role.session),
                "PrincipalId": account,
                "Arn": format!("qcs::sts:{account}:assumed-role/{name}/{}", role.session),
                "Type": "CAMRole",
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_split_into_account_and_name() {
        assert_eq!(
            split_role_arn("acs:ram::1357:role/ops", "9"),
            ("1357".into(), "ops".into())
        );
        assert_eq!(
            split_role_arn("qcs::cam::uin/2468:roleName/dev", "9"),
            ("2468".into(), "dev".into())
        );
        assert_eq!(
            split_role_arn("EcsRole", "9"),
            ("9".into(), "EcsRole".into())
        );
    }
}

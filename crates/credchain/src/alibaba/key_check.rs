//! The one check of Alibaba Cloud AccessKey values a user supplies (environment variables,
//! `Config`, `config.json`, `credentials.ini`, an `External` process): a value with leading or
//! trailing whitespace is refused, as the Tencent SDK refuses one ([`crate::tencent::validate_field`]).
//!
//! A padded key is almost always a copy-paste slip or a file read with its newline; the official
//! Alibaba libraries pass it on, and the server then answers a confusing signature error (or, for
//! an id, an unknown-key error). credchain says what is wrong before any request. The value is
//! never shown. Inner spaces are left alone. Values issued by servers (STS, ECS metadata, OAuth)
//! are not checked here.

use crate::error::{Error, ErrorKind, Result};

/// Refuses an id, secret or token with surrounding whitespace, naming the field.
pub(crate) fn check_keys(id: &str, secret: &str, token: Option<&str>) -> Result<()> {
    let fields = [
        ("access key id", Some(id)),
        ("access key secret", Some(secret)),
        ("security token", token),
    ];
    for (what, value) in fields {
        let Some(v) = value else { continue };
        if v.trim() != v {
            return Err(Error::new(
                ErrorKind::InvalidCredential,
                format!("the {what} has leading or trailing whitespace"),
            )
            .with_hint(format!(
                "remove the spaces or newlines around the {what} where it is set"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_values_are_refused_by_name_without_the_value() {
        assert!(check_keys("LTAI a", "s e", Some("t t")).is_ok());
        for (id, secret, token, what) in [
            (" LTAIx", "s", None, "access key id"),
            ("LTAIx", "secret\n", None, "access key secret"),
            ("LTAIx", "s", Some("\ttok"), "security token"),
        ] {
            let e = check_keys(id, secret, token).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidCredential);
            let text = e.to_string();
            assert!(text.contains(what), "{text}");
            assert!(
                !text.contains("LTAIx") && !text.contains("secret\n"),
                "{text}"
            );
        }
    }
}

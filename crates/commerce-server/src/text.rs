//! Limits on the free text clients store: company names and descriptions.
//!
//! A name is at most [`MAX_COMPANY_NAME_CHARS`] characters with no control characters; a
//! description at most [`MAX_COMPANY_DESCRIPTION_CHARS`], with no control characters other
//! than line breaks and tabs. Anything else is a 400 naming the field.
//!
//! Also the one way a URL that may carry a password is shown in logs ([`redact_url`]).

use crate::error::ApiError;

/// The longest company name, in characters.
pub const MAX_COMPANY_NAME_CHARS: usize = 200;
/// The longest company description, in characters.
pub const MAX_COMPANY_DESCRIPTION_CHARS: usize = 4000;

/// A company name, trimmed; empty, too long or with control characters is a 400.
pub(crate) fn company_name(text: Option<&str>) -> Result<String, ApiError> {
    let name = text.map(str::trim).unwrap_or_default();
    if name.is_empty() {
        return Err(ApiError::invalid("name", "name is required"));
    }
    check("name", name, MAX_COMPANY_NAME_CHARS, |_| false)?;
    Ok(name.to_owned())
}

/// A company description (empty is none); too long or with control characters other than
/// line breaks and tabs is a 400.
pub(crate) fn company_description(text: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(text) = text.filter(|text| !text.is_empty()) else {
        return Ok(None);
    };
    check("description", &text, MAX_COMPANY_DESCRIPTION_CHARS, |c| {
        matches!(c, '\n' | '\r' | '\t')
    })?;
    Ok(Some(text))
}

fn check(
    field: &'static str,
    text: &str,
    max: usize,
    allowed_control: impl Fn(char) -> bool,
) -> Result<(), ApiError> {
    let length = text.chars().count();
    if length > max {
        return Err(ApiError::invalid(
            field,
            format!("{field} is {length} characters long; the maximum is {max}"),
        ));
    }
    if let Some(control) = text
        .chars()
        .find(|c| c.is_control() && !allowed_control(*c))
    {
        return Err(ApiError::invalid(
            field,
            format!(
                "{field} must not contain control characters (found U+{:04X})",
                u32::from(control)
            ),
        ));
    }
    Ok(())
}

/// A URL (the database's, a webhook consumer's) without its password, for logs.
pub(crate) fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Cannot fail for URLs that have a password (they have a host).
            let _ = parsed.set_password(Some("redacted"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => "[unparsable url]".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_bounded_and_printable() {
        assert_eq!(company_name(Some("  Acme Ltd ")).unwrap(), "Acme Ltd");
        assert_eq!(
            company_name(Some("Café Zoë 北京")).unwrap(),
            "Café Zoë 北京"
        );
        assert!(company_name(None).is_err());
        assert!(company_name(Some("   ")).is_err());
        assert!(company_name(Some(&"é".repeat(MAX_COMPANY_NAME_CHARS))).is_ok());
        let long = company_name(Some(&"a".repeat(MAX_COMPANY_NAME_CHARS + 1))).unwrap_err();
        assert!(
            long.message.contains("the maximum is 200"),
            "{}",
            long.message
        );
        for bad in ["a\nb", "a\u{0}b", "a\u{1b}[31mb", "a\u{85}b", "a\tb"] {
            let error = company_name(Some(bad)).unwrap_err();
            assert!(error.message.contains("control characters"), "{bad:?}");
        }
    }

    #[test]
    fn descriptions_keep_line_breaks_and_refuse_other_controls() {
        assert_eq!(company_description(Some(String::new())).unwrap(), None);
        assert_eq!(
            company_description(Some("line 1\r\nline 2\tend".into())).unwrap(),
            Some("line 1\r\nline 2\tend".into())
        );
        assert!(company_description(Some("bell \u{7}".into())).is_err());
        assert!(company_description(Some("x".repeat(MAX_COMPANY_DESCRIPTION_CHARS + 1))).is_err());
    }
}

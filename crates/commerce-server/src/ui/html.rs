//! Rendering: the dashboard's minijinja templates (compiled into the binary from
//! `templates/`, HTML auto-escaped) and the headers every page carries.
//!
//! Pages get a strict `Content-Security-Policy` (no script at all, inline styles only, forms
//! only to this origin, no framing), `X-Frame-Options: DENY`, `Referrer-Policy: same-origin`
//! and `Cache-Control: no-store` (they show account data).

use std::sync::LazyLock;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::{AutoEscape, Environment};
use serde::Serialize;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("message.html", include_str!("../../templates/message.html")),
    (
        "companies.html",
        include_str!("../../templates/companies.html"),
    ),
    (
        "connection.html",
        include_str!("../../templates/connection.html"),
    ),
    ("records.html", include_str!("../../templates/records.html")),
    (
        "consumers.html",
        include_str!("../../templates/consumers.html"),
    ),
    (
        "webhooks.html",
        include_str!("../../templates/webhooks.html"),
    ),
    (
        "api_keys.html",
        include_str!("../../templates/api_keys.html"),
    ),
];

const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

static ENVIRONMENT: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut environment = Environment::new();
    environment.set_formatter(escape_html);
    for (name, source) in TEMPLATES {
        if let Err(error) = environment.add_template(name, source) {
            tracing::error!(template = name, %error, "dashboard template does not compile");
        }
    }
    environment
});

/// minijinja's HTML escaping also escapes `/`, which makes every URL in the page unreadable
/// (`&#x2f;ui&#x2f;...`); strings are escaped here with the five characters that matter
/// (`& < > " '`), everything else goes to minijinja's own formatter.
fn escape_html(
    out: &mut minijinja::Output<'_>,
    state: &minijinja::State<'_, '_>,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    match value.as_str() {
        Some(text) if state.auto_escape() == AutoEscape::Html && !value.is_safe() => {
            let mut escaped = String::with_capacity(text.len());
            for character in text.chars() {
                match character {
                    '&' => escaped.push_str("&amp;"),
                    '<' => escaped.push_str("&lt;"),
                    '>' => escaped.push_str("&gt;"),
                    '"' => escaped.push_str("&quot;"),
                    '\'' => escaped.push_str("&#39;"),
                    other => escaped.push(other),
                }
            }
            out.write_str(&escaped).map_err(minijinja::Error::from)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// Renders `template` with `context` into a page with the dashboard's headers.
pub(crate) fn render<C: Serialize>(status: StatusCode, template: &str, context: C) -> Response {
    let rendered = ENVIRONMENT
        .get_template(template)
        .and_then(|template| template.render(context));
    match rendered {
        Ok(body) => with_headers(status, body),
        Err(error) => {
            tracing::error!(template, %error, "dashboard page failed to render");
            with_headers(
                StatusCode::INTERNAL_SERVER_ERROR,
                "<!doctype html><title>Error</title><p>This page could not be shown.</p>"
                    .to_owned(),
            )
        }
    }
}

#[derive(Serialize)]
struct MessageContext<'a> {
    title: &'a str,
    message: &'a str,
    back: Option<Link<'a>>,
}

#[derive(Serialize)]
struct Link<'a> {
    href: &'a str,
    label: &'a str,
}

/// A page with a heading, one message and an optional link back.
pub(crate) fn message_page(
    status: StatusCode,
    title: &str,
    message: &str,
    back: Option<(&str, &str)>,
) -> Response {
    render(
        status,
        "message.html",
        MessageContext {
            title,
            message,
            back: back.map(|(href, label)| Link { href, label }),
        },
    )
}

fn with_headers(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        for (name, _) in TEMPLATES {
            assert!(ENVIRONMENT.get_template(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn text_is_escaped_and_urls_stay_readable() {
        let template = ENVIRONMENT.get_template("message.html").unwrap();
        let body = template
            .render(MessageContext {
                title: "Title",
                message: "<script>\"x\" & 'y'</script>",
                back: Some(Link {
                    href: "/ui/connections/1?a=1&b=2",
                    label: "Back",
                }),
            })
            .unwrap();
        assert!(
            body.contains("&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"),
            "{body}"
        );
        assert!(!body.contains("<script>"));
        assert!(
            body.contains("href=\"/ui/connections/1?a=1&amp;b=2\""),
            "{body}"
        );
    }
}

//! Who may see the dashboard and how its forms are protected.
//!
//! - Authentication: the API's keys, sent by the browser as HTTP Basic credentials. A browser
//!   sends `base64(user:password)`, so the key is accepted as the password (any user name), as
//!   the user name with an empty password, or alone (Codat's `base64(key)`). Anything else is
//!   `401` with `WWW-Authenticate: Basic realm="commerce"` so the browser asks for it.
//! - Cross-site request forgery: a browser re-sends Basic credentials on any request to this
//!   origin, including a form another site posts here, so every `POST` must carry a token
//!   only our own pages know and must not come from another origin:
//!   1. the form's `csrf` field must equal `HMAC-SHA256(api key, "commerce dashboard csrf v1")`
//!      (hex), computed from the key the request authenticated with. Another site cannot read
//!      our pages (same-origin policy) and cannot compute it without the key; it is the same
//!      in every server process, so it works behind a load balancer and across restarts.
//!   2. `Sec-Fetch-Site`, when the browser sends it, must be `same-origin` (or `none`), and
//!      `Origin` (else `Referer`), when present, must be this server (the `Host` it was reached
//!      at, or the configured public URL).
//!
//!   Pages are also sent with `X-Frame-Options: DENY` and `frame-ancestors 'none'` so they
//!   cannot be framed to trick a click on a button (see `super::html`).
//!
//! Must not depend on any platform crate.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::state::AppState;

/// The realm the browser shows in its password prompt.
const REALM: &str = "Basic realm=\"commerce\", charset=\"UTF-8\"";
const CSRF_CONTEXT: &[u8] = b"commerce dashboard csrf v1";

/// The authenticated viewer of a page: what the forms need (the CSRF token of its key).
#[derive(Clone)]
pub(crate) struct Viewer {
    csrf_token: String,
}

impl Viewer {
    fn for_key(key: &str) -> Viewer {
        Viewer {
            csrf_token: csrf_token(key),
        }
    }

    /// The token to put in every form of this viewer's pages.
    pub(crate) fn csrf_token(&self) -> &str {
        &self.csrf_token
    }

    /// Whether a submitted token is this viewer's (compared in constant time).
    pub(crate) fn accepts_token(&self, submitted: &str) -> bool {
        bool::from(self.csrf_token.as_bytes().ct_eq(submitted.as_bytes()))
    }
}

impl std::fmt::Debug for Viewer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Viewer").finish_non_exhaustive()
    }
}

/// `HMAC-SHA256(key, context)` in hex: unforgeable without the key, and reveals nothing of it.
fn csrf_token(key: &str) -> String {
    match Hmac::<Sha256>::new_from_slice(key.as_bytes()) {
        Ok(mut mac) => {
            mac.update(CSRF_CONTEXT);
            hex::encode(mac.finalize().into_bytes())
        }
        // HMAC takes keys of any length; this arm is never reached.
        Err(_) => String::new(),
    }
}

/// The API key a Basic `Authorization` value carries, if it is an accepted one.
async fn accepted_key(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (user, password) = decoded_pair(value)?;
    // The browser's sign-in sends `user:password`; the key is the password (the user name is
    // ignored), or the user name with an empty password.
    let mut candidates = crate::auth::candidates(value);
    if !password.is_empty() {
        candidates.push(password);
    } else if !user.is_empty() {
        candidates.push(user);
    }
    crate::auth::accepted(&state.inner.api_keys, state.store(), &candidates).await
}

/// The `user:password` of a Basic value (the whole text as user when there is no colon).
fn decoded_pair(value: &str) -> Option<(String, String)> {
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    Some(match decoded.split_once(':') {
        Some((user, password)) => (user.to_owned(), password.to_owned()),
        None => (decoded, String::new()),
    })
}

/// Middleware: lets through requests with an accepted key (adding a [`Viewer`]), answers the
/// rest with `401` and a Basic challenge.
pub(crate) async fn require_viewer(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    match accepted_key(&state, request.headers()).await {
        Some(key) => {
            request.extensions_mut().insert(Viewer::for_key(&key));
            next.run(request).await
        }
        None => {
            let mut response = super::html::message_page(
                StatusCode::UNAUTHORIZED,
                "Sign in required",
                "This dashboard needs an API key of this server: enter it as the password \
                 (the user name is ignored).",
                None,
            );
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(REALM));
            response
        }
    }
}

/// Checks a form submission (see the module docs); `Err` says why it is refused.
pub(crate) fn check_form(
    state: &AppState,
    viewer: &Viewer,
    headers: &HeaderMap,
    submitted_token: Option<&str>,
) -> Result<(), &'static str> {
    const OTHER_SITE: &str = "The form was sent from another site.";
    if let Some(site) = headers
        .get("sec-fetch-site")
        .and_then(|value| value.to_str().ok())
    {
        if !matches!(site, "same-origin" | "none") {
            return Err(OTHER_SITE);
        }
    }
    let origin = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|value| value.to_str().ok());
    if let Some(origin) = origin {
        if !is_same_origin(state, headers, origin) {
            return Err(OTHER_SITE);
        }
    }
    match submitted_token {
        Some(token) if viewer.accepts_token(token) => Ok(()),
        _ => Err(
            "The form's security token is missing or out of date; reload the page and try again.",
        ),
    }
}

/// The `403` page for a refused form.
pub(crate) fn refused(reason: &str) -> Response {
    super::html::message_page(
        StatusCode::FORBIDDEN,
        "Form refused",
        reason,
        Some(("/ui", "Back to the dashboard")),
    )
}

/// Whether `origin` (an `Origin` value or a `Referer` URL) is this server: the host the
/// request was sent to, or the configured public URL.
fn is_same_origin(state: &AppState, headers: &HeaderMap, origin: &str) -> bool {
    let Ok(url) = url::Url::parse(origin) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let authority = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    let request_host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok());
    if request_host.is_some_and(|request_host| request_host.eq_ignore_ascii_case(&authority)) {
        return true;
    }
    url::Url::parse(state.public_url())
        .map(|public| public.origin() == url.origin())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_token_depends_on_the_key_and_is_not_the_key() {
        let one = csrf_token("key-one-0123456789");
        assert_eq!(one.len(), 64);
        assert_eq!(one, csrf_token("key-one-0123456789"));
        assert_ne!(one, csrf_token("key-two-0123456789"));
        assert!(!one.contains("key-one"));
        let viewer = Viewer::for_key("key-one-0123456789");
        assert!(viewer.accepts_token(&one));
        assert!(!viewer.accepts_token(&csrf_token("key-two-0123456789")));
        assert!(!viewer.accepts_token(""));
        assert!(!format!("{viewer:?}").contains(&one));
    }
}

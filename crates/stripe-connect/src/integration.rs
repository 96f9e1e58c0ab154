//! A platform's Connect settings for one mode: the Connect client id (`ca_...`), the secret key,
//! the redirect URI, the scope and the Connect base URL.
//!
//! Everything is checked when the [`Integration`] is built, so a key of the wrong mode never
//! reaches Stripe. No I/O here.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::error::ConnectError;

/// Stripe's Connect host, used when no other base URL is configured.
pub const DEFAULT_CONNECT_BASE: &str = "https://connect.stripe.com";

/// Stripe's mode: test mode or live mode. Keys, accounts and tokens belong to one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Test mode: `sk_test_`/`rk_test_` keys, `livemode: false`.
    Test,
    /// Live mode: `sk_live_`/`rk_live_` keys, `livemode: true`.
    Live,
}

impl Mode {
    /// Whether Stripe reports `livemode: true` in this mode.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Live)
    }

    /// The mode of Stripe's `livemode` flag.
    pub fn from_livemode(livemode: bool) -> Self {
        if livemode {
            Self::Live
        } else {
            Self::Test
        }
    }

    /// `test` or `live`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Test => "test",
            Self::Live => "live",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The OAuth scope requested from the merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Scope {
    /// `read_only`: Stripe's default and this crate's. Stripe only grants it to platforms it
    /// has enabled it for.
    #[default]
    ReadOnly,
    /// `read_write`: the fallback when Stripe does not enable `read_only` for the platform.
    ReadWrite,
}

impl Scope {
    /// The scope as Stripe spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReadOnly => "read_only",
            Self::ReadWrite => "read_write",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A platform's checked Connect settings for one mode (test or live).
///
/// Build it with [`Integration::builder`]. `Debug` never shows the secret key.
#[derive(Clone)]
pub struct Integration {
    mode: Mode,
    client_id: String,
    secret_key: SecretString,
    redirect_uri: Url,
    scope: Scope,
    connect_base: Url,
}

/// Builds an [`Integration`]; [`IntegrationBuilder::build`] checks every value.
#[derive(Clone)]
pub struct IntegrationBuilder {
    mode: Mode,
    client_id: String,
    secret_key: SecretString,
    redirect_uri: String,
    scope: Scope,
    connect_base: String,
}

impl Integration {
    /// Starts building the settings for `mode` with the Connect client id (`ca_...`), the
    /// platform's secret key of the same mode (a `&str`, `String` or `SecretString`) and the
    /// redirect URI registered in Stripe's Connect settings.
    pub fn builder(
        mode: Mode,
        client_id: impl Into<String>,
        secret_key: impl Into<SecretString>,
        redirect_uri: impl Into<String>,
    ) -> IntegrationBuilder {
        IntegrationBuilder {
            mode,
            client_id: client_id.into(),
            secret_key: secret_key.into(),
            redirect_uri: redirect_uri.into(),
            scope: Scope::default(),
            connect_base: DEFAULT_CONNECT_BASE.to_owned(),
        }
    }

    /// Test or live.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The Connect client id (`ca_...`).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The platform secret key. Also the key to call the API for connected accounts with
    /// (`Stripe-Account: acct_...`).
    pub fn secret_key(&self) -> &SecretString {
        &self.secret_key
    }

    /// The redirect URI sent with the authorize request.
    pub fn redirect_uri(&self) -> &Url {
        &self.redirect_uri
    }

    /// The scope requested.
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// The Connect base URL (`https://connect.stripe.com` unless overridden).
    pub fn connect_base(&self) -> &Url {
        &self.connect_base
    }

    /// Stripe's authorize URL for these settings and the caller's `state` (see
    /// [`crate::AuthorizeUrl`] for the options).
    pub fn authorize_url(&self, state: &str) -> Url {
        crate::authorize::AuthorizeUrl::new(
            self.client_id.as_str(),
            self.redirect_uri.as_str(),
            state,
        )
        .scope(self.scope)
        .build_at(&self.connect_base)
    }

    /// `{connect_base}/oauth/{endpoint}`, keeping any path prefix of the base URL.
    #[cfg(feature = "oauth")]
    pub(crate) fn endpoint(&self, endpoint: &str) -> Url {
        endpoint_url(&self.connect_base, endpoint)
    }
}

impl fmt::Debug for Integration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Integration")
            .field("mode", &self.mode)
            .field("client_id", &self.client_id)
            .field("secret_key", &"[REDACTED]")
            .field("redirect_uri", &self.redirect_uri.as_str())
            .field("scope", &self.scope)
            .field("connect_base", &self.connect_base.as_str())
            .finish()
    }
}

impl IntegrationBuilder {
    /// Requests `scope` instead of the default `read_only`.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// Talks to another Connect host (a local sandbox, a proxy) instead of
    /// `https://connect.stripe.com`.
    pub fn connect_base(mut self, connect_base: impl Into<String>) -> Self {
        self.connect_base = connect_base.into();
        self
    }

    /// Checks the values and builds the integration.
    ///
    /// Refused: an empty client id or one without `ca_`; a key that is not `sk_`/`rk_`; a key
    /// of the other mode (`sk_live_`/`rk_live_` in Test, `sk_test_`/`rk_test_` in Live); a
    /// redirect URI or base URL that is not an absolute http(s) URL; a live-mode redirect URI
    /// that is not https (Stripe requires it). Messages never contain the key.
    pub fn build(self) -> Result<Integration, ConnectError> {
        let mode = self.mode;
        let client_id = self.client_id.trim();
        if client_id.is_empty() {
            return Err(ConnectError::InvalidClientId {
                mode,
                problem: "it is empty",
            });
        }
        if !client_id.starts_with("ca_") {
            return Err(ConnectError::InvalidClientId {
                mode,
                problem: "it does not start with ca_",
            });
        }
        check_secret_key(mode, self.secret_key.expose_secret())?;
        let redirect_uri = parse_url(mode, "redirect uri", &self.redirect_uri)?;
        if mode.is_live() && redirect_uri.scheme() != "https" {
            return Err(ConnectError::InvalidUrl {
                mode,
                field: "redirect uri",
                problem: "live-mode redirect uris must use https".to_owned(),
            });
        }
        let connect_base = parse_url(mode, "connect base url", &self.connect_base)?;
        Ok(Integration {
            mode,
            client_id: client_id.to_owned(),
            secret_key: self.secret_key,
            redirect_uri,
            scope: self.scope,
            connect_base,
        })
    }
}

impl fmt::Debug for IntegrationBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntegrationBuilder")
            .field("mode", &self.mode)
            .field("client_id", &self.client_id)
            .field("secret_key", &"[REDACTED]")
            .field("redirect_uri", &self.redirect_uri)
            .field("scope", &self.scope)
            .field("connect_base", &self.connect_base)
            .finish()
    }
}

pub(crate) fn check_secret_key(mode: Mode, key: &str) -> Result<(), ConnectError> {
    let key = key.trim();
    if key.is_empty() {
        return Err(ConnectError::InvalidSecretKey {
            mode,
            problem: "it is empty",
        });
    }
    let key_mode = if key.starts_with("sk_test_") || key.starts_with("rk_test_") {
        "test"
    } else if key.starts_with("sk_live_") || key.starts_with("rk_live_") {
        "live"
    } else if key.starts_with("pk_") {
        return Err(ConnectError::InvalidSecretKey {
            mode,
            problem: "it is a publishable key (pk_...), not a secret key",
        });
    } else {
        return Err(ConnectError::InvalidSecretKey {
            mode,
            problem: "it does not start with sk_test_, sk_live_, rk_test_ or rk_live_",
        });
    };
    if key_mode != mode.as_str() {
        return Err(ConnectError::KeyModeMismatch { mode, key_mode });
    }
    Ok(())
}

pub(crate) fn parse_url(mode: Mode, field: &'static str, raw: &str) -> Result<Url, ConnectError> {
    let url = Url::parse(raw.trim()).map_err(|error| ConnectError::InvalidUrl {
        mode,
        field,
        problem: error.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConnectError::InvalidUrl {
            mode,
            field,
            problem: format!("the scheme is {}, not http or https", url.scheme()),
        });
    }
    Ok(url)
}

/// `{connect_base}/oauth/{endpoint}`, keeping any path prefix of the base URL.
pub(crate) fn endpoint_url(connect_base: &Url, endpoint: &str) -> Url {
    let mut url = connect_base.clone();
    let path = format!("{}/oauth/{endpoint}", url.path().trim_end_matches('/'));
    url.set_path(&path);
    url
}

/// Parses a Connect base URL or redirect URI: absolute http(s) only.
pub(crate) fn parse_http_url(field: &'static str, raw: &str) -> Result<Url, ConnectError> {
    let url = Url::parse(raw.trim()).map_err(|error| ConnectError::InvalidAuthorizeUrl {
        field,
        problem: error.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConnectError::InvalidAuthorizeUrl {
            field,
            problem: format!("the scheme is {}, not http or https", url.scheme()),
        });
    }
    Ok(url)
}

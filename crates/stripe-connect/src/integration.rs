//! Integration configuration: which Stripe mode (Stripe Test or Stripe), the platform's Connect
//! client id and secret key, the redirect URI, the scope and the Connect base URL.
//!
//! Everything is checked when the [`Integration`] is built, so a key of the wrong mode never
//! reaches Stripe. No I/O here; binaries read the environment and pass the values in.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::error::ConnectError;

/// Stripe's Connect host, used when no other base URL is configured.
pub const DEFAULT_CONNECT_BASE: &str = "https://connect.stripe.com";

/// Which Stripe mode an integration talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntegrationKind {
    /// Stripe test mode: "Stripe Test", needs a `sk_test_`/`rk_test_` key.
    Test,
    /// Stripe live mode: "Stripe", needs a `sk_live_`/`rk_live_` key.
    Live,
}

impl IntegrationKind {
    /// The display name, as Codat names the integrations: "Stripe Test" or "Stripe".
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Test => "Stripe Test",
            Self::Live => "Stripe",
        }
    }

    /// This project's platform key: `stripe-test` or `stripe`.
    pub fn platform_key(self) -> &'static str {
        match self {
            Self::Test => "stripe-test",
            Self::Live => "stripe",
        }
    }

    /// Whether Stripe reports `livemode: true` for this integration's objects and tokens.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Live)
    }

    fn mode(self) -> &'static str {
        match self {
            Self::Test => "test",
            Self::Live => "live",
        }
    }
}

impl fmt::Display for IntegrationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
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

/// A checked integration: one per Stripe mode the service links accounts in.
///
/// Build it with [`Integration::builder`]. `Debug` never shows the secret key.
#[derive(Clone)]
pub struct Integration {
    kind: IntegrationKind,
    client_id: String,
    secret_key: SecretString,
    redirect_uri: Url,
    scope: Scope,
    connect_base: Url,
}

/// Builds an [`Integration`]; [`IntegrationBuilder::build`] checks every value.
#[derive(Clone)]
pub struct IntegrationBuilder {
    kind: IntegrationKind,
    client_id: String,
    secret_key: SecretString,
    redirect_uri: String,
    scope: Scope,
    connect_base: String,
}

impl Integration {
    /// Starts building an integration of `kind` with its Connect client id (`ca_...`), the
    /// platform secret key of the same mode and the redirect URI registered in Stripe.
    pub fn builder(
        kind: IntegrationKind,
        client_id: impl Into<String>,
        secret_key: SecretString,
        redirect_uri: impl Into<String>,
    ) -> IntegrationBuilder {
        IntegrationBuilder {
            kind,
            client_id: client_id.into(),
            secret_key,
            redirect_uri: redirect_uri.into(),
            scope: Scope::default(),
            connect_base: DEFAULT_CONNECT_BASE.to_owned(),
        }
    }

    /// Test or live.
    pub fn kind(&self) -> IntegrationKind {
        self.kind
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

    /// `{connect_base}/oauth/{endpoint}`, keeping any path prefix of the base URL.
    pub(crate) fn endpoint(&self, endpoint: &str) -> Url {
        let mut url = self.connect_base.clone();
        let path = format!("{}/oauth/{endpoint}", url.path().trim_end_matches('/'));
        url.set_path(&path);
        url
    }
}

impl fmt::Debug for Integration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Integration")
            .field("kind", &self.kind)
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
    /// `https://connect.stripe.com`. Binaries read it from `STRIPE_CONNECT_BASE`.
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
        let kind = self.kind;
        let client_id = self.client_id.trim();
        if client_id.is_empty() {
            return Err(ConnectError::InvalidClientId {
                kind,
                problem: "it is empty",
            });
        }
        if !client_id.starts_with("ca_") {
            return Err(ConnectError::InvalidClientId {
                kind,
                problem: "it does not start with ca_",
            });
        }
        check_secret_key(kind, self.secret_key.expose_secret())?;
        let redirect_uri = parse_url(kind, "redirect uri", &self.redirect_uri)?;
        if kind.is_live() && redirect_uri.scheme() != "https" {
            return Err(ConnectError::InvalidUrl {
                kind,
                field: "redirect uri",
                problem: "live-mode redirect uris must use https".to_owned(),
            });
        }
        let connect_base = parse_url(kind, "connect base url", &self.connect_base)?;
        Ok(Integration {
            kind,
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
            .field("kind", &self.kind)
            .field("client_id", &self.client_id)
            .field("secret_key", &"[REDACTED]")
            .field("redirect_uri", &self.redirect_uri)
            .field("scope", &self.scope)
            .field("connect_base", &self.connect_base)
            .finish()
    }
}

fn check_secret_key(kind: IntegrationKind, key: &str) -> Result<(), ConnectError> {
    let key = key.trim();
    if key.is_empty() {
        return Err(ConnectError::InvalidSecretKey {
            kind,
            problem: "it is empty",
        });
    }
    let key_mode = if key.starts_with("sk_test_") || key.starts_with("rk_test_") {
        "test"
    } else if key.starts_with("sk_live_") || key.starts_with("rk_live_") {
        "live"
    } else if key.starts_with("pk_") {
        return Err(ConnectError::InvalidSecretKey {
            kind,
            problem: "it is a publishable key (pk_...), not a secret key",
        });
    } else {
        return Err(ConnectError::InvalidSecretKey {
            kind,
            problem: "it does not start with sk_test_, sk_live_, rk_test_ or rk_live_",
        });
    };
    if key_mode != kind.mode() {
        return Err(ConnectError::KeyModeMismatch {
            kind,
            key_mode,
            expected_mode: kind.mode(),
        });
    }
    Ok(())
}

fn parse_url(kind: IntegrationKind, field: &'static str, raw: &str) -> Result<Url, ConnectError> {
    let url = Url::parse(raw.trim()).map_err(|error| ConnectError::InvalidUrl {
        kind,
        field,
        problem: error.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConnectError::InvalidUrl {
            kind,
            field,
            problem: format!("the scheme is {}, not http or https", url.scheme()),
        });
    }
    Ok(url)
}

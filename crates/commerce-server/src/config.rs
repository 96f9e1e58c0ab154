//! Server configuration from environment variables and an optional `commerce.toml`.
//!
//! Environment variables win over the file. Every problem found is collected, so a bad
//! configuration stops start-up with one clear line per problem
//! ([`crate::ServerError::InvalidConfig`]).
//!
//! The server itself only understands the generic settings (`COMMERCE_*`). The settings of
//! platform integrations (`STRIPE_*`) are read, checked for pairs and URLs, and handed to the
//! caller as plain values and secrets ([`PlatformSettings`]): the CLI builds the platforms from
//! them. This module must not depend on any platform crate.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use commerce_store::EncryptionKey;
use secrecy::{ExposeSecret, SecretString};

use crate::auth::ApiKeys;
use crate::client_webhooks::ClientWebhookConfig;
use crate::error::ServerError;

/// `COMMERCE_DATABASE_URL`'s default.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://commerce.db";
/// `COMMERCE_BIND`'s default.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// The file read when present in the working directory (or named by `COMMERCE_CONFIG`).
pub const DEFAULT_CONFIG_FILE: &str = "commerce.toml";
/// The shortest API key accepted.
pub const MIN_API_KEY_LEN: usize = 16;

/// Platform settings that are not secret (client ids, base URLs).
pub const PLATFORM_SETTINGS: &[&str] = &[
    "STRIPE_TEST_CLIENT_ID",
    "STRIPE_LIVE_CLIENT_ID",
    "STRIPE_API_BASE",
    "STRIPE_CONNECT_BASE",
    "STRIPE_SCOPE",
];

/// Rate budget settings of the Stripe integrations, read like the other platform settings and
/// handed over as values; the platform parses and validates them at start
/// (`stripe_client::RateSettings`). In `commerce.toml` they may be numbers.
pub const PLATFORM_RATE_SETTINGS: &[&str] = &[
    "STRIPE_TEST_RATE_LIMIT",
    "STRIPE_LIVE_RATE_LIMIT",
    "STRIPE_ENDPOINT_RATE_LIMIT",
    "STRIPE_MAX_CONCURRENCY",
    "STRIPE_RATE_LIMIT_SCOPE",
    "STRIPE_RATE_LIMIT_PATIENCE_SECS",
];

/// Platform settings that are secret (keys, webhook signing secrets).
pub const PLATFORM_SECRETS: &[&str] = &[
    "STRIPE_TEST_SECRET_KEY",
    "STRIPE_LIVE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_TEST_WEBHOOK_SECRET",
    "STRIPE_LIVE_WEBHOOK_SECRET",
];

/// Settings that come in pairs: an integration is enabled when both are set, and one without the
/// other is a configuration problem.
pub const PLATFORM_PAIRS: &[(&str, &str)] = &[
    ("STRIPE_TEST_CLIENT_ID", "STRIPE_TEST_SECRET_KEY"),
    ("STRIPE_LIVE_CLIENT_ID", "STRIPE_LIVE_SECRET_KEY"),
];

/// Platform settings that must be absolute `http`/`https` URLs when set.
const PLATFORM_URLS: &[&str] = &["STRIPE_API_BASE", "STRIPE_CONNECT_BASE"];

const GENERIC: &[&str] = &[
    "COMMERCE_DATABASE_URL",
    "COMMERCE_BIND",
    "COMMERCE_PUBLIC_URL",
    "COMMERCE_API_KEYS",
    "COMMERCE_ENCRYPTION_KEY",
    "COMMERCE_WEBHOOK_URL",
    "COMMERCE_WEBHOOK_SECRET",
    "COMMERCE_WEBHOOK_MAX_ATTEMPTS",
    "COMMERCE_WEBHOOK_RETRY_FOR_SECS",
    "COMMERCE_WEBHOOK_TIMEOUT_SECS",
];

/// The server's settings, validated.
///
/// `Debug` never shows secrets: API keys are kept only as hashes, the encryption key and the
/// platform secrets are redacted.
#[derive(Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// `COMMERCE_DATABASE_URL` (`sqlite://...` or `postgres://...`).
    pub database_url: SecretString,
    /// `COMMERCE_BIND`: where to listen.
    pub bind: SocketAddr,
    /// `COMMERCE_PUBLIC_URL` without trailing slash (default `http://{bind}`): the base of link
    /// URLs and OAuth redirect URIs.
    pub public_url: String,
    /// `COMMERCE_API_KEYS` (comma-separated), hashed.
    pub api_keys: ApiKeys,
    /// `COMMERCE_ENCRYPTION_KEY`: encrypts stored credentials.
    pub encryption_key: EncryptionKey,
    /// Platform integrations' settings, for the caller to build platforms from.
    pub platforms: PlatformSettings,
    /// `COMMERCE_WEBHOOK_*`: where client webhooks go, when set.
    pub client_webhooks: Option<ClientWebhookConfig>,
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field(
                "database_url",
                &redact_url(self.database_url.expose_secret()),
            )
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field("api_keys", &self.api_keys)
            .field("encryption_key", &"[redacted]")
            .field("platforms", &self.platforms)
            .field("client_webhooks", &self.client_webhooks)
            .finish()
    }
}

/// Platform integration settings by variable name (e.g. `STRIPE_TEST_CLIENT_ID`).
#[derive(Clone, Default)]
pub struct PlatformSettings {
    values: BTreeMap<String, String>,
    secrets: BTreeMap<String, SecretString>,
}

impl PlatformSettings {
    /// A non-secret setting (one of [`PLATFORM_SETTINGS`]), if set.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// A secret setting (one of [`PLATFORM_SECRETS`]), if set.
    pub fn secret(&self, name: &str) -> Option<&SecretString> {
        self.secrets.get(name)
    }

    /// Whether both settings of a [`PLATFORM_PAIRS`] entry are set (the integration is enabled).
    pub fn enabled(&self, id_setting: &str, key_setting: &str) -> bool {
        self.is_set(id_setting) && self.is_set(key_setting)
    }

    fn is_set(&self, name: &str) -> bool {
        self.values.contains_key(name) || self.secrets.contains_key(name)
    }
}

impl fmt::Debug for PlatformSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in &self.values {
            map.entry(name, value);
        }
        for name in self.secrets.keys() {
            map.entry(name, &"[redacted]");
        }
        map.finish()
    }
}

impl ServerConfig {
    /// Reads the process environment and `commerce.toml` (the file named by `COMMERCE_CONFIG`,
    /// or `./commerce.toml` when it exists).
    pub fn load() -> Result<ServerConfig, ServerError> {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        let path = match env.get("COMMERCE_CONFIG") {
            Some(path) => Some(PathBuf::from(path)),
            None => {
                let default = PathBuf::from(DEFAULT_CONFIG_FILE);
                default.exists().then_some(default)
            }
        };
        let file = match &path {
            Some(path) => Some(read_file(path)?),
            None => None,
        };
        ServerConfig::from_sources(env, file.as_deref())
    }

    /// Builds the configuration from environment variables (`env`) and the text of a
    /// `commerce.toml` (`file`). Keys in the file are the variable names in lower case, without
    /// `COMMERCE_` (`database_url`, `api_keys` as a string or an array, `stripe_test_client_id`).
    /// Variables win over the file; unrelated variables are ignored.
    pub fn from_sources<I, K, V>(env: I, file: Option<&str>) -> Result<ServerConfig, ServerError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let mut problems = Vec::new();
        let mut settings: BTreeMap<String, String> = BTreeMap::new();
        if let Some(text) = file {
            read_toml(text, &mut settings, &mut problems);
        }
        for (name, value) in env {
            let name = name.into();
            if is_known(&name) {
                settings.insert(name, value.into());
            }
        }
        // Empty values count as unset.
        settings.retain(|_, value| !value.trim().is_empty());

        let database_url = settings
            .get("COMMERCE_DATABASE_URL")
            .cloned()
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres:")
            || database_url.starts_with("postgresql:"))
        {
            problems.push(
                "COMMERCE_DATABASE_URL must start with sqlite:, postgres: or postgresql:"
                    .to_owned(),
            );
        }

        let bind_text = settings
            .get("COMMERCE_BIND")
            .map(String::as_str)
            .unwrap_or(DEFAULT_BIND);
        let bind = match bind_text.parse::<SocketAddr>() {
            Ok(bind) => Some(bind),
            Err(_) => {
                problems.push(format!(
                    "COMMERCE_BIND {bind_text:?} is not an address and port such as 127.0.0.1:8080"
                ));
                None
            }
        };

        let public_url = match settings.get("COMMERCE_PUBLIC_URL") {
            Some(text) => match check_http_url(text) {
                Ok(()) => Some(text.trim_end_matches('/').to_owned()),
                Err(reason) => {
                    problems.push(format!("COMMERCE_PUBLIC_URL {text:?} {reason}"));
                    None
                }
            },
            None => bind.map(|bind| format!("http://{bind}")),
        };

        let api_keys = match settings.get("COMMERCE_API_KEYS") {
            None => {
                problems.push(
                    "COMMERCE_API_KEYS is not set: give at least one API key (comma-separated)"
                        .to_owned(),
                );
                None
            }
            Some(text) => {
                let keys: Vec<&str> = text
                    .split(',')
                    .map(str::trim)
                    .filter(|key| !key.is_empty())
                    .collect();
                let mut ok = !keys.is_empty();
                if keys.is_empty() {
                    problems.push("COMMERCE_API_KEYS holds no key".to_owned());
                }
                for (index, key) in keys.iter().enumerate() {
                    if key.len() < MIN_API_KEY_LEN {
                        ok = false;
                        problems.push(format!(
                            "COMMERCE_API_KEYS: key #{} is shorter than {MIN_API_KEY_LEN} characters",
                            index + 1
                        ));
                    }
                }
                ok.then(|| ApiKeys::new(keys))
            }
        };

        let encryption_key = match settings.get("COMMERCE_ENCRYPTION_KEY") {
            None => {
                problems.push(
                    "COMMERCE_ENCRYPTION_KEY is not set: give 32 random bytes, base64-encoded"
                        .to_owned(),
                );
                None
            }
            Some(text) => match EncryptionKey::from_base64(text.trim()) {
                Ok(key) => Some(key),
                Err(error) => {
                    problems.push(format!("COMMERCE_ENCRYPTION_KEY: {error}"));
                    None
                }
            },
        };

        let mut platforms = PlatformSettings::default();
        for name in PLATFORM_SETTINGS.iter().chain(PLATFORM_RATE_SETTINGS) {
            if let Some(value) = settings.get(*name) {
                platforms.values.insert((*name).to_owned(), value.clone());
            }
        }
        for name in PLATFORM_SECRETS {
            if let Some(value) = settings.get(*name) {
                platforms
                    .secrets
                    .insert((*name).to_owned(), SecretString::from(value.clone()));
            }
        }
        for (id, key) in PLATFORM_PAIRS {
            match (platforms.is_set(id), platforms.is_set(key)) {
                (true, false) => problems.push(format!("{id} is set but {key} is not")),
                (false, true) => problems.push(format!("{key} is set but {id} is not")),
                _ => {}
            }
        }
        for name in PLATFORM_URLS {
            if let Some(text) = platforms.value(name) {
                if let Err(reason) = check_http_url(text) {
                    problems.push(format!("{name} {text:?} {reason}"));
                }
            }
        }

        let client_webhooks = crate::client_webhooks::config_from(&settings, &mut problems);

        match (bind, public_url, api_keys, encryption_key) {
            (Some(bind), Some(public_url), Some(api_keys), Some(encryption_key))
                if problems.is_empty() =>
            {
                Ok(ServerConfig {
                    database_url: SecretString::from(database_url),
                    bind,
                    public_url,
                    api_keys,
                    encryption_key,
                    platforms,
                    client_webhooks,
                })
            }
            _ => Err(ServerError::InvalidConfig { problems }),
        }
    }
}

fn is_known(name: &str) -> bool {
    GENERIC.contains(&name)
        || PLATFORM_SETTINGS.contains(&name)
        || PLATFORM_RATE_SETTINGS.contains(&name)
        || PLATFORM_SECRETS.contains(&name)
}

fn read_file(path: &Path) -> Result<String, ServerError> {
    std::fs::read_to_string(path).map_err(|source| ServerError::InvalidConfig {
        problems: vec![format!("cannot read {}: {source}", path.display())],
    })
}

fn read_toml(text: &str, settings: &mut BTreeMap<String, String>, problems: &mut Vec<String>) {
    let table: toml::Table = match text.parse() {
        Ok(table) => table,
        Err(error) => {
            let message = error.message().to_owned();
            problems.push(format!(
                "{DEFAULT_CONFIG_FILE} is not valid TOML: {message}"
            ));
            return;
        }
    };
    for (key, value) in table {
        let upper = key.to_ascii_uppercase();
        let name = if upper.starts_with("STRIPE_") {
            upper
        } else {
            format!("COMMERCE_{upper}")
        };
        if !is_known(&name) {
            problems.push(format!("{DEFAULT_CONFIG_FILE}: unknown setting `{key}`"));
            continue;
        }
        let text = match value {
            toml::Value::String(text) => text,
            toml::Value::Integer(number)
                if name.starts_with("COMMERCE_WEBHOOK_")
                    || PLATFORM_RATE_SETTINGS.contains(&name.as_str()) =>
            {
                number.to_string()
            }
            toml::Value::Array(items) if name == "COMMERCE_API_KEYS" => {
                let mut keys = Vec::new();
                for item in items {
                    match item {
                        toml::Value::String(key) => keys.push(key),
                        _ => problems.push(format!(
                            "{DEFAULT_CONFIG_FILE}: `api_keys` must hold strings"
                        )),
                    }
                }
                keys.join(",")
            }
            _ => {
                problems.push(format!("{DEFAULT_CONFIG_FILE}: `{key}` must be a string"));
                continue;
            }
        };
        settings.insert(name, text);
    }
}

fn check_http_url(text: &str) -> Result<(), &'static str> {
    match url::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
            if url.query().is_some() || url.fragment().is_some() {
                Err("must not have a query or fragment")
            } else {
                Ok(())
            }
        }
        Ok(_) => Err("must be an http:// or https:// URL"),
        Err(_) => Err("is not a URL"),
    }
}

/// The database URL without password, for logs.
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

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn ok_env() -> Vec<(&'static str, &'static str)> {
        vec![
            (
                "COMMERCE_API_KEYS",
                "first-key-0123456789, second-key-0123456789",
            ),
            ("COMMERCE_ENCRYPTION_KEY", KEY),
        ]
    }

    #[test]
    fn defaults_apply() {
        let config = ServerConfig::from_sources(ok_env(), None).unwrap();
        assert_eq!(config.database_url.expose_secret(), DEFAULT_DATABASE_URL);
        assert_eq!(config.bind.to_string(), DEFAULT_BIND);
        assert_eq!(config.public_url, "http://127.0.0.1:8080");
        assert_eq!(config.api_keys.len(), 2);
        assert!(config.api_keys.contains("second-key-0123456789"));
        assert!(!config.api_keys.contains("third-key-0123456789"));
    }

    #[test]
    fn every_problem_is_reported_on_its_own_line() {
        let env = vec![
            ("COMMERCE_BIND", "nowhere"),
            ("COMMERCE_PUBLIC_URL", "ftp://example.com"),
            ("COMMERCE_DATABASE_URL", "mysql://x"),
            ("COMMERCE_API_KEYS", "short"),
            ("COMMERCE_ENCRYPTION_KEY", "not base64!"),
            ("STRIPE_TEST_CLIENT_ID", "ca_123"),
            ("STRIPE_LIVE_SECRET_KEY", "sk_live_x"),
            ("STRIPE_API_BASE", "localhost"),
        ];
        let Err(ServerError::InvalidConfig { problems }) = ServerConfig::from_sources(env, None)
        else {
            panic!("expected invalid config");
        };
        let text = problems.join("\n");
        for needle in [
            "COMMERCE_BIND",
            "COMMERCE_PUBLIC_URL",
            "COMMERCE_DATABASE_URL",
            "key #1 is shorter",
            "COMMERCE_ENCRYPTION_KEY",
            "STRIPE_TEST_CLIENT_ID is set but STRIPE_TEST_SECRET_KEY is not",
            "STRIPE_LIVE_SECRET_KEY is set but STRIPE_LIVE_CLIENT_ID is not",
            "STRIPE_API_BASE",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
        }
        assert_eq!(problems.len(), 8, "{text}");
        assert!(!text.contains("sk_live_x"));
        assert!(!text.contains("not base64!"));
    }

    #[test]
    fn missing_keys_are_problems() {
        let Err(ServerError::InvalidConfig { problems }) =
            ServerConfig::from_sources(Vec::<(String, String)>::new(), None)
        else {
            panic!("expected invalid config");
        };
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn file_is_read_and_env_wins() {
        let file = r#"
            bind = "127.0.0.1:9000"
            public_url = "https://commerce.example.com/"
            api_keys = ["file-key-0123456789abc"]
            stripe_test_client_id = "ca_file"
            stripe_test_secret_key = "sk_test_file"
            stripe_api_base = "http://127.0.0.1:12111"
        "#;
        let env = vec![
            ("COMMERCE_ENCRYPTION_KEY", KEY),
            ("STRIPE_TEST_CLIENT_ID", "ca_env"),
            ("PATH", "/bin"),
        ];
        let config = ServerConfig::from_sources(env, Some(file)).unwrap();
        assert_eq!(config.bind.port(), 9000);
        assert_eq!(config.public_url, "https://commerce.example.com");
        assert!(config.api_keys.contains("file-key-0123456789abc"));
        assert_eq!(
            config.platforms.value("STRIPE_TEST_CLIENT_ID"),
            Some("ca_env")
        );
        assert_eq!(
            config
                .platforms
                .secret("STRIPE_TEST_SECRET_KEY")
                .map(|secret| secret.expose_secret().to_owned()),
            Some("sk_test_file".to_owned())
        );
        assert!(config
            .platforms
            .enabled("STRIPE_TEST_CLIENT_ID", "STRIPE_TEST_SECRET_KEY"));
        assert!(!config
            .platforms
            .enabled("STRIPE_LIVE_CLIENT_ID", "STRIPE_LIVE_SECRET_KEY"));
    }

    #[test]
    fn rate_settings_come_from_the_file_as_numbers_or_text_and_the_environment_wins() {
        let file = "stripe_test_rate_limit = 10000\nstripe_rate_limit_scope = \"platform\"\n\
                    stripe_endpoint_rate_limit = 40\n";
        let mut env = ok_env();
        env.push(("STRIPE_ENDPOINT_RATE_LIMIT", "50"));
        let config = ServerConfig::from_sources(env, Some(file)).unwrap();
        let value = |name| config.platforms.value(name);
        assert_eq!(value("STRIPE_TEST_RATE_LIMIT"), Some("10000"));
        assert_eq!(value("STRIPE_RATE_LIMIT_SCOPE"), Some("platform"));
        assert_eq!(value("STRIPE_ENDPOINT_RATE_LIMIT"), Some("50"));
        assert_eq!(value("STRIPE_LIVE_RATE_LIMIT"), None);
    }

    #[test]
    fn unknown_file_keys_are_problems() {
        let file = "colour = \"blue\"\nport = 1\n";
        let Err(ServerError::InvalidConfig { problems }) =
            ServerConfig::from_sources(ok_env(), Some(file))
        else {
            panic!("expected invalid config");
        };
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("unknown setting `colour`"));
    }

    #[test]
    fn debug_shows_no_secret() {
        let mut env = ok_env();
        env.push(("STRIPE_TEST_CLIENT_ID", "ca_visible"));
        env.push(("STRIPE_TEST_SECRET_KEY", "sk_test_hidden_value"));
        env.push((
            "COMMERCE_DATABASE_URL",
            "postgres://user:pw-hidden@db/commerce",
        ));
        let config = ServerConfig::from_sources(env, None).unwrap();
        let debug = format!("{config:?}");
        assert!(debug.contains("ca_visible"));
        for secret in ["sk_test_hidden_value", "pw-hidden", "first-key", KEY] {
            assert!(!debug.contains(secret), "{secret} leaked: {debug}");
        }
    }
}

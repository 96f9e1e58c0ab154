//! Server configuration from environment variables and an optional `commerce.toml`.
//!
//! Environment variables win over the file. Every problem found is collected, so a bad
//! configuration stops start-up with one clear line per problem
//! ([`crate::ServerError::InvalidConfig`]).
//!
//! The server itself only understands the generic settings ([`GENERIC_SETTINGS`], all
//! `COMMERCE_*`). Platform integrations declare their own settings in their
//! [`PlatformInfo`]s ([`SettingSpec`]: name, secret or not, required or not, how it is checked,
//! one line of help); the caller passes the infos of every platform it can build, and this
//! module reads, checks and hands those settings back as plain values and secrets
//! ([`PlatformSettings`]) for the caller to build the platforms from. It names no platform and
//! must not depend on any platform crate.
//!
//! Adding a generic setting: a row in [`GENERIC_SETTINGS`], and its reading in
//! [`ServerConfig::from_sources`] (or the module that owns it, as `client_webhooks` does).
//! Adding a platform setting: a [`SettingSpec`] in the platform's [`PlatformInfo`]; nothing here.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use commerce_model::platform::{check_http_url, PlatformInfo, SettingKind, SettingSpec};
use commerce_store::{EncryptionKey, EncryptionKeys};
use secrecy::{ExposeSecret, SecretString};

use crate::auth::ApiKeys;
use crate::client_webhooks::ClientWebhookConfig;
use crate::edge::HttpLimits;
use crate::error::ServerError;

/// `COMMERCE_DATABASE_URL`'s default.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://commerce.db";
/// `COMMERCE_BIND`'s default.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// The file read when present in the working directory (or named by `COMMERCE_CONFIG`).
pub const DEFAULT_CONFIG_FILE: &str = "commerce.toml";
/// The shortest API key accepted.
pub const MIN_API_KEY_LEN: usize = 16;

/// The generic settings: every `COMMERCE_*` variable the server reads. In `commerce.toml` they
/// are written in lower case without `COMMERCE_` (`database_url`). Unlike platform settings,
/// their values are checked by the code that reads them ([`ServerConfig::from_sources`], or the
/// module owning them); their [`SettingKind`] only lets `commerce.toml` give a
/// [`SettingKind::PositiveInteger`] as a TOML integer.
pub const GENERIC_SETTINGS: &[SettingSpec] = &[
    SettingSpec::new(
        "COMMERCE_DATABASE_URL",
        "sqlite://FILE or postgres://... (default sqlite://commerce.db)",
    )
    .secret(),
    SettingSpec::new(
        "COMMERCE_BIND",
        "address and port to listen on (default 127.0.0.1:8080)",
    ),
    SettingSpec::new(
        "COMMERCE_PUBLIC_URL",
        "the server's public base URL, for link URLs and OAuth redirect URIs",
    ),
    SettingSpec::new(
        "COMMERCE_API_KEYS",
        "comma-separated API keys, 16 characters or more",
    )
    .secret()
    .required(),
    SettingSpec::new(
        "COMMERCE_ENCRYPTION_KEY",
        "32 random bytes, base64-encoded: encrypts stored credentials (or COMMERCE_ENCRYPTION_KEYS)",
    )
    .secret(),
    SettingSpec::new(
        "COMMERCE_ENCRYPTION_KEYS",
        "several such keys, comma-separated, newest first: the newest seals, all open (key rotation)",
    )
    .secret(),
    SettingSpec::new(
        "COMMERCE_WEBHOOK_URL",
        "one more receiver of every client webhook, besides the consumers at /webhooks",
    ),
    SettingSpec::new(
        "COMMERCE_WEBHOOK_SECRET",
        "whsec_<base64>: signs the client webhooks sent to COMMERCE_WEBHOOK_URL",
    )
    .secret(),
    SettingSpec::new(
        "COMMERCE_WEBHOOK_MAX_ATTEMPTS",
        "client webhook attempts per event",
    )
    .kind(SettingKind::PositiveInteger),
    SettingSpec::new(
        "COMMERCE_WEBHOOK_RETRY_FOR_SECS",
        "how long client webhooks are retried",
    )
    .kind(SettingKind::PositiveInteger),
    SettingSpec::new(
        "COMMERCE_WEBHOOK_TIMEOUT_SECS",
        "timeout of one client webhook delivery",
    )
    .kind(SettingKind::PositiveInteger),
    // ---- Webhook consumers (issue 16): read by `crate::client_webhooks::config_from`. ----
    SettingSpec::new(
        crate::client_webhooks::ALLOW_PRIVATE_URLS,
        "true to allow webhook consumers on loopback, private and link-local addresses",
    )
    .kind(SettingKind::OneOf(&["true", "false"])),
    // ---- end of webhook consumer settings ----
    // --- HTTP edge settings (module `edge`, read by `HttpLimits::from_settings`): begin ---
    SettingSpec::new(
        "COMMERCE_HEADER_READ_TIMEOUT_SECS",
        "seconds a connection has to send a request head (default 10)",
    )
    .kind(SettingKind::PositiveInteger),
    SettingSpec::new(
        "COMMERCE_BODY_TIMEOUT_SECS",
        "seconds a request body has to arrive whole (default 30)",
    )
    .kind(SettingKind::PositiveInteger),
    SettingSpec::new(
        "COMMERCE_KEEP_ALIVE_TIMEOUT_SECS",
        "seconds without traffic before a connection is closed (default 5)",
    )
    .kind(SettingKind::PositiveInteger),
    SettingSpec::new(
        "COMMERCE_MAX_CONNECTIONS",
        "connections served at once (default 1024)",
    )
    .kind(SettingKind::PositiveInteger),
    SettingSpec::new(
        "COMMERCE_MAX_BODY_BYTES",
        "the largest request body in bytes (default 1048576)",
    )
    .kind(SettingKind::PositiveInteger),
    // --- HTTP edge settings: end ---
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
    /// `COMMERCE_ENCRYPTION_KEYS` (newest first) or `COMMERCE_ENCRYPTION_KEY` (one key):
    /// encrypt stored credentials; the newest seals every new value.
    pub encryption_keys: EncryptionKeys,
    /// Platform integrations' settings, for the caller to build platforms from.
    pub platforms: PlatformSettings,
    /// `COMMERCE_WEBHOOK_*`: how client webhooks are delivered, and the implicit consumer
    /// `COMMERCE_WEBHOOK_URL`.
    pub client_webhooks: ClientWebhookConfig,
    // --- HTTP edge settings (module `edge`): begin ---
    /// `COMMERCE_HEADER_READ_TIMEOUT_SECS`, `COMMERCE_BODY_TIMEOUT_SECS`,
    /// `COMMERCE_KEEP_ALIVE_TIMEOUT_SECS`, `COMMERCE_MAX_CONNECTIONS`, `COMMERCE_MAX_BODY_BYTES`.
    pub http: HttpLimits,
    // --- HTTP edge settings: end ---
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field(
                "database_url",
                &crate::text::redact_url(self.database_url.expose_secret()),
            )
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field("api_keys", &self.api_keys)
            .field("encryption_keys", &self.encryption_keys)
            .field("platforms", &self.platforms)
            .field("client_webhooks", &self.client_webhooks)
            .field("http", &self.http)
            .finish()
    }
}

/// Platform integration settings by variable name (as the platforms declared them).
#[derive(Clone, Default)]
pub struct PlatformSettings {
    values: BTreeMap<String, String>,
    secrets: BTreeMap<String, SecretString>,
}

impl PlatformSettings {
    /// A non-secret setting, if set.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// A secret setting, if set.
    pub fn secret(&self, name: &str) -> Option<&SecretString> {
        self.secrets.get(name)
    }

    /// Whether a setting is set (secret or not).
    pub fn is_set(&self, name: &str) -> bool {
        self.values.contains_key(name) || self.secrets.contains_key(name)
    }

    /// Whether every required setting of `platform` is set (the platform is enabled). A
    /// platform without required settings is always enabled.
    pub fn enabled(&self, platform: &PlatformInfo) -> bool {
        platform
            .settings
            .iter()
            .filter(|setting| setting.required)
            .all(|setting| self.is_set(setting.name))
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
    /// or `./commerce.toml` when it exists), with the settings `platforms` declare.
    pub fn load(platforms: &[PlatformInfo]) -> Result<ServerConfig, ServerError> {
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
        ServerConfig::from_sources(env, file.as_deref(), platforms)
    }

    /// Builds the configuration from environment variables (`env`), the text of a
    /// `commerce.toml` (`file`) and the settings `platforms` declare. Keys in the file are the
    /// variable names in lower case, generic ones without `COMMERCE_` (`database_url`,
    /// `api_keys` as a string or an array) and platform ones whole (`acme_client_id`).
    /// Variables win over the file; unrelated variables are ignored.
    pub fn from_sources<I, K, V>(
        env: I,
        file: Option<&str>,
        platforms: &[PlatformInfo],
    ) -> Result<ServerConfig, ServerError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let mut problems = Vec::new();
        let known = Known::new(platforms, &mut problems);
        let mut settings: BTreeMap<String, String> = BTreeMap::new();
        if let Some(text) = file {
            read_toml(text, &known, &mut settings, &mut problems);
        }
        for (name, value) in env {
            let name = name.into();
            if known.spec(&name).is_some() {
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

        let encryption_keys = read_encryption_keys(&settings, &mut problems);

        let platform_settings = read_platform_settings(&settings, &known, platforms, &mut problems);

        let client_webhooks = crate::client_webhooks::config_from(&settings, &mut problems);
        // --- HTTP edge settings: begin ---
        let http = HttpLimits::from_settings(&settings, &mut problems);
        // --- HTTP edge settings: end ---

        match (bind, public_url, api_keys, encryption_keys) {
            (Some(bind), Some(public_url), Some(api_keys), Some(encryption_keys))
                if problems.is_empty() =>
            {
                Ok(ServerConfig {
                    database_url: SecretString::from(database_url),
                    bind,
                    public_url,
                    api_keys,
                    encryption_keys,
                    platforms: platform_settings,
                    client_webhooks,
                    http,
                })
            }
            _ => Err(ServerError::InvalidConfig { problems }),
        }
    }
}

/// `COMMERCE_ENCRYPTION_KEYS` (several keys, newest first) or `COMMERCE_ENCRYPTION_KEY` (one
/// key), exactly one of them. Problems never quote a key.
fn read_encryption_keys(
    settings: &BTreeMap<String, String>,
    problems: &mut Vec<String>,
) -> Option<EncryptionKeys> {
    let parsed = match (
        settings.get("COMMERCE_ENCRYPTION_KEYS"),
        settings.get("COMMERCE_ENCRYPTION_KEY"),
    ) {
        (None, None) => {
            problems.push(
                "COMMERCE_ENCRYPTION_KEY is not set: give 32 random bytes, base64-encoded \
                 (or several such keys, newest first, in COMMERCE_ENCRYPTION_KEYS)"
                    .to_owned(),
            );
            return None;
        }
        (Some(_), Some(_)) => {
            problems.push(
                "COMMERCE_ENCRYPTION_KEYS and COMMERCE_ENCRYPTION_KEY are both set: set only \
                 COMMERCE_ENCRYPTION_KEYS (newest first), with the single key among them"
                    .to_owned(),
            );
            return None;
        }
        (Some(list), None) => EncryptionKeys::from_base64_list(list)
            .map_err(|error| format!("COMMERCE_ENCRYPTION_KEYS: {error}")),
        (None, Some(single)) => EncryptionKey::from_base64(single.trim())
            .map(EncryptionKeys::from)
            .map_err(|error| format!("COMMERCE_ENCRYPTION_KEY: {error}")),
    };
    parsed.map_err(|problem| problems.push(problem)).ok()
}

/// Every setting the configuration reads: the generic ones and the platforms' (each name once).
struct Known {
    specs: BTreeMap<&'static str, SettingSpec>,
}

impl Known {
    fn new(platforms: &[PlatformInfo], problems: &mut Vec<String>) -> Known {
        let mut specs: BTreeMap<&'static str, SettingSpec> = GENERIC_SETTINGS
            .iter()
            .map(|spec| (spec.name, *spec))
            .collect();
        for platform in platforms {
            for spec in &platform.settings {
                if spec.name.starts_with("COMMERCE_") {
                    problems.push(format!(
                        "platform {} declares {}: COMMERCE_ settings belong to the server",
                        platform.key, spec.name
                    ));
                    continue;
                }
                match specs.get(spec.name) {
                    Some(existing)
                        if existing.secret != spec.secret || existing.kind != spec.kind =>
                    {
                        problems.push(format!(
                            "setting {} is declared differently by two platforms",
                            spec.name
                        ));
                    }
                    Some(_) => {}
                    None => {
                        specs.insert(spec.name, *spec);
                    }
                }
            }
        }
        Known { specs }
    }

    fn spec(&self, name: &str) -> Option<&SettingSpec> {
        self.specs.get(name)
    }

    /// The variable a `commerce.toml` key names: a platform setting in lower case, or a generic
    /// one without `COMMERCE_`.
    fn for_file_key(&self, key: &str) -> Option<&SettingSpec> {
        let upper = key.to_ascii_uppercase();
        if !upper.starts_with("COMMERCE_") {
            if let Some(spec) = self.specs.get(upper.as_str()) {
                return Some(spec);
            }
        }
        self.specs
            .get(format!("COMMERCE_{upper}").as_str())
            .filter(|spec| {
                GENERIC_SETTINGS
                    .iter()
                    .any(|generic| generic.name == spec.name)
            })
    }
}

/// The platforms' settings, checked: each value by its kind, and each platform's required
/// settings all set or none.
fn read_platform_settings(
    settings: &BTreeMap<String, String>,
    known: &Known,
    platforms: &[PlatformInfo],
    problems: &mut Vec<String>,
) -> PlatformSettings {
    let mut read = PlatformSettings::default();
    for (name, spec) in &known.specs {
        if spec.name.starts_with("COMMERCE_") {
            continue;
        }
        let Some(value) = settings.get(*name) else {
            continue;
        };
        if let Err(problem) = spec.check(value.trim()) {
            problems.push(problem);
        }
        if spec.secret {
            read.secrets
                .insert((*name).to_owned(), SecretString::from(value.clone()));
        } else {
            read.values
                .insert((*name).to_owned(), value.trim().to_owned());
        }
    }
    let mut reported = std::collections::BTreeSet::new();
    for platform in platforms {
        let required: Vec<&str> = platform
            .settings
            .iter()
            .filter(|spec| spec.required)
            .map(|spec| spec.name)
            .collect();
        let Some(set) = required.iter().find(|name| read.is_set(name)) else {
            continue;
        };
        for missing in required.iter().filter(|name| !read.is_set(name)) {
            if reported.insert(*missing) {
                problems.push(format!(
                    "{set} is set but {missing} is not ({} needs {})",
                    platform.name,
                    platform.required_settings()
                ));
            }
        }
    }
    read
}

fn read_file(path: &Path) -> Result<String, ServerError> {
    std::fs::read_to_string(path).map_err(|source| ServerError::InvalidConfig {
        problems: vec![format!("cannot read {}: {source}", path.display())],
    })
}

fn read_toml(
    text: &str,
    known: &Known,
    settings: &mut BTreeMap<String, String>,
    problems: &mut Vec<String>,
) {
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
        let Some(spec) = known.for_file_key(&key) else {
            problems.push(format!("{DEFAULT_CONFIG_FILE}: unknown setting `{key}`"));
            continue;
        };
        let name = spec.name;
        let text = match value {
            toml::Value::String(text) => text,
            toml::Value::Integer(number) if spec.kind == SettingKind::PositiveInteger => {
                number.to_string()
            }
            // Webhook consumers (issue 16): `webhook_allow_private_urls = true`.
            toml::Value::Boolean(flag) if name == crate::client_webhooks::ALLOW_PRIVATE_URLS => {
                flag.to_string()
            }
            toml::Value::Array(items)
                if name == "COMMERCE_API_KEYS" || name == "COMMERCE_ENCRYPTION_KEYS" =>
            {
                let mut keys = Vec::new();
                for item in items {
                    match item {
                        toml::Value::String(key) => keys.push(key),
                        _ => problems
                            .push(format!("{DEFAULT_CONFIG_FILE}: `{key}` must hold strings")),
                    }
                }
                keys.join(",")
            }
            _ => {
                problems.push(format!("{DEFAULT_CONFIG_FILE}: `{key}` must be a string"));
                continue;
            }
        };
        settings.insert(name.to_owned(), text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commerce_model::platform::PlatformKey;

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    /// Two integrations of an invented platform, sharing an API base, as a platform crate would
    /// declare them.
    fn platforms() -> Vec<PlatformInfo> {
        let shared = [
            SettingSpec::new("ACME_API_BASE", "API base URL").kind(SettingKind::HttpUrl),
            SettingSpec::new("ACME_SCOPE", "scope").kind(SettingKind::OneOf(&["read", "write"])),
        ];
        let test = PlatformInfo::new(
            PlatformKey::from_static("acme-test"),
            PlatformKey::from_static("acmt"),
            "Acme Test",
            "acme",
        )
        .settings(&[
            SettingSpec::new("ACME_TEST_CLIENT_ID", "client id").required(),
            SettingSpec::new("ACME_TEST_SECRET", "client secret")
                .secret()
                .required(),
        ])
        .settings(&shared);
        let live = PlatformInfo::new(
            PlatformKey::from_static("acme"),
            PlatformKey::from_static("acml"),
            "Acme",
            "acme",
        )
        .settings(&[
            SettingSpec::new("ACME_LIVE_CLIENT_ID", "client id").required(),
            SettingSpec::new("ACME_LIVE_SECRET", "client secret")
                .secret()
                .required(),
        ])
        .settings(&shared);
        vec![test, live]
    }

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
        let config = ServerConfig::from_sources(ok_env(), None, &platforms()).unwrap();
        assert_eq!(config.database_url.expose_secret(), DEFAULT_DATABASE_URL);
        assert_eq!(config.bind.to_string(), DEFAULT_BIND);
        assert_eq!(config.public_url, "http://127.0.0.1:8080");
        assert_eq!(config.api_keys.len(), 2);
        assert!(config.api_keys.contains("second-key-0123456789"));
        assert!(!config.api_keys.contains("third-key-0123456789"));
        for platform in platforms() {
            assert!(!config.platforms.enabled(&platform));
        }
    }

    #[test]
    fn every_problem_is_reported_on_its_own_line() {
        let env = vec![
            ("COMMERCE_BIND", "nowhere"),
            ("COMMERCE_PUBLIC_URL", "ftp://example.com"),
            ("COMMERCE_DATABASE_URL", "mysql://x"),
            ("COMMERCE_API_KEYS", "short"),
            ("COMMERCE_ENCRYPTION_KEY", "not base64!"),
            ("ACME_TEST_CLIENT_ID", "id_123"),
            ("ACME_LIVE_SECRET", "secret_live_x"),
            ("ACME_API_BASE", "localhost"),
            ("ACME_SCOPE", "everything"),
        ];
        let Err(ServerError::InvalidConfig { problems }) =
            ServerConfig::from_sources(env, None, &platforms())
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
            "ACME_TEST_CLIENT_ID is set but ACME_TEST_SECRET is not",
            "ACME_LIVE_SECRET is set but ACME_LIVE_CLIENT_ID is not",
            "ACME_API_BASE \"localhost\" is not a URL",
            "ACME_SCOPE \"everything\" must be one of read, write",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
        }
        assert_eq!(problems.len(), 9, "{text}");
        assert!(!text.contains("secret_live_x"));
        assert!(!text.contains("not base64!"));
    }

    #[test]
    fn secret_values_are_never_echoed_by_checks() {
        let spec = SettingSpec::new("ACME_TOKEN", "a token")
            .secret()
            .kind(SettingKind::HttpUrl);
        let problem = spec.check("sk-hidden-value").unwrap_err();
        assert!(problem.contains("ACME_TOKEN"));
        assert!(!problem.contains("sk-hidden-value"), "{problem}");
    }

    #[test]
    fn missing_keys_are_problems() {
        let Err(ServerError::InvalidConfig { problems }) =
            ServerConfig::from_sources(Vec::<(String, String)>::new(), None, &[])
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
            acme_test_client_id = "id_file"
            acme_test_secret = "secret_file"
            acme_api_base = "http://127.0.0.1:12111"
            webhook_max_attempts = 4
        "#;
        let env = vec![
            ("COMMERCE_ENCRYPTION_KEY", KEY),
            ("ACME_TEST_CLIENT_ID", "id_env"),
            ("PATH", "/bin"),
        ];
        let config = ServerConfig::from_sources(env, Some(file), &platforms()).unwrap();
        assert_eq!(config.bind.port(), 9000);
        assert_eq!(config.public_url, "https://commerce.example.com");
        assert!(config.api_keys.contains("file-key-0123456789abc"));
        assert_eq!(
            config.platforms.value("ACME_TEST_CLIENT_ID"),
            Some("id_env")
        );
        assert_eq!(
            config
                .platforms
                .secret("ACME_TEST_SECRET")
                .map(|secret| secret.expose_secret().to_owned()),
            Some("secret_file".to_owned())
        );
        assert_eq!(config.platforms.value("ACME_TEST_SECRET"), None);
        let platforms = platforms();
        assert!(config.platforms.enabled(&platforms[0]));
        assert!(!config.platforms.enabled(&platforms[1]));
    }

    #[test]
    fn several_encryption_keys_newest_first() {
        const OLD: &str = KEY;
        const NEW: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
        let newest = EncryptionKey::from_base64(NEW).unwrap().id();
        let older = EncryptionKey::from_base64(OLD).unwrap().id();
        let list = format!("{NEW}, {OLD}");
        let mut env: Vec<(&str, &str)> = ok_env()
            .into_iter()
            .filter(|(name, _)| *name != "COMMERCE_ENCRYPTION_KEY")
            .collect();
        env.push(("COMMERCE_ENCRYPTION_KEYS", &list));
        let config = ServerConfig::from_sources(env.clone(), None, &[]).unwrap();
        assert_eq!(config.encryption_keys.ids(), vec![newest, older]);
        let debug = format!("{config:?}");
        assert!(!debug.contains(NEW) && !debug.contains(OLD), "{debug}");

        // The single key is still accepted alone.
        let config = ServerConfig::from_sources(ok_env(), None, &[]).unwrap();
        assert_eq!(config.encryption_keys.ids(), vec![older]);

        // In commerce.toml as an array (or a comma-separated string).
        let file = format!("encryption_keys = [\"{NEW}\", \"{OLD}\"]\n");
        let file_env: Vec<(&str, &str)> = env
            .iter()
            .copied()
            .filter(|(name, _)| *name != "COMMERCE_ENCRYPTION_KEYS")
            .collect();
        let config = ServerConfig::from_sources(file_env, Some(&file), &[]).unwrap();
        assert_eq!(config.encryption_keys.ids(), vec![newest, older]);

        // Both variables set: one would be ignored, so it is a problem.
        let mut both = env.clone();
        both.push(("COMMERCE_ENCRYPTION_KEY", OLD));
        let Err(ServerError::InvalidConfig { problems }) =
            ServerConfig::from_sources(both, None, &[])
        else {
            panic!("expected invalid config");
        };
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("both set"), "{problems:?}");

        // A bad key is named by its position, never quoted.
        let bad = format!("{NEW},not-a-key!,{OLD}");
        let mut env_bad: Vec<(&str, &str)> = env
            .iter()
            .copied()
            .filter(|(name, _)| *name != "COMMERCE_ENCRYPTION_KEYS")
            .collect();
        env_bad.push(("COMMERCE_ENCRYPTION_KEYS", &bad));
        let Err(ServerError::InvalidConfig { problems }) =
            ServerConfig::from_sources(env_bad, None, &[])
        else {
            panic!("expected invalid config");
        };
        let text = problems.join("\n");
        assert!(
            text.contains("COMMERCE_ENCRYPTION_KEYS") && text.contains("key #2"),
            "{text}"
        );
        assert!(
            !text.contains("not-a-key!") && !text.contains(NEW),
            "{text}"
        );
    }

    #[test]
    fn settings_of_platforms_not_registered_are_unknown() {
        let file = "acme_test_client_id = \"id\"\n";
        let Err(ServerError::InvalidConfig { problems }) =
            ServerConfig::from_sources(ok_env(), Some(file), &[])
        else {
            panic!("expected invalid config");
        };
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("unknown setting `acme_test_client_id`"));
        // In the environment they are simply not read.
        let mut env = ok_env();
        env.push(("ACME_TEST_CLIENT_ID", "id"));
        let config = ServerConfig::from_sources(env, None, &[]).unwrap();
        assert!(!config.platforms.is_set("ACME_TEST_CLIENT_ID"));
    }

    #[test]
    fn platforms_cannot_declare_server_settings() {
        let rogue = PlatformInfo::new(
            PlatformKey::from_static("rogue"),
            PlatformKey::from_static("rogu"),
            "Rogue",
            "rogue",
        )
        .settings(&[SettingSpec::new("COMMERCE_BIND", "mine")]);
        let Err(ServerError::InvalidConfig { problems }) =
            ServerConfig::from_sources(ok_env(), None, &[rogue])
        else {
            panic!("expected invalid config");
        };
        assert!(problems[0].contains("COMMERCE_ settings belong to the server"));
    }

    #[test]
    fn webhook_consumer_settings_are_read_from_the_file_and_the_environment() {
        let config = ServerConfig::from_sources(ok_env(), None, &[]).unwrap();
        assert!(
            !config.client_webhooks.allow_private_urls,
            "refused by default"
        );
        let file = "webhook_allow_private_urls = true\n";
        let config = ServerConfig::from_sources(ok_env(), Some(file), &[]).unwrap();
        assert!(config.client_webhooks.allow_private_urls);
        let mut env = ok_env();
        env.push(("COMMERCE_WEBHOOK_ALLOW_PRIVATE_URLS", "false"));
        let config = ServerConfig::from_sources(env, Some(file), &[]).unwrap();
        assert!(
            !config.client_webhooks.allow_private_urls,
            "the variable wins"
        );
        let mut env = ok_env();
        env.push(("COMMERCE_WEBHOOK_URL", "https://hooks.example.com/codat"));
        env.push((
            "COMMERCE_WEBHOOK_SECRET",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ));
        let config = ServerConfig::from_sources(env, None, &[]).unwrap();
        assert!(config.client_webhooks.receiver.is_some());
        assert!(!format!("{config:?}").contains("MfKQ9r8"));
    }

    #[test]
    fn http_edge_settings_have_safe_defaults_and_are_read_from_env_and_file() {
        let config = ServerConfig::from_sources(ok_env(), None, &[]).unwrap();
        assert_eq!(config.http, HttpLimits::default());
        assert_eq!(config.http.header_read_timeout.as_secs(), 10);
        assert_eq!(config.http.max_connections, 1024);
        let file = "header_read_timeout_secs = 3\nmax_body_bytes = \"65536\"\n";
        let mut env = ok_env();
        env.push(("COMMERCE_MAX_CONNECTIONS", "50"));
        env.push(("COMMERCE_KEEP_ALIVE_TIMEOUT_SECS", "2"));
        env.push(("COMMERCE_BODY_TIMEOUT_SECS", "7"));
        let config = ServerConfig::from_sources(env, Some(file), &[]).unwrap();
        assert_eq!(config.http.header_read_timeout.as_secs(), 3);
        assert_eq!(config.http.max_body_bytes, 65536);
        assert_eq!(config.http.max_connections, 50);
        assert_eq!(config.http.keep_alive_timeout.as_secs(), 2);
        assert_eq!(config.http.body_timeout.as_secs(), 7);
        let mut env = ok_env();
        env.push(("COMMERCE_MAX_CONNECTIONS", "0"));
        env.push(("COMMERCE_BODY_TIMEOUT_SECS", "soon"));
        let Err(ServerError::InvalidConfig { problems }) =
            ServerConfig::from_sources(env, None, &[])
        else {
            panic!("expected invalid config");
        };
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].contains("COMMERCE_MAX_CONNECTIONS")
                || problems[1].contains("COMMERCE_MAX_CONNECTIONS")
        );
    }

    #[test]
    fn unknown_file_keys_are_problems() {
        let file = "colour = \"blue\"\nport = 1\n";
        let Err(ServerError::InvalidConfig { problems }) =
            ServerConfig::from_sources(ok_env(), Some(file), &platforms())
        else {
            panic!("expected invalid config");
        };
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("unknown setting `colour`"));
    }

    #[test]
    fn debug_shows_no_secret() {
        let mut env = ok_env();
        env.push(("ACME_TEST_CLIENT_ID", "id_visible"));
        env.push(("ACME_TEST_SECRET", "secret_test_hidden_value"));
        env.push((
            "COMMERCE_DATABASE_URL",
            "postgres://user:pw-hidden@db/commerce",
        ));
        let config = ServerConfig::from_sources(env, None, &platforms()).unwrap();
        let debug = format!("{config:?}");
        assert!(debug.contains("id_visible"));
        for secret in ["secret_test_hidden_value", "pw-hidden", "first-key", KEY] {
            assert!(!debug.contains(secret), "{secret} leaked: {debug}");
        }
    }
}

//! Loading the configuration the server reads (`COMMERCE_*` variables, the settings the shipped
//! platforms declare, and an optional `commerce.toml`; see `commerce_server::ServerConfig`) for
//! every command, and opening the store and the platforms from it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context as _;
use commerce_server::{ServerConfig, ServerError, DEFAULT_CONFIG_FILE};
use commerce_store::Store;
use commerce_sync::{PlatformRegistry, SyncConfig, SyncEngine};

use commerce_cli::platforms::{self, BuildContext, PlatformOptions};

/// Whether a command serves the HTTP API (and so needs `COMMERCE_API_KEYS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Needs {
    /// `serve`: every setting.
    Api,
    /// Commands that only use the database and the platforms: API keys are not required.
    Store,
}

/// A configuration problem, printed one line per problem.
#[derive(Debug)]
pub(crate) struct ConfigProblems(pub(crate) Vec<String>);

impl std::fmt::Display for ConfigProblems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("; "))
    }
}

impl std::error::Error for ConfigProblems {}

/// Reads the environment and `commerce.toml` (named by `COMMERCE_CONFIG`, or in the working
/// directory when present).
pub(crate) fn load(needs: Needs) -> anyhow::Result<ServerConfig> {
    let mut env: BTreeMap<String, String> = std::env::vars().collect();
    let path = match env.get("COMMERCE_CONFIG") {
        Some(path) => Some(PathBuf::from(path)),
        None => {
            let default = PathBuf::from(DEFAULT_CONFIG_FILE);
            default.exists().then_some(default)
        }
    };
    let file = match &path {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|error| {
            ConfigProblems(vec![format!("cannot read {}: {error}", path.display())])
        })?),
        None => None,
    };
    if needs == Needs::Store
        && env
            .get("COMMERCE_API_KEYS")
            .is_none_or(|keys| keys.trim().is_empty())
    {
        // These commands serve no API: a random key nobody knows stands in (the variable wins
        // over the file, whose keys are not needed either).
        env.insert("COMMERCE_API_KEYS".to_owned(), random_key("unused"));
    }
    from_sources(env, file.as_deref())
}

/// [`ServerConfig::from_sources`] with its problems as [`ConfigProblems`].
pub(crate) fn from_sources(
    env: BTreeMap<String, String>,
    file: Option<&str>,
) -> anyhow::Result<ServerConfig> {
    let declared = platforms::declared(&platforms::shipped());
    match ServerConfig::from_sources(env, file, &declared) {
        Ok(config) => Ok(config),
        Err(ServerError::InvalidConfig { problems }) => Err(ConfigProblems(problems).into()),
        Err(error) => Err(error.into()),
    }
}

/// A random secret: `prefix` and 32 hex digits.
pub(crate) fn random_key(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}

/// Opens (and migrates) the store of `config`.
pub(crate) async fn open_store(config: &ServerConfig) -> anyhow::Result<Store> {
    commerce_server::open_store(config)
        .await
        .context("cannot open the database (COMMERCE_DATABASE_URL)")
}

/// The store, the platforms and a sync engine over both.
pub(crate) async fn engine(
    config: &ServerConfig,
    sync: SyncConfig,
    options: PlatformOptions,
) -> anyhow::Result<SyncEngine> {
    let store = open_store(config).await?;
    let registry: PlatformRegistry = platforms::registry(&BuildContext {
        settings: &config.platforms,
        public_url: &config.public_url,
        store: &store,
        options,
    })?;
    Ok(SyncEngine::new(store, registry, sync))
}

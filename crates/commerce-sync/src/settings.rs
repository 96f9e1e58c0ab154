//! Codat's sync settings, as the engine honours them: per data type, whether it is queued when
//! a connection is linked (`fetchOnFirstLink`), how many hours pass between pulls
//! (`syncSchedule`) and in which order data types are queued (`syncOrder`).
//!
//! The effective setting of a company's data type is, from weakest to strongest: the engine's
//! [`crate::Schedule`] (fetched on first link, its interval rounded up to whole hours), the
//! profile's settings (`POST /profile/syncSettings`), the company's own
//! (`POST /companies/{companyId}/syncSettings`).

use std::collections::BTreeMap;
use std::time::Duration;

use commerce_model::DataType;
use commerce_store::{ConnectionStatus, Dataset, StoreError, SyncSetting};
use uuid::Uuid;

use crate::engine::{QueueAll, SyncEngine};
use crate::error::SyncError;

/// The effective sync setting of one data type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EffectiveSetting {
    /// The setting, in Codat's shape.
    pub setting: SyncSetting,
    /// Whether it comes from the engine's schedule (nothing stored sets it).
    pub is_default: bool,
}

impl EffectiveSetting {
    /// How long after a finished pull the data type is pulled again.
    pub fn interval(&self, default: Duration) -> Duration {
        if self.is_default {
            default
        } else {
            Duration::from_secs(u64::from(self.setting.sync_schedule) * 3600)
        }
    }
}

impl SyncEngine {
    /// The sync settings in force for `company_id` (or for the profile, with `None`), one per
    /// data type in [`DataType::ALL`] order.
    pub async fn effective_sync_settings(
        &self,
        company_id: Option<Uuid>,
    ) -> Result<BTreeMap<DataType, EffectiveSetting>, SyncError> {
        let schedule = &self.config().schedule;
        let mut effective = BTreeMap::new();
        for (order, &data_type) in DataType::ALL.iter().enumerate() {
            let interval = schedule.interval(data_type).as_secs();
            let hours = u32::try_from(interval.div_ceil(3600).max(1)).unwrap_or(u32::MAX);
            let mut setting = SyncSetting::new(data_type.key(), hours);
            setting.sync_order = i32::try_from(order).unwrap_or(i32::MAX);
            effective.insert(
                data_type,
                EffectiveSetting {
                    setting,
                    is_default: true,
                },
            );
        }
        let mut layers = Vec::new();
        if let Some(profile) = self.store().profile_sync_settings().await? {
            layers.push(profile);
        }
        if let Some(company_id) = company_id {
            if let Some(own) = self.store().company_sync_settings(company_id).await? {
                layers.push(own);
            }
        }
        for layer in layers {
            for setting in layer.settings {
                if let Ok(data_type) = DataType::parse(&setting.data_type) {
                    effective.insert(
                        data_type,
                        EffectiveSetting {
                            setting,
                            is_default: false,
                        },
                    );
                }
            }
        }
        Ok(effective)
    }

    /// Queues what linking a connection queues: every data type whose effective setting has
    /// `fetchOnFirstLink`, in `syncOrder`. The others are left to the schedule, which pulls
    /// them `syncSchedule` hours after the link. Otherwise as [`SyncEngine::queue_all`].
    pub async fn queue_first_link(&self, connection_id: Uuid) -> Result<QueueAll, SyncError> {
        let connection = self.store().get_connection(connection_id).await?;
        if connection.status != ConnectionStatus::Linked {
            return Err(SyncError::ConnectionNotLinked {
                connection_id,
                status: connection.status,
            });
        }
        let Some(platform) = self.registry().get(&connection.platform_key) else {
            return Err(SyncError::UnknownPlatform {
                key: connection.platform_key,
            });
        };
        let settings = self
            .effective_sync_settings(Some(connection.company_id))
            .await?;
        let mut ordered: Vec<(&DataType, &EffectiveSetting)> = settings.iter().collect();
        ordered.sort_by_key(|(data_type, effective)| {
            (
                effective.setting.sync_order,
                DataType::ALL.iter().position(|known| known == *data_type),
            )
        });
        let mut outcome = QueueAll::default();
        for (&data_type, effective) in ordered {
            if !effective.setting.fetch_on_first_link {
                continue;
            }
            if !platform.supports().contains(&data_type) {
                let dataset = self
                    .record_not_supported(connection_id, data_type, platform.name())
                    .await?;
                outcome.not_supported.push(dataset);
                continue;
            }
            match self.store().queue_dataset(connection_id, data_type).await {
                Ok(dataset) => outcome.queued.push(dataset),
                Err(StoreError::DatasetInProgress { .. }) => {
                    if let Some(dataset) = self
                        .store()
                        .in_progress_dataset(connection_id, data_type)
                        .await?
                    {
                        outcome.in_progress.push(dataset);
                    }
                }
                Err(error) => return Err(error.into()),
            }
        }
        self.wake_workers();
        Ok(outcome)
    }

    async fn record_not_supported(
        &self,
        connection_id: Uuid,
        data_type: DataType,
        platform: &str,
    ) -> Result<Dataset, SyncError> {
        self.not_supported(connection_id, data_type, platform).await
    }
}

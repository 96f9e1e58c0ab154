//! Typed lists: [`StripeClient::list_all`] and [`StripeClient::list_all_objects`] take the list
//! path and the allowed filters from the resource type ([`Listable`]), so a type cannot be
//! paired with another resource's path.

use std::pin::Pin;

use futures::{Stream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use stripe_wire::Listable;

use crate::client::StripeClient;
use crate::error::StripeError;
use crate::list::{ListParams, Page};

/// The pages of a typed list. Boxed and pinned, so it is `Unpin`: call `.try_next().await`
/// (from `futures::TryStreamExt`) on it directly, no `pin!` needed.
pub type PageStream<T> = Pin<Box<dyn Stream<Item = Result<Page<T>, StripeError>> + Send>>;

/// The objects of a typed list, one by one. `Unpin`, like [`PageStream`].
pub type ObjectStream<T> = Pin<Box<dyn Stream<Item = Result<T, StripeError>> + Send>>;

impl StripeClient {
    /// Every page of `T`'s list endpoint (e.g. `/v1/customers` for
    /// [`stripe_wire::Customer`]), from `params`' cursor to the end; see
    /// [`StripeClient::list`] for paging and resuming.
    ///
    /// A filter `T`'s endpoint does not take ends the stream at once with
    /// [`StripeError::UnknownFilter`], before any request.
    pub fn list_all<T>(&self, params: ListParams) -> PageStream<T>
    where
        T: Listable + DeserializeOwned + Send + 'static,
    {
        if let Some((key, _)) = params
            .filters()
            .iter()
            .find(|(key, _)| !T::accepts_filter(key))
        {
            let error = StripeError::UnknownFilter {
                path: T::LIST_PATH,
                filter: key.clone(),
            };
            return Box::pin(futures::stream::once(async move { Err(error) }));
        }
        Box::pin(self.list::<T>(T::LIST_PATH, params))
    }

    /// Every object of `T`'s list endpoint, one by one (the pages of
    /// [`StripeClient::list_all`], flattened). Use `list_all` when you need the resume cursor.
    pub fn list_all_objects<T>(&self, params: ListParams) -> ObjectStream<T>
    where
        T: Listable + DeserializeOwned + Send + 'static,
    {
        self.list_all::<T>(params)
            .map_ok(|page| futures::stream::iter(page.data.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }
}

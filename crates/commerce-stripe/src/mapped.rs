//! What mapping one Stripe object can give besides a record: a deletion.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// The result of mapping an object Stripe can delete (customers, products, accounts).
#[derive(Debug, Clone, PartialEq)]
pub enum Mapped<T> {
    /// The object exists: here is its record.
    Record(T),
    /// Stripe sent `{id, object, deleted: true}`: the stored record with this id is to be deleted.
    Deleted(Deletion),
}

impl<T> Mapped<T> {
    /// The record, or `None` for a deletion.
    pub fn record(&self) -> Option<&T> {
        match self {
            Mapped::Record(record) => Some(record),
            Mapped::Deleted(_) => None,
        }
    }

    /// The deletion, or `None` for a record.
    pub fn deletion(&self) -> Option<&Deletion> {
        match self {
            Mapped::Record(_) => None,
            Mapped::Deleted(deletion) => Some(deletion),
        }
    }
}

/// A record to delete: written as `{"id": "cus_123", "deleted": true}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    /// The id of the deleted record (the Stripe id, as for the record itself).
    pub id: String,
}

impl Serialize for Deletion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("Deletion", 2)?;
        state.serialize_field("id", &self.id)?;
        state.serialize_field("deleted", &true)?;
        state.end()
    }
}

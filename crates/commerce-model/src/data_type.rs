//! The registry of commerce data types: Codat's data-type keys, URL segments, and the link from each
//! typed record to its [`DataType`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ModelError;
use crate::records::company_info::CompanyInfo;
use crate::records::customer::Customer;
use crate::records::dispute::Dispute;
use crate::records::location::Location;
use crate::records::order::Order;
use crate::records::payment::Payment;
use crate::records::payment_method::PaymentMethod;
use crate::records::product::Product;
use crate::records::product_category::ProductCategory;
use crate::records::tax_component::TaxComponent;
use crate::records::transaction::Transaction;
use crate::Timestamp;

/// One commerce data type.
///
/// Serialized as its Codat key (`commerce-customers`); parsed from the key or the URL segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DataType {
    /// `commerce-companyInfo`, served at `commerce-info`.
    CompanyInfo,
    /// `commerce-customers`.
    Customers,
    /// `commerce-disputes`.
    Disputes,
    /// `commerce-locations`.
    Locations,
    /// `commerce-orders`.
    Orders,
    /// `commerce-paymentMethods`.
    PaymentMethods,
    /// `commerce-payments`.
    Payments,
    /// `commerce-productCategories`.
    ProductCategories,
    /// `commerce-products`.
    Products,
    /// `commerce-taxComponents`.
    TaxComponents,
    /// `commerce-transactions`.
    Transactions,
}

impl DataType {
    /// Every data type, in the order of Codat's key list.
    pub const ALL: &'static [DataType] = &[
        DataType::CompanyInfo,
        DataType::Customers,
        DataType::Disputes,
        DataType::Locations,
        DataType::Orders,
        DataType::PaymentMethods,
        DataType::Payments,
        DataType::ProductCategories,
        DataType::Products,
        DataType::TaxComponents,
        DataType::Transactions,
    ];

    /// Codat's data-type key, used in `dataStatus`, queueing and sync settings.
    pub const fn key(self) -> &'static str {
        match self {
            DataType::CompanyInfo => "commerce-companyInfo",
            DataType::Customers => "commerce-customers",
            DataType::Disputes => "commerce-disputes",
            DataType::Locations => "commerce-locations",
            DataType::Orders => "commerce-orders",
            DataType::PaymentMethods => "commerce-paymentMethods",
            DataType::Payments => "commerce-payments",
            DataType::ProductCategories => "commerce-productCategories",
            DataType::Products => "commerce-products",
            DataType::TaxComponents => "commerce-taxComponents",
            DataType::Transactions => "commerce-transactions",
        }
    }

    /// The path segment after `/companies/{companyId}/connections/{connectionId}/data/`.
    /// Equal to the key except for company info (`commerce-info`).
    pub const fn url_segment(self) -> &'static str {
        match self {
            DataType::CompanyInfo => "commerce-info",
            other => other.key(),
        }
    }

    /// Whether the list endpoint returns a paged envelope. Only company info is a single object.
    pub const fn is_paged(self) -> bool {
        !matches!(self, DataType::CompanyInfo)
    }

    /// Parses a data-type key (`commerce-companyInfo`) or URL segment (`commerce-info`).
    pub fn parse(text: &str) -> Result<DataType, ModelError> {
        DataType::ALL
            .iter()
            .copied()
            .find(|data_type| data_type.key() == text || data_type.url_segment() == text)
            .ok_or_else(|| ModelError::UnknownDataType {
                value: text.to_owned(),
            })
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for DataType {
    type Err = ModelError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        DataType::parse(text)
    }
}

impl Serialize for DataType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for DataType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        DataType::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A typed commerce record: which [`DataType`] it belongs to, and how to find its id and dates.
///
/// Implemented by every record type of this crate; `platform::Record::new` uses it to turn a
/// typed value into the JSON form the store keeps.
pub trait CommerceRecord: Serialize + for<'de> Deserialize<'de> {
    /// The data type of this record.
    const DATA_TYPE: DataType;

    /// The record's id within its connection, or `None` when a type whose id is optional
    /// (`ProductCategory`) has none. Company info, which Codat gives no id, answers
    /// [`COMPANY_INFO_RECORD_ID`].
    fn record_id(&self) -> Option<&str>;

    /// When the record last changed in the platform, if known.
    fn source_modified_date(&self) -> Option<Timestamp>;
}

/// The id under which a connection's single company-info record is stored.
pub const COMPANY_INFO_RECORD_ID: &str = "companyInfo";

macro_rules! commerce_record {
    ($type:ty, $data_type:expr, |$record:ident| $id:expr) => {
        impl CommerceRecord for $type {
            const DATA_TYPE: DataType = $data_type;

            fn record_id(&self) -> Option<&str> {
                let $record = self;
                $id
            }

            fn source_modified_date(&self) -> Option<Timestamp> {
                self.source_modified_date
            }
        }
    };
}

commerce_record!(CompanyInfo, DataType::CompanyInfo, |_record| Some(
    COMPANY_INFO_RECORD_ID
));
commerce_record!(Customer, DataType::Customers, |record| Some(
    record.id.as_str()
));
commerce_record!(Dispute, DataType::Disputes, |record| Some(
    record.id.as_str()
));
commerce_record!(Location, DataType::Locations, |record| Some(
    record.id.as_str()
));
commerce_record!(Order, DataType::Orders, |record| Some(record.id.as_str()));
commerce_record!(PaymentMethod, DataType::PaymentMethods, |record| Some(
    record.id.as_str()
));
commerce_record!(Payment, DataType::Payments, |record| Some(
    record.id.as_str()
));
commerce_record!(ProductCategory, DataType::ProductCategories, |record| {
    record.id.as_deref()
});
commerce_record!(Product, DataType::Products, |record| Some(
    record.id.as_str()
));
commerce_record!(TaxComponent, DataType::TaxComponents, |record| Some(
    record.id.as_str()
));
commerce_record!(Transaction, DataType::Transactions, |record| Some(
    record.id.as_str()
));

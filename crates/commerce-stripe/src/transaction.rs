//! Transactions from Stripe `BalanceTransaction`s: a main row plus one row per non-zero fee.

use commerce_model as commerce;
use stripe_wire as stripe;

use crate::address::non_empty;
use crate::date::timestamp;
use crate::error::MapError;
use crate::money::CurrencyCode;
use crate::require_id;

/// Maps a balance transaction into its main row followed by one row per non-zero fee detail.
///
/// Fee rows have id `<txn id>:<fee description>` (`:2`, `:3`... for a repeated description) and the
/// negated fee as amount, so the rows sum to the transaction's `net`. A transaction whose `net` is
/// not `amount - Σ fee_details` or whose fee is in another currency is an [`MapError::InvalidField`]:
/// its rows could not add up.
pub fn map_balance_transaction(
    txn: &stripe::BalanceTransaction,
) -> Result<Vec<commerce::Transaction>, MapError> {
    const OBJECT: &str = "balance_transaction";
    let id = require_id(OBJECT, &txn.id)?;
    let currency = CurrencyCode::require(Some(&txn.currency), OBJECT, id, "currency")?;
    let fee_total: i128 = txn
        .fee_details
        .iter()
        .map(|fee| i128::from(fee.amount))
        .sum();
    if i128::from(txn.amount) - fee_total != i128::from(txn.net) {
        return Err(MapError::InvalidField {
            object: OBJECT,
            id: id.to_owned(),
            field: "net",
            value: txn.net.to_string(),
        });
    }
    let created_date = timestamp(Some(txn.created), OBJECT, id, "created")?;
    let transaction_source_ref = txn
        .source
        .as_ref()
        .map(|source| source.id())
        .filter(|source_id| !source_id.is_empty())
        .map(|source_id| commerce::TransactionSourceRef {
            id: source_id.to_owned(),
            source_type: source_type(source_id),
        });
    let raw_type = txn.transaction_type.as_str();
    let mut rows = vec![commerce::Transaction {
        id: id.to_owned(),
        total_amount: Some(currency.major(txn.amount)),
        currency: Some(currency.as_str().to_owned()),
        transaction_type: Some(transaction_type(raw_type)),
        sub_type: non_empty(Some(raw_type)),
        transaction_source_ref: transaction_source_ref.clone(),
        created_date,
        ..Default::default()
    }];

    let mut seen_suffixes: Vec<(String, usize)> = Vec::new();
    for fee in txn.fee_details.iter().filter(|fee| fee.amount != 0) {
        let fee_currency =
            CurrencyCode::parse(Some(&fee.currency), OBJECT, id, "fee_details.currency")?;
        if fee_currency
            .as_ref()
            .is_some_and(|fee_currency| *fee_currency != currency)
        {
            return Err(MapError::InvalidField {
                object: OBJECT,
                id: id.to_owned(),
                field: "fee_details.currency",
                value: fee.currency.clone(),
            });
        }
        let fee_type = fee.fee_type.as_str();
        let description = non_empty(fee.description.as_deref())
            .or_else(|| non_empty(Some(fee_type)))
            .unwrap_or_else(|| "fee".to_owned());
        let occurrence = match seen_suffixes
            .iter_mut()
            .find(|(seen, _)| *seen == description)
        {
            Some((_, count)) => {
                *count += 1;
                *count
            }
            None => {
                seen_suffixes.push((description.clone(), 1));
                1
            }
        };
        let row_id = if occurrence == 1 {
            format!("{id}:{description}")
        } else {
            format!("{id}:{description}:{occurrence}")
        };
        rows.push(commerce::Transaction {
            id: row_id,
            total_amount: Some(-currency.major(fee.amount)),
            currency: Some(currency.as_str().to_owned()),
            transaction_type: Some(if fee.amount > 0 {
                commerce::TransactionType::PaymentFee
            } else {
                commerce::TransactionType::PaymentFeeRefund
            }),
            sub_type: non_empty(Some(fee_type)),
            transaction_source_ref: transaction_source_ref.clone(),
            created_date,
            ..Default::default()
        });
    }
    Ok(rows)
}

/// Stripe's balance-transaction `type` into Codat's transaction type.
pub(crate) fn transaction_type(stripe_type: &str) -> commerce::TransactionType {
    use commerce::TransactionType as Type;
    match stripe_type {
        "charge" | "payment" => Type::Payment,
        "refund" | "payment_refund" | "payment_failure_refund" => Type::Refund,
        "payout" => Type::Payout,
        "payout_cancel" | "payout_failure" => Type::FailedPayout,
        "transfer" | "transfer_cancel" | "transfer_failure" | "transfer_refund" => Type::Transfer,
        "stripe_fee" | "application_fee" | "stripe_fx_fee" | "tax_fee" => Type::PaymentFee,
        "application_fee_refund" => Type::PaymentFeeRefund,
        _ => Type::unknown(),
    }
}

/// What kind of record a balance transaction's `source` is, by its id prefix.
pub(crate) fn source_type(source_id: &str) -> commerce::TransactionSourceType {
    use commerce::TransactionSourceType as Source;
    let prefix = source_id.split('_').next().unwrap_or_default();
    match prefix {
        "ch" | "py" | "re" | "pyr" | "pi" => Source::Payment,
        "fee" | "fr" => Source::Fee,
        _ => Source::unknown(),
    }
}

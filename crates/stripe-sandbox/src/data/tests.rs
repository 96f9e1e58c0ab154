use super::disputes::DISPUTE_STATUSES;
use super::*;

fn merchant(size: u64, index: usize) -> Merchant {
    Merchant::new(7, index, Mode::Test, size, 1_800_000_000, None)
}

#[test]
fn created_never_increases_with_the_index() {
    for index in 0..5 {
        let merchant = merchant(200, index);
        for resource in Resource::ALL {
            let times: Vec<i64> = (0..merchant.len(resource))
                .map(|slot| merchant.created_at(resource, slot))
                .collect();
            assert!(
                times.windows(2).all(|pair| pair[0] >= pair[1]),
                "{resource:?} of account {index}"
            );
            assert!(
                times.iter().all(|time| *time < merchant.start),
                "{resource:?} in the future"
            );
        }
    }
}

#[test]
fn built_objects_have_the_lattice_created_and_their_own_id() {
    let merchant = merchant(100, 1);
    for index in 0..100 {
        if let Some(charge) = merchant.charge(index) {
            assert_eq!(
                charge.created,
                merchant.created_at(Resource::Charges, index)
            );
            assert_eq!(
                merchant.locate(Resource::Charges, &charge.id),
                Some(Slot::Generated(index))
            );
        }
        for slot in index * BT_PER_CHARGE..(index + 1) * BT_PER_CHARGE {
            if let Some(transaction) = merchant.balance_transaction(slot) {
                assert_eq!(
                    transaction.created,
                    merchant.created_at(Resource::BalanceTransactions, slot)
                );
            }
        }
    }
}

#[test]
fn balance_transactions_reconcile() {
    for index in 0..3 {
        let merchant = merchant(120, index);
        for slot in 0..merchant.len(Resource::BalanceTransactions) {
            let Some(transaction) = merchant.balance_transaction(slot) else {
                continue;
            };
            let fees: i64 = transaction
                .fee_details
                .iter()
                .map(|detail| detail.amount)
                .sum();
            assert_eq!(transaction.fee, fees, "{}", transaction.id);
            assert_eq!(transaction.net, transaction.amount - transaction.fee);
            assert_eq!(transaction.currency, merchant.currency);
        }
        // Every payout pays exactly the net of its window.
        for payout_index in 0..merchant.len(Resource::Payouts) {
            let Some(payout) = merchant.payout(payout_index) else {
                continue;
            };
            let window: i64 = (0..merchant.len(Resource::BalanceTransactions))
                .filter_map(|slot| merchant.balance_transaction(slot))
                .filter(|transaction| {
                    merchant.paid_out_by(&transaction.id) == Some(Slot::Generated(payout_index))
                })
                .map(|transaction| transaction.net)
                .sum();
            assert_eq!(payout.amount, window, "{}", payout.id);
            assert!(payout.amount > 0);
        }
        // Charges, refunds and disputes point at balance transactions that match them.
        for slot in 0..merchant.size {
            if let Some(charge) = merchant.charge(slot) {
                if let Some(id) = charge
                    .balance_transaction
                    .as_ref()
                    .map(|bt| bt.id().to_owned())
                {
                    let Some(Slot::Generated(bt_slot)) =
                        merchant.locate(Resource::BalanceTransactions, &id)
                    else {
                        panic!()
                    };
                    let transaction = merchant.balance_transaction(bt_slot).unwrap();
                    assert_eq!(
                        transaction
                            .source
                            .as_ref()
                            .map(|source| source.id().to_owned()),
                        Some(charge.id.clone())
                    );
                    if charge.currency == merchant.currency {
                        assert_eq!(transaction.amount, charge.amount);
                    } else {
                        assert!(transaction.exchange_rate.is_some());
                    }
                }
            }
            if let Some(refund) = merchant.refund(slot) {
                let charge = merchant.charge(slot).unwrap();
                assert!(refund.amount <= charge.amount);
                assert_eq!(
                    refund.charge.as_ref().map(|charge| charge.id().to_owned()),
                    Some(charge.id.clone())
                );
            }
        }
    }
}

#[test]
fn balance_is_the_sum_of_all_nets() {
    let merchant = merchant(300, 2);
    let total: i64 = (0..merchant.len(Resource::BalanceTransactions))
        .filter_map(|slot| merchant.balance_transaction(slot))
        .map(|transaction| transaction.net)
        .sum();
    let sums = merchant.generated_balance();
    assert_eq!(sums.available + sums.pending, total);
}

#[test]
fn the_data_covers_every_kind_stripe_has() {
    let merchant = merchant(2000, 0);
    let charges: Vec<_> = (0..merchant.size)
        .filter_map(|index| merchant.charge(index))
        .collect();
    assert!(charges.len() < 2000, "some payment intents have no charge");
    for status in ["succeeded", "pending", "failed"] {
        assert!(
            charges
                .iter()
                .any(|charge| charge.status.as_str() == status),
            "{status}"
        );
    }
    assert!(
        charges
            .iter()
            .any(|charge| !charge.captured && !charge.refunded),
        "uncaptured"
    );
    assert!(
        charges
            .iter()
            .any(|charge| !charge.captured && charge.refunded),
        "released"
    );
    let refunds: Vec<_> = (0..merchant.size)
        .filter_map(|index| merchant.refund(index))
        .collect();
    assert!(refunds
        .iter()
        .any(|refund| refund.status == Some(stripe::RefundStatus::Failed)));
    let partial = refunds.iter().any(|refund| {
        let charge = merchant.charge(merchant.locate(Resource::Refunds, &refund.id).map_or(
            0,
            |slot| match slot {
                Slot::Generated(index) => index,
                Slot::Added(_) => 0,
            },
        ));
        charge.is_some_and(|charge| refund.amount < charge.amount)
    });
    assert!(partial, "partial refunds");
    let statuses: std::collections::HashSet<String> = (0..merchant.size)
        .filter_map(|index| merchant.dispute(index))
        .map(|dispute| dispute.status.as_str().to_owned())
        .collect();
    assert_eq!(statuses.len(), DISPUTE_STATUSES.len(), "{statuses:?}");
    let payouts: Vec<_> = (0..merchant.len(Resource::Payouts))
        .filter_map(|index| merchant.payout(index))
        .collect();
    assert!(payouts
        .iter()
        .any(|payout| payout.status == stripe::PayoutStatus::Failed));
    assert!(payouts
        .iter()
        .any(|payout| payout.status == stripe::PayoutStatus::Paid));
    let prices: Vec<_> = (0..merchant.len(Resource::Prices))
        .filter_map(|slot| merchant.price(slot, false))
        .collect();
    assert!(prices.iter().any(|price| price.recurring.is_some()));
    assert!(prices.iter().any(|price| price.recurring.is_none()));
    assert!(prices.iter().any(|price| !price.active));
    assert!(prices
        .iter()
        .any(|price| price.billing_scheme == stripe::BillingScheme::Tiered));
    let currencies: std::collections::HashSet<&str> =
        prices.iter().map(|price| price.currency.as_str()).collect();
    assert_eq!(currencies.len(), 5);
    assert!(
        (0..merchant.size).any(|index| merchant.price_count(index) == 0),
        "a product without price"
    );
    let customers: Vec<_> = (0..merchant.size)
        .filter_map(|index| merchant.customer(index))
        .collect();
    assert!(customers.iter().any(|customer| customer.address.is_none()));
    assert!(customers.iter().any(|customer| customer.shipping.is_some()));
    let events: Vec<_> = (0..merchant.size)
        .filter_map(|index| merchant.event(index))
        .collect();
    assert!(events.len() > 1900);
    assert!(events
        .iter()
        .all(|event| event.created >= merchant.start - 30 * DAY));
    let kinds: std::collections::HashSet<&str> = events
        .iter()
        .map(|event| event.event_type.as_str())
        .collect();
    assert!(kinds.len() >= 10, "{kinds:?}");
    // Events describe objects as they were when created: never after the event.
    assert!(events.iter().all(|event| event.data.object.id().is_empty()
        || event_object_created(&event.data.object) <= event.created));
}

fn event_object_created(object: &stripe::EventObject) -> i64 {
    match object {
        stripe::EventObject::Charge(charge) => charge.created,
        stripe::EventObject::Customer(customer) => customer.created,
        stripe::EventObject::Product(product) => product.created,
        stripe::EventObject::Refund(refund) => refund.created,
        stripe::EventObject::Dispute(dispute) => dispute.created,
        stripe::EventObject::Payout(payout) => payout.created,
        stripe::EventObject::PaymentIntent(intent) => intent.created,
        stripe::EventObject::Price(price) => price.created,
        _ => i64::MIN,
    }
}

#[test]
fn generation_is_a_pure_function_of_the_seed() {
    let first = merchant(50, 1);
    let second = merchant(50, 1);
    for index in 0..50 {
        assert_eq!(first.charge(index), second.charge(index));
        assert_eq!(first.event(index), second.event(index));
    }
    let other = Merchant::new(8, 1, Mode::Test, 50, 1_800_000_000, None);
    assert_ne!(first.account_id, other.account_id);
    assert_ne!(first.customer(0), other.customer(0));
}

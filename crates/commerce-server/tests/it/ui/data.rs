//! A merchant's commerce data as the Stripe mapping would produce it (ids, amounts, types and
//! dates in the shapes of `../shared/spec/stripe-mapping.md`), dated in the last 30 days so it
//! shows on the chart. Every record goes through the typed model (`serde` into
//! `commerce_model::Payment` etc. and `Record::new`), so only valid model values reach the
//! store. Deterministic: the same data on every run.

use chrono::{Duration, Utc};
use commerce_model::platform::Record;
use commerce_model::{CommerceRecord, DataType};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const COMPANY_NAME: &str = "Northwind Coffee Roasters";
pub const PAYMENTS: usize = 60;
pub const CUSTOMERS: usize = 30;

/// A Stripe-looking id: `prefix` and 24 base-62 characters derived from `seed`.
pub fn stripe_id(prefix: &str, seed: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let digest = Sha256::digest(format!("{prefix}{seed}").as_bytes());
    let tail: String = digest
        .iter()
        .take(24)
        .map(|byte| ALPHABET[usize::from(*byte) % ALPHABET.len()] as char)
        .collect();
    format!("{prefix}_{tail}")
}

fn typed<T: CommerceRecord>(value: Value) -> Record {
    let typed: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|error| panic!("not a valid {:?}: {error}\n{value}", T::DATA_TYPE));
    Record::new(&typed).unwrap()
}

/// `n`-th payment's day offset back from today (0 = today), amount in cents and currency.
fn payment_shape(n: usize) -> (i64, i64, &'static str) {
    let days_back = (n * 7 % 29) as i64;
    let cents = 1_250 + (n as i64 * 3_779) % 48_000;
    let currency = if n % 4 == 3 { "EUR" } else { "USD" };
    (days_back, cents, currency)
}

fn major(cents: i64) -> Value {
    // Exact decimal text with two places, as the mapping writes Stripe's minor units.
    serde_json::from_str(&format!("{}.{:02}", cents / 100, cents.abs() % 100)).unwrap()
}

fn neg_major(cents: i64) -> Value {
    serde_json::from_str(&format!("-{}.{:02}", cents / 100, cents % 100)).unwrap()
}

fn created(days_back: i64, n: usize) -> String {
    let time = Utc::now() - Duration::days(days_back);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        time.format("%Y-%m-%d"),
        8 + n % 12,
        n * 7 % 60,
        n * 13 % 60
    )
}

/// The id of the `n`-th payment (a charge).
pub fn payment_id(n: usize) -> String {
    stripe_id("ch_3P", n)
}

pub fn records() -> Vec<(DataType, Vec<Record>)> {
    vec![
        (DataType::CompanyInfo, vec![company_info()]),
        (DataType::Customers, customers()),
        (DataType::Payments, payments()),
        (DataType::Transactions, transactions()),
        (DataType::Disputes, disputes()),
        (DataType::Products, products()),
    ]
}

fn company_info() -> Record {
    typed::<commerce_model::CompanyInfo>(json!({
        "companyName": COMPANY_NAME,
        "companyLegalName": "Northwind Coffee Roasters LLC",
        "commercePlatformRef": "acct_1NwCoffeeR0asters",
        "baseCurrency": "USD",
        "addresses": [{"type": "Billing", "line1": "410 Terry Ave N", "city": "Seattle",
                        "region": "WA", "postalCode": "98109", "country": "US"}],
        "phoneNumbers": [{"number": "+1 206 555 0142", "type": "Primary"}],
        "webLinks": [{"type": "Website", "url": "https://northwind-coffee.example"}],
        "accountBalances": [
            {"currency": "USD", "available": major(1_284_512), "pending": major(97_340), "reserved": major(0)},
            {"currency": "EUR", "available": major(215_075), "pending": major(12_990), "reserved": major(5_000)}
        ],
        "sourceUrls": {"dashboard": "https://dashboard.stripe.com/acct_1NwCoffeeR0asters"},
        "createdDate": "2021-04-12T09:30:00Z",
        "sourceModifiedDate": "2024-05-02T10:00:00Z"
    }))
}

const FIRST: &[&str] = &[
    "Ava", "Liam", "Mia", "Noah", "Zoe", "Omar", "Ines", "Yuki", "Lena", "Theo",
];
const LAST: &[&str] = &["Smith", "García", "Nguyen", "Okafor", "Müller", "Rossi"];
const CITIES: &[(&str, &str)] = &[
    ("Seattle", "US"),
    ("Portland", "US"),
    ("Paris", "FR"),
    ("Berlin", "DE"),
    ("Austin", "US"),
];

fn customers() -> Vec<Record> {
    (0..CUSTOMERS)
        .map(|n| {
            let first = FIRST[n % FIRST.len()];
            let last = LAST[n % LAST.len()];
            let (city, country) = CITIES[n % CITIES.len()];
            typed::<commerce_model::Customer>(json!({
                "id": stripe_id("cus_Q", n),
                "customerName": format!("{first} {last}"),
                "emailAddress": format!("{}.{}@example.com", first.to_lowercase(), n),
                "phone": format!("+1 555 01{:02}", n),
                "defaultCurrency": if country == "US" { "USD" } else { "EUR" },
                "addresses": [{"type": "Billing", "city": city, "country": country}],
                "createdDate": created(40 + n as i64, n),
                "sourceModifiedDate": created(40 + n as i64, n),
            }))
        })
        .collect()
}

fn payments() -> Vec<Record> {
    let mut records: Vec<Record> = (0..PAYMENTS)
        .map(|n| {
            let (days_back, cents, currency) = payment_shape(n);
            let status = if n % 15 == 14 { "Failed" } else { "Paid" };
            typed::<commerce_model::Payment>(json!({
                "id": payment_id(n),
                "amount": major(cents),
                "currency": currency,
                "paymentMethodRef": {"id": stripe_id("pm_1P", n), "name": "card"},
                "status": status,
                "type": "Card",
                "paymentProvider": "Stripe",
                "dueDate": created(days_back, n),
                "createdDate": created(days_back, n),
                "sourceModifiedDate": created(days_back, n),
            }))
        })
        .collect();
    // Two refunds, as separate negative payments.
    for n in [2, 9] {
        let (days_back, cents, currency) = payment_shape(n);
        records.push(typed::<commerce_model::Payment>(json!({
            "id": stripe_id("re_3P", n),
            "amount": neg_major(cents),
            "currency": currency,
            "status": "Paid",
            "paymentProvider": "Stripe",
            "createdDate": created((days_back - 1).max(0), n),
        })));
    }
    records
}

fn transactions() -> Vec<Record> {
    let mut records = Vec::new();
    for n in (0..PAYMENTS).filter(|n| n % 15 != 14) {
        let (days_back, cents, currency) = payment_shape(n);
        let id = stripe_id("txn_3P", n);
        let fee = cents * 29 / 1000 + 30;
        let source = json!({"id": payment_id(n), "type": "Payment"});
        records.push(typed::<commerce_model::Transaction>(json!({
            "id": id,
            "totalAmount": major(cents),
            "currency": currency,
            "type": "Payment",
            "subType": "charge",
            "transactionSourceRef": source,
            "createdDate": created(days_back, n),
            "sourceCreatedDate": created(days_back, n),
        })));
        records.push(typed::<commerce_model::Transaction>(json!({
            "id": format!("{id}:Stripe processing fees"),
            "totalAmount": neg_major(fee),
            "currency": currency,
            "type": "PaymentFee",
            "subType": "stripe_fee",
            "transactionSourceRef": source,
            "createdDate": created(days_back, n),
        })));
    }
    records
}

fn disputes() -> Vec<Record> {
    [
        ("Won", "fraudulent"),
        ("EvidenceRequired", "product_not_received"),
        ("Lost", "duplicate"),
    ]
    .iter()
    .enumerate()
    .map(|(n, (status, reason))| {
        let (days_back, cents, currency) = payment_shape(n * 5 + 1);
        typed::<commerce_model::Dispute>(json!({
            "id": stripe_id("dp_1P", n),
            "disputedTransactions": [{"id": payment_id(n * 5 + 1), "type": "Payment"}],
            "totalAmount": major(cents),
            "currency": currency,
            "status": status,
            "reason": reason,
            "dueDate": created(days_back - 10, n),
            "createdDate": created(days_back, n),
        }))
    })
    .collect()
}

fn products() -> Vec<Record> {
    let names = [
        ("House Blend 1 kg", 2_400),
        ("Ethiopia Yirgacheffe 250 g", 1_650),
        ("Decaf Colombia 500 g", 1_500),
        ("Espresso Roast 1 kg", 2_600),
        ("Ceramic Mug", 1_200),
        ("Pour-over Kettle", 5_900),
        ("Gift Card", 2_500),
        ("Cold Brew Kit", 3_400),
    ];
    names
        .iter()
        .enumerate()
        .map(|(n, (name, cents))| {
            let id = stripe_id("prod_Q", n);
            typed::<commerce_model::Product>(json!({
                "id": id,
                "name": name,
                "description": format!("{name} from Northwind's roastery"),
                "isGiftCard": *name == "Gift Card",
                "status": if n == 5 { "Unpublished" } else { "Published" },
                "variants": [{
                    "id": stripe_id("price_1P", n),
                    "name": name,
                    "isTaxEnabled": true,
                    "prices": [{"currency": "USD", "unitPrice": major(*cents)}],
                    "status": "Published",
                    "shippingRequired": *name != "Gift Card",
                }],
                "createdDate": created(200 + n as i64 * 11, n),
            }))
        })
        .collect()
}

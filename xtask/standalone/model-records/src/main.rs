//! Only the commerce records: read Codat JSON into typed records and write it back.

#[path = "../../serde_patterns.rs"]
mod serde_patterns;

use commerce_model::Payment;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    serde_patterns::check()?;

    let payment: Payment = serde_json::from_str(
        r#"{"id":"py_1","amount":10.99,"currency":"USD","status":"Paid",
            "createdDate":"2024-03-01T10:00:00Z"}"#,
    )?;
    assert_eq!(
        payment.amount.map(|a| a.to_string()).as_deref(),
        Some("10.99")
    );
    let json = serde_json::to_string(&payment)?;
    assert!(json.contains(r#""amount":10.99"#), "{json}");
    println!("model-records: ok");
    Ok(())
}

//! Only the Stripe types: decode a webhook's customer and a list page without any HTTP client.

#[path = "../../serde_patterns.rs"]
mod serde_patterns;

use stripe_wire::{Charge, Customer, List};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    serde_patterns::check()?;

    let customer: Customer = stripe_wire::from_str(
        r#"{"id":"cus_1","object":"customer","email":"a@example.com","created":1700000000,
            "metadata":{"plan":"pro"},"some_new_field":true}"#,
    )?;
    assert_eq!(customer.email.as_deref(), Some("a@example.com"));

    let page: List<Charge> = stripe_wire::from_str(
        r#"{"object":"list","url":"/v1/charges","has_more":false,
            "data":[{"id":"ch_1","object":"charge","amount":1099,"currency":"usd","status":"succeeded","created":1700000000}]}"#,
    )?;
    assert_eq!(page.data[0].amount, 1099);
    // A broken page names the JSON path of the failure.
    let error = stripe_wire::from_str::<List<Charge>>(r#"{"object":"list","data":[{"id":5}]}"#)
        .err()
        .ok_or("a bad page decoded")?;
    assert!(error.to_string().contains("data[0]"), "{error}");
    println!("wire-types: ok");
    Ok(())
}

//! Checks the user's own serde code next to stripe-client, and that a client builds offline.

#[path = "../../serde_patterns.rs"]
mod serde_patterns;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    serde_patterns::check()?;
    let config = stripe_client::ClientConfig::builder("sk_test_123").build()?;
    let client = stripe_client::StripeClient::new(config)?;
    assert_eq!(client.mode(), stripe_client::Mode::Test);
    println!("client-customers: ok");
    Ok(())
}

//! Checks the user's own serde code next to stripe-connect, and the pure authorize URL.

#[path = "../../serde_patterns.rs"]
mod serde_patterns;

use stripe_connect::{authorize_url, Scope};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    serde_patterns::check()?;
    // No secret key, no store, no runtime: the state is the caller's.
    let url = authorize_url(
        "ca_123",
        Scope::ReadOnly,
        "https://example.com/cb",
        "my-state",
    )?;
    assert!(url.as_str().contains("state=my-state"), "{url}");
    println!("connect-oauth: ok");
    Ok(())
}

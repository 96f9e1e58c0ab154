use super::*;

fn merchant(size: u64, index: usize) -> Merchant {
    Merchant::new(7, index, Mode::Test, size, 1_800_000_000, None)
}

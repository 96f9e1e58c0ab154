//! Deterministic hashing and the sandbox's object ids.
//!
//! Every generated value is a pure function of a few integers (seed, account, resource, index),
//! mixed with splitmix64, so nothing needs to be stored to serve an object again.
//! Ids encode where an object lives: generated objects by index, objects created later by
//! their insertion number. A checksum makes made-up or cross-account ids unknown.
//! Depends on nothing but std.

/// Where an object sits in its collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Slot {
    /// The `n`-th generated object (0 is the newest).
    Generated(u64),
    /// The `n`-th object created by activity after start (0 is the first created).
    Added(u64),
}

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SLOT_WIDTH: usize = 7;
const CHECK_WIDTH: usize = 6;

/// The splitmix64 finaliser: a fast, well-mixed bijection on `u64`.
pub(crate) fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The state [`hash`] starts from.
const HASH_INIT: u64 = 0x5851_F42D_4C95_7F2D;

/// Hashes a sequence of integers into one well-mixed `u64`.
pub(crate) fn hash(parts: &[u64]) -> u64 {
    hash_more(HASH_INIT, parts)
}

/// Continues a hash: `hash_more(hash_state(a), b) == hash(a ++ b)`, so a fixed prefix of the
/// parts (seed, account, resource) is mixed once and reused.
pub(crate) fn hash_more(state: u64, parts: &[u64]) -> u64 {
    parts.iter().fold(state, |acc, part| mix(acc ^ mix(*part)))
}

/// The state after hashing `parts` (a prefix for [`hash_more`]).
pub(crate) fn hash_state(parts: &[u64]) -> u64 {
    hash(parts)
}

/// The base-62 digits of `value`, left-padded to `width` (wider values keep all digits):
/// a buffer whose digits are `buffer[start..]`, and `start`.
fn base62_digits(mut value: u64, width: usize) -> ([u8; 11], usize) {
    // 62^11 > 2^64: eleven digits hold any u64.
    let mut digits = [b'0'; 11];
    let mut start = digits.len();
    let stop = digits.len().saturating_sub(width);
    while start > 0 && (value > 0 || start > stop) {
        start -= 1;
        digits[start] = ALPHABET[(value % 62) as usize];
        value /= 62;
    }
    (digits, start)
}

/// Appends `value` in base 62, left-padded to `width` digits (wider values keep all digits).
pub(crate) fn push_base62(out: &mut String, value: u64, width: usize) {
    let (digits, start) = base62_digits(value, width);
    for digit in &digits[start..] {
        out.push(char::from(*digit));
    }
}

/// [`push_base62`] into a byte buffer.
fn push_base62_bytes(out: &mut Vec<u8>, value: u64, width: usize) {
    let (digits, start) = base62_digits(value, width);
    out.extend_from_slice(&digits[start..]);
}

fn parse_base62(text: &str) -> Option<u64> {
    let mut value: u64 = 0;
    for byte in text.bytes() {
        let digit = ALPHABET.iter().position(|candidate| *candidate == byte)? as u64;
        value = value.checked_mul(62)?.checked_add(digit)?;
    }
    Some(value)
}

/// A random-looking string of `len` base-62 characters derived from `seed`.
pub(crate) fn token(seed: u64, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut state = seed;
    while out.len() < len {
        state = mix(state);
        push_base62(&mut out, state % (62u64.pow(10)), 10);
    }
    out.truncate(len);
    out
}

/// Builds the id of the object in `slot` of collection `collection` of `account`.
pub(crate) fn object_id(
    prefix: &str,
    seed: u64,
    account: u64,
    collection: u64,
    slot: Slot,
) -> String {
    let mut out = Vec::with_capacity(prefix.len() + 1 + 3 + SLOT_WIDTH + CHECK_WIDTH);
    write_object_id(&mut out, prefix, seed, account, collection, slot);
    // Only ASCII was written (the prefix is one of ours).
    String::from_utf8(out).unwrap_or_default()
}

/// Appends the id [`object_id`] builds to `out`, without allocating.
pub(crate) fn write_object_id(
    out: &mut Vec<u8>,
    prefix: &str,
    seed: u64,
    account: u64,
    collection: u64,
    slot: Slot,
) {
    let (kind, number) = match slot {
        Slot::Generated(index) => (b'1', index),
        Slot::Added(index) => (b'3', index),
    };
    let check = hash(&[seed, account, collection, u64::from(kind), number]) % 62u64.pow(6);
    out.extend_from_slice(prefix.as_bytes());
    out.push(b'_');
    out.push(kind);
    push_base62_bytes(out, account % (62 * 62), 2);
    push_base62_bytes(out, number, SLOT_WIDTH);
    push_base62_bytes(out, check, CHECK_WIDTH);
}

/// The ids of the generated objects of one collection of one account, with the checksum's
/// fixed part mixed once: [`IdSpace::write_generated`] writes what [`object_id`] builds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IdSpace {
    prefix: &'static str,
    account_tag: u64,
    generated_state: u64,
}

impl IdSpace {
    /// The id space of `collection` of `account` (same arguments as [`object_id`]).
    pub(crate) fn new(prefix: &'static str, seed: u64, account: u64, collection: u64) -> Self {
        Self {
            prefix,
            account_tag: account % (62 * 62),
            generated_state: hash_state(&[seed, account, collection, u64::from(b'1')]),
        }
    }

    /// Appends the id of generated object `index`.
    pub(crate) fn write_generated(&self, out: &mut Vec<u8>, index: u64) {
        let check = hash_more(self.generated_state, &[index]) % 62u64.pow(6);
        out.extend_from_slice(self.prefix.as_bytes());
        out.extend_from_slice(b"_1");
        push_base62_bytes(out, self.account_tag, 2);
        push_base62_bytes(out, index, SLOT_WIDTH);
        push_base62_bytes(out, check, CHECK_WIDTH);
    }
}

/// Appends [`token`]`(seed, len)` to `out`, without allocating.
pub(crate) fn write_token(out: &mut Vec<u8>, seed: u64, len: usize) {
    let end = out.len() + len;
    let mut state = seed;
    while out.len() < end {
        state = mix(state);
        push_base62_bytes(out, state % (62u64.pow(10)), 10);
    }
    out.truncate(end);
}

/// Parses an id built by [`object_id`] with the same prefix, seed, account and collection.
pub(crate) fn parse_object_id(
    id: &str,
    prefix: &str,
    seed: u64,
    account: u64,
    collection: u64,
) -> Option<Slot> {
    let body = id.strip_prefix(prefix)?.strip_prefix('_')?;
    if !body.is_ascii() || body.len() < 1 + 2 + SLOT_WIDTH + CHECK_WIDTH {
        return None;
    }
    let (kind, rest) = body.split_at(1);
    let (_account_tag, rest) = rest.split_at(2);
    let (number, _check) = rest.split_at(rest.len() - CHECK_WIDTH);
    let number = parse_base62(number)?;
    let slot = match kind {
        "1" => Slot::Generated(number),
        "3" => Slot::Added(number),
        _ => return None,
    };
    (object_id(prefix, seed, account, collection, slot) == id).then_some(slot)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_reject_foreign_ids() {
        for slot in [Slot::Generated(0), Slot::Generated(999_999), Slot::Added(3)] {
            let id = object_id("ch", 7, 1, 4, slot);
            assert_eq!(parse_object_id(&id, "ch", 7, 1, 4), Some(slot), "{id}");
            assert_eq!(parse_object_id(&id, "ch", 7, 2, 4), None);
            assert_eq!(parse_object_id(&id, "ch", 8, 1, 4), None);
            assert_eq!(parse_object_id(&id, "cus", 7, 1, 4), None);
        }
        assert_eq!(parse_object_id("ch_nonsense", "ch", 7, 1, 4), None);
        assert_eq!(
            parse_object_id("ch_😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀", "ch", 7, 1, 4),
            None
        );
    }

    #[test]
    fn byte_writers_match_the_string_builders() {
        for slot in [Slot::Generated(0), Slot::Generated(123_456), Slot::Added(9)] {
            let mut out = b"x".to_vec();
            write_object_id(&mut out, "txn", 3, 2, 8, slot);
            assert_eq!(
                out,
                format!("x{}", object_id("txn", 3, 2, 8, slot)).into_bytes()
            );
        }
        for len in [1, 10, 15, 24, 32] {
            let mut out = Vec::new();
            write_token(&mut out, 42, len);
            assert_eq!(out, token(42, len).into_bytes());
        }
    }

    #[test]
    fn base62_pads_to_the_width_and_keeps_every_digit() {
        let text = |value, width| {
            let mut out = String::new();
            push_base62(&mut out, value, width);
            out
        };
        assert_eq!(text(0, 0), "");
        assert_eq!(text(0, 3), "000");
        assert_eq!(text(61, 2), "0z");
        assert_eq!(text(62, 1), "10");
        assert_eq!(text(62 * 62 * 62, 2), "1000");
        assert_eq!(parse_base62(&text(u64::MAX, 2)), Some(u64::MAX));
        assert_eq!(text(u64::MAX, 2).len(), 11);
    }

    #[test]
    fn tokens_are_deterministic() {
        assert_eq!(token(1, 24), token(1, 24));
        assert_ne!(token(1, 24), token(2, 24));
        assert_eq!(token(1, 24).len(), 24);
    }
}

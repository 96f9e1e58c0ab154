//! The `codat_enum!` macro: Codat string enums that keep values they do not know.
//!
//! Every generated enum:
//! - serializes each variant as Codat's exact spelling (PascalCase, e.g. `"EvidenceRequired"`);
//! - reads Codat's spelling case-insensitively (Codat's own examples contain `"billing"`);
//! - reads any other string, Codat's own `"Unknown"` included, as `Unknown(text)` and writes
//!   the text back unchanged, so a record read and written again loses nothing;
//! - defaults to `Unknown("Unknown")` (Codat's value for "the source gave none"), and is
//!   `#[non_exhaustive]` because Codat adds values over time.

/// Declares a Codat string enum; see the module docs.
macro_rules! codat_enum {
    (
        $(#[doc = $doc:literal])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident, )*
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )*
            /// Any other value, kept as sent: Codat's own `Unknown` (the source gave no value),
            /// or a value this crate does not know yet.
            Unknown(String),
        }

        impl $name {
            /// Every known value (not `Unknown`).
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )* ];

            /// Codat's `Unknown`: the source gave no value, or one Codat has no name for.
            pub fn unknown() -> Self {
                $name::Unknown(String::from("Unknown"))
            }

            /// Codat's exact spelling of this value, or the text an unknown value was read from.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => stringify!($variant), )*
                    $name::Unknown(text) => text,
                }
            }

            /// Reads Codat's spelling, ignoring ASCII case; anything else is `Unknown(text)`.
            pub fn from_codat(text: &str) -> Self {
                $( if text.eq_ignore_ascii_case(stringify!($variant)) { return $name::$variant; } )*
                $name::Unknown(text.to_owned())
            }
        }

        /// A string with Codat's values (and `Unknown`) as its enum; described by the type's docs.
        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                let description: Vec<&str> = [$($doc),*].iter().map(|line| line.trim()).collect();
                let mut values: Vec<&str> = Self::ALL.iter().map(|value| value.as_str()).collect();
                values.push("Unknown");
                ::schemars::json_schema!({
                    "type": "string",
                    "description": description.join(" ").trim(),
                    "enum": values,
                })
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::unknown()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok($name::from_codat(&text))
            }
        }
    };
}

pub(crate) use codat_enum;

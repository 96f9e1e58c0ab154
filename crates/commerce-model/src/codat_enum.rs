//! The `codat_enum!` macro: Codat string enums with an `Unknown` fallback.
//!
//! Every generated enum:
//! - serializes each variant as Codat's exact spelling (PascalCase, e.g. `"EvidenceRequired"`);
//! - reads Codat's spelling case-insensitively (Codat's own examples contain `"billing"`);
//! - reads any other string as `Unknown` and writes `Unknown` as `"Unknown"`, which is itself one of
//!   the values every Codat enum lists.
//!   The unrecognised text is not kept: Codat's API answers with `Unknown` for it too, and fields that
//!   carry a platform's raw value (e.g. `Transaction.subType`) exist for that purpose;
//! - defaults to `Unknown`, and is `#[non_exhaustive]` because Codat adds values over time.

/// Declares a Codat string enum; see the module docs.
macro_rules! codat_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )*
            /// Codat's `Unknown`: the source gave no value, or one not in this list.
            #[default]
            Unknown,
        }

        impl $name {
            /// Every value, `Unknown` last.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )* $name::Unknown ];

            /// Codat's exact spelling of this value.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => stringify!($variant), )*
                    $name::Unknown => "Unknown",
                }
            }

            /// Reads Codat's spelling, ignoring ASCII case; anything else is `Unknown`.
            pub fn from_codat(text: &str) -> Self {
                $( if text.eq_ignore_ascii_case(stringify!($variant)) { return $name::$variant; } )*
                $name::Unknown
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

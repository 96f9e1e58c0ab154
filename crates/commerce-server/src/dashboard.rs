//! The dashboard (`/ui`) and client webhooks will live here (a later issue); nothing is served
//! yet. Like the rest of this crate it must read data only through the store and the API's
//! types, never from a platform crate.

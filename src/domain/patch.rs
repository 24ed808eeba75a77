//! PATCH semantics for optional fields: absent keeps the value, `null` clears it.

use serde::{Deserialize, Deserializer};

/// Use with `#[serde(default, deserialize_with = "crate::domain::patch::nullable")]` on an
/// `Option<Option<T>>`: `None` = absent, `Some(None)` = null, `Some(Some(v))` = a value.
pub fn nullable<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

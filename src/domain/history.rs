//! How a record's history describes an edit: `{field: [old, new]}` for each field that
//! changed, stored as JSON text and shown as the JSON it holds.

use serde::Serialize;
use serde_json::{json, Map, Value};

/// The fields an edit changed, each with its old and new value.
#[derive(Debug, Default)]
pub struct Changes(Map<String, Value>);

impl Changes {
    pub fn new() -> Self {
        Changes::default()
    }

    /// Notes `field` when its value differs.
    pub fn field<T: Serialize + PartialEq>(&mut self, name: &str, old: &T, new: &T) -> &mut Self {
        if old != new {
            self.0.insert(name.to_string(), json!([old, new]));
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

/// Serializes stored JSON text (an event's details) as the JSON it holds.
pub fn json_text<S: serde::Serializer>(text: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    text.as_deref().and_then(|t| serde_json::from_str::<Value>(t).ok()).serialize(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_fields_are_noted() {
        let mut c = Changes::new();
        c.field("name", &"金茂路", &"金茂路社区").field("code", &"JML", &"JML");
        assert_eq!(c.into_value(), json!({"name": ["金茂路", "金茂路社区"]}));
        assert!(Changes::new().is_empty());
    }
}

//! Lenient deserializers for data that came from a server.
//!
//! Serde's derive fails a whole document when one field has the wrong type. For a console that is the
//! wrong trade: a region whose gateway sends `"labels": "x"` on one secret should still show the other
//! 9,999. These helpers turn a bad *optional* field into its default and a bad *element* of a list
//! into a counted skip, so callers can say "3 entries could not be read" instead of failing.

use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Deserialize an optional field, turning a value of the wrong type (or `null`) into `None`.
pub fn opt<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let v = Value::deserialize(d)?;
    Ok(serde_json::from_value(v).ok())
}

/// Deserialize a field with a default, turning a value of the wrong type into `T::default()`.
pub fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    let v = Value::deserialize(d)?;
    Ok(serde_json::from_value(v).unwrap_or_default())
}

/// A list where each element is parsed on its own; elements that do not parse are counted, not fatal.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct LenientVec<T> {
    pub items: Vec<T>,
    #[serde(skip)]
    pub skipped: usize,
}

impl<T> Default for LenientVec<T> {
    fn default() -> Self {
        Self { items: Vec::new(), skipped: 0 }
    }
}

impl<T> From<Vec<T>> for LenientVec<T> {
    fn from(items: Vec<T>) -> Self {
        Self { items, skipped: 0 }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for LenientVec<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        let mut out = LenientVec::default();
        if let Value::Array(values) = v {
            for value in values {
                match serde_json::from_value(value) {
                    Ok(item) => out.items.push(item),
                    Err(_) => out.skipped += 1,
                }
            }
        } else if !v.is_null() {
            out.skipped += 1;
        }
        Ok(out)
    }
}

/// A count that must be a non-negative integer that fits the platform; anything else is `None`.
/// Hostile servers send `-5`, `1e300` and `"12"`; none of those may become a length we trust.
pub fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(match v {
        Value::Number(n) => n.as_u64(),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Item {
        id: String,
    }

    #[derive(Deserialize, Debug)]
    struct Doc {
        #[serde(default)]
        items: LenientVec<Item>,
        #[serde(default, deserialize_with = "opt")]
        label: Option<String>,
        #[serde(default, deserialize_with = "count")]
        total: Option<u64>,
    }

    #[test]
    fn bad_elements_are_counted_not_fatal() {
        let d: Doc = serde_json::from_str(r#"{"items":[{"id":"a"},{"id":5},7,{"id":"b"}],"label":3,"total":-1}"#)
            .expect("document still parses");
        assert_eq!(d.items.items, vec![Item { id: "a".into() }, Item { id: "b".into() }]);
        assert_eq!(d.items.skipped, 2);
        assert_eq!(d.label, None);
        assert_eq!(d.total, None);
    }

    #[test]
    fn non_array_list_is_one_skip() {
        let d: Doc = serde_json::from_str(r#"{"items":"nope","total":12}"#).expect("parses");
        assert!(d.items.items.is_empty());
        assert_eq!(d.items.skipped, 1);
        assert_eq!(d.total, Some(12));
    }
}

//! Lenient deserializers for data that came from a server.
//!
//! Serde's derive fails a whole document when one field has the wrong type. For a console that is the
//! wrong trade: a region whose gateway sends `"labels": "x"` on one secret should still show the other
//! 9,999. These helpers turn a bad *optional* field into its default and a bad *element* of a list
//! into a counted skip, so callers can say "3 entries could not be read" instead of failing.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
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
        d.deserialize_any(LenientVisitor(PhantomData))
    }
}

/// Walks the list one element at a time: only one element is ever held as a `Value`, so a page of
/// 1,000 secrets never exists twice in memory (and wasm memory, once grown, is never returned).
struct LenientVisitor<T>(PhantomData<T>);

impl<T> LenientVisitor<T> {
    fn one_skip<E>(self) -> Result<LenientVec<T>, E> {
        Ok(LenientVec { items: Vec::new(), skipped: 1 })
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for LenientVisitor<T> {
    type Value = LenientVec<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = LenientVec::default();
        while let Some(value) = seq.next_element::<Value>()? {
            match serde_json::from_value(value) {
                Ok(item) => out.items.push(item),
                Err(_) => out.skipped += 1,
            }
        }
        Ok(out)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(LenientVec::default())
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(LenientVec::default())
    }

    // Anything that is not a list counts as one entry that could not be read.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        self.one_skip()
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        self.one_skip()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        self.one_skip()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        self.one_skip()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        self.one_skip()
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        self.one_skip()
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
    fn null_list_is_empty_and_an_object_is_one_skip() {
        let d: Doc = serde_json::from_str(r#"{"items":null}"#).expect("parses");
        assert_eq!((d.items.items.len(), d.items.skipped), (0, 0));
        let d: Doc = serde_json::from_str(r#"{"items":{"id":"a","x":[1,2]}}"#).expect("parses");
        assert_eq!((d.items.items.len(), d.items.skipped), (0, 1));
        let v: LenientVec<Item> = serde_json::from_value(serde_json::json!([{"id":"v"}, 3])).expect("from a Value too");
        assert_eq!((v.items.len(), v.skipped), (1, 1));
    }

    #[test]
    fn non_array_list_is_one_skip() {
        let d: Doc = serde_json::from_str(r#"{"items":"nope","total":12}"#).expect("parses");
        assert!(d.items.items.is_empty());
        assert_eq!(d.items.skipped, 1);
        assert_eq!(d.total, Some(12));
    }
}

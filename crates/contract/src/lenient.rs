//! Lenient deserializers for data that came from a server.
//!
//! Serde's derive fails a whole document when one field has the wrong type. For a console that is the
//! wrong trade: a region whose gateway sends `"labels": "x"` on one secret should still show the other
//! 9,999. These helpers turn a bad *optional* field into its default and a bad *element* of a list
//! into a counted skip, so callers can say "3 entries could not be read" instead of failing.

use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// Deserialize an optional field, turning a value of the wrong type (or `null`) into `None`.
/// Generic, so it buffers the value first; the fields of a secret, read 1,000 to a page, use the
/// non-buffering [`opt_string`], [`opt_bool`], [`opt_i64`] and [`strings`] instead.
///
/// The buffer is the value's raw text, not a `Value`: serde_json walks past raw text with no
/// depth limit, where building a `Value` stops at 128 levels with an error that fails the whole
/// document. So a field nested 100,000 deep is one unreadable field of one secret (`None`), and
/// the secret, and the page it came on, still read.
pub fn opt<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let raw = Box::<RawValue>::deserialize(d)?;
    Ok(serde_json::from_str(raw.get()).ok())
}

/// Deserialize a field with a default, turning a value of the wrong type into `T::default()`
/// (buffered as raw text, like [`opt`]).
pub fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    Ok(opt(d)?.unwrap_or_default())
}

/// A struct that must come as a JSON object. Serde's derived struct also accepts an array, its
/// fields in order, so a bare `[secret, secret]` sent where a page belongs read as a page whose
/// `total_count` is the first secret (unreadable, so none) and whose list is the second (an
/// object, so one unreadable element): no error at all, where the region sent no page. And
/// `["id", "name", "kv"]` in a list read as a secret. Every element of a list is read through
/// this ([`RawList::read`]), and the console reads every response body through it.
pub fn object_only<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(de::value::MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_map(V(std::marker::PhantomData))
}

/// One JSON value seen shallowly: a scalar kept, an object or a list walked past and dropped.
/// One visitor (not one per field type) reads every scalar field of a secret, with no `Value`
/// built per field: that was most of the time and of the code of reading a page of secrets.
enum Shallow {
    Str(String),
    Bool(bool),
    Int(i64),
    Uint(u64),
    Other,
}

struct ShallowVisitor;

impl<'de> Visitor<'de> for ShallowVisitor {
    type Value = Shallow;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Shallow, E> {
        Ok(Shallow::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Shallow, E> {
        Ok(Shallow::Str(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Shallow, E> {
        Ok(Shallow::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Shallow, E> {
        Ok(Shallow::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Shallow, E> {
        Ok(Shallow::Uint(v))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Shallow, E> {
        Ok(Shallow::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Shallow, E> {
        Ok(Shallow::Other)
    }

    fn visit_none<E: de::Error>(self) -> Result<Shallow, E> {
        Ok(Shallow::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shallow, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Shallow::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shallow, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Shallow::Other)
    }
}

impl<'de> Deserialize<'de> for Shallow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ShallowVisitor)
    }
}

/// A string, or `None` for anything else.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Shallow::deserialize(d)? {
        Shallow::Str(s) => Some(s),
        _ => None,
    })
}

/// `true` or `false`, or `None` for anything else.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Shallow::deserialize(d)? {
        Shallow::Bool(b) => Some(b),
        _ => None,
    })
}

/// `true` or `false`; `false` for anything else.
pub fn bool_or_false<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(opt_bool(d)?.unwrap_or(false))
}

/// An integer that fits `i64`, or `None` for anything else (a fraction, a string, an object).
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Shallow::deserialize(d)? {
        Shallow::Int(n) => Some(n),
        Shallow::Uint(n) => i64::try_from(n).ok(),
        _ => None,
    })
}

/// A list of strings, or `None` when it is not a list or one of its elements is not a string.
pub fn opt_strings<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<Vec<String>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of strings")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Some(Vec::new());
            while let Some(v) = seq.next_element::<Shallow>()? {
                match (v, out.as_mut()) {
                    (Shallow::Str(s), Some(list)) => list.push(s),
                    // Keep walking: the rest of the list must still be read past.
                    _ => out = None,
                }
            }
            Ok(out)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            ShallowVisitor.visit_map(map).map(|_| None)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(V)
}

/// A list of strings; empty when it is not one.
pub fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(opt_strings(d)?.unwrap_or_default())
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
        let raw = RawList::deserialize(d)?;
        let mut out = LenientVec { items: Vec::with_capacity(raw.items.len()), skipped: raw.skipped };
        for item in &raw.items {
            match RawList::read(item) {
                Some(v) => out.items.push(v),
                None => out.skipped += 1,
            }
        }
        Ok(out)
    }
}

/// A list whose elements are kept as their raw JSON text, each to be read on its own later: a
/// caller with 1,000 secrets to read can read them a few hundred at a time and give the browser
/// a turn in between. Each element is one allocation (not a `Value` tree of one per field).
/// Anything that is not a list counts as one element that could not be read; `null` is empty.
#[derive(Debug, Default)]
pub struct RawList {
    pub items: Vec<Box<RawValue>>,
    pub skipped: usize,
}

impl RawList {
    /// One element, or `None` when it is not an object of the shape of `T` (every list the
    /// services send holds objects; see [`object_only`] for why an array must not pass).
    pub fn read<T: DeserializeOwned>(item: &RawValue) -> Option<T> {
        object_only(&mut serde_json::Deserializer::from_str(item.get())).ok()
    }
}

impl<'de> Deserialize<'de> for RawList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawListVisitor)
    }
}

// One visitor for every list type, not one per element type: the element type is only needed
// when an element is read.
struct RawListVisitor;

impl RawListVisitor {
    fn one_skip<E>(self) -> Result<RawList, E> {
        Ok(RawList { items: Vec::new(), skipped: 1 })
    }
}

impl<'de> Visitor<'de> for RawListVisitor {
    type Value = RawList;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = RawList::default();
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            out.items.push(raw);
        }
        Ok(out)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(RawList::default())
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(RawList::default())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        ShallowVisitor.visit_map(map)?;
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
    Ok(match Shallow::deserialize(d)? {
        Shallow::Uint(n) => Some(n),
        Shallow::Int(n) => u64::try_from(n).ok(),
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

    #[derive(Deserialize, Debug, Default)]
    struct Fields {
        #[serde(default, deserialize_with = "opt_string")]
        s: Option<String>,
        #[serde(default, deserialize_with = "opt_bool")]
        b: Option<bool>,
        #[serde(default, deserialize_with = "opt_i64")]
        i: Option<i64>,
        #[serde(default, deserialize_with = "strings")]
        l: Vec<String>,
        #[serde(default, deserialize_with = "opt_strings")]
        o: Option<Vec<String>>,
        #[serde(default, deserialize_with = "count")]
        c: Option<u64>,
        after: String,
    }

    fn fields(json: &str) -> Fields {
        // The same through both paths the types are read by: text, and a `Value` (the emulator).
        let a: Fields = serde_json::from_str(json).expect("parses");
        let b: Fields = serde_json::from_value(serde_json::from_str(json).expect("json")).expect("parses from a Value");
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        a
    }

    #[test]
    fn shallow_fields_keep_the_right_type_and_drop_any_other_without_losing_their_place() {
        let f = fields(r#"{"s":"x","b":true,"i":-7,"l":["a","b"],"o":["c"],"c":12,"after":"ok"}"#);
        assert_eq!((f.s.as_deref(), f.b, f.i, f.c), (Some("x"), Some(true), Some(-7), Some(12)));
        assert_eq!((f.l, f.o), (vec!["a".to_string(), "b".into()], Some(vec!["c".to_string()])));
        // Nested objects and lists in the wrong place are walked past: the next field still reads.
        let f = fields(r#"{"s":{"k":[1,{"z":2}]},"b":"true","i":1.5,"l":["a",3,"b"],"o":{"x":1},"c":-5,"after":"ok"}"#);
        assert_eq!((f.s, f.b, f.i, f.c), (None, None, None, None));
        assert!(f.l.is_empty(), "a list with a non-string is no list of strings");
        assert_eq!(f.o, None);
        assert_eq!(f.after, "ok");
        let f = fields(r#"{"s":null,"b":null,"i":18446744073709551615,"l":"x","o":[["c"]],"c":1e300,"after":"ok"}"#);
        assert_eq!((f.s, f.b, f.i, f.c, f.o), (None, None, None, None, None));
        assert!(f.l.is_empty());
        let f = fields(r#"{"i":9223372036854775807,"c":18446744073709551615,"after":""}"#);
        assert_eq!((f.i, f.c), (Some(i64::MAX), Some(u64::MAX)));
    }

    #[test]
    fn non_array_list_is_one_skip() {
        let d: Doc = serde_json::from_str(r#"{"items":"nope","total":12}"#).expect("parses");
        assert!(d.items.items.is_empty());
        assert_eq!(d.items.skipped, 1);
        assert_eq!(d.total, Some(12));
    }
}

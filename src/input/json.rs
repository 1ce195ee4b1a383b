//! JSON parsing at serde_json's speed that also notices duplicate keys, which a reviewer
//! could not otherwise see: serde_json keeps the last of two equal keys silently.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::diagnostics::spans::escape;

/// A parsed document and the JSON pointer of every key that repeats an earlier key of
/// the same object.
pub struct Parsed {
    pub value: Value,
    pub duplicates: Vec<String>,
}

pub fn parse(text: &str) -> Result<Parsed, serde_json::Error> {
    let duplicates = RefCell::new(Vec::new());
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Node {
        at: &At::Root,
        duplicates: &duplicates,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(Parsed {
        value,
        duplicates: duplicates.into_inner(),
    })
}

/// Where a value sits, as a chain of parents: turned into a pointer only when needed.
enum At<'a> {
    Root,
    Key(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

impl At<'_> {
    fn pointer(&self) -> String {
        match self {
            At::Root => String::new(),
            At::Key(parent, key) => format!("{}/{}", parent.pointer(), escape(key)),
            At::Index(parent, i) => format!("{}/{i}", parent.pointer()),
        }
    }
}

struct Node<'a> {
    at: &'a At<'a>,
    duplicates: &'a RefCell<Vec<String>>,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        loop {
            let at = At::Index(self.at, out.len());
            let node = Node {
                at: &at,
                duplicates: self.duplicates,
            };
            match seq.next_element_seed(node)? {
                Some(value) => out.push(value),
                None => return Ok(Value::Array(out)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            let at = At::Key(self.at, &key);
            let value = access.next_value_seed(Node {
                at: &at,
                duplicates: self.duplicates,
            })?;
            if map.contains_key(&key) {
                self.duplicates.borrow_mut().push(at.pointer());
            }
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_found_at_any_depth() {
        let text = r#"{"t": {"raw": {"a": 1}, "raw": {"b": [ {"x": 1, "x": 2} ]}}, "t": 3}"#;
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.duplicates, ["/t/raw/b/0/x", "/t/raw", "/t"]);
        assert_eq!(parsed.value["t"], 3);
    }

    #[test]
    fn values_are_what_serde_json_makes() {
        let text = r#"{"a~b/c": [1, -2, 3.5, "é\n", true, null, {}], "n": 18446744073709551615}"#;
        let parsed = parse(text).unwrap();
        assert!(parsed.duplicates.is_empty());
        assert_eq!(parsed.value, serde_json::from_str::<Value>(text).unwrap());
        assert!(parse("{\"a\": 1} x").is_err());
        assert!(parse("{\"a\": }").is_err());
    }
}

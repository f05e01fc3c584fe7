//! The JSON Schema of the rule-file format (`docs/rule-schema.json`), built from the same key
//! and value tables the loader checks against, so editors validate and complete rule files
//! exactly as `rules lint` would accept them (types and names; the cross-checks such as
//! unknown groups or duplicate ids stay with the loader).

use super::load::{NEAR_KEYS, PRESETS, QUOTED, RULE_KEYS, SET_KEYS};
use crate::finding::{Category, Severity};
use crate::normalize::Profile;
use serde_json::{json, Map, Value};

const ID_PATTERN: &str = "^[a-z0-9-]+$";

/// The schema as a JSON value (draft 2020-12).
pub fn schema() -> Value {
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    let severities: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
    let strings = json!({"type": "array", "items": {"type": "string"}});
    let term_list = json!({
        "type": "array",
        "items": {"$ref": "#/$defs/term"},
        "minItems": 1
    });
    let normalize = json!({
        "description": "A preset or a list of normalisation steps (see docs/engine.md).",
        "oneOf": [
            {"enum": PRESETS},
            {"type": "array", "items": {"enum": Profile::STEP_NAMES}, "uniqueItems": true}
        ]
    });

    let set_props: Vec<(&str, Value)> = vec![
        (
            "set",
            json!({"type": "string", "pattern": ID_PATTERN, "description": "The set's name; default: the file stem."}),
        ),
        (
            "description",
            json!({"type": "string", "description": "One paragraph on what the set covers."}),
        ),
        (
            "category",
            json!({"enum": categories, "description": "Default category for the set's rules."}),
        ),
        (
            "normalize",
            with_description(
                normalize.clone(),
                "Default normalisation for the set's rules; default: per category.",
            ),
        ),
        (
            "references",
            with_description(strings.clone(), "Sources for the set, with their licence."),
        ),
        (
            "groups",
            json!({
                "type": "object",
                "description": "Named term groups, used by rules as \"@name\".",
                "propertyNames": {"pattern": ID_PATTERN},
                "additionalProperties": {"type": "array", "items": {"$ref": "#/$defs/plain-term"}, "minItems": 1}
            }),
        ),
        (
            "rules",
            json!({"type": "array", "items": {"$ref": "#/$defs/rule"}}),
        ),
    ];
    let rule_props: Vec<(&str, Value)> = vec![
        (
            "id",
            json!({"type": "string", "pattern": ID_PATTERN, "description": "Unique in the set; the full id is set/id."}),
        ),
        (
            "category",
            json!({"enum": categories, "description": "Required unless the set declares one."}),
        ),
        ("severity", json!({"enum": severities})),
        (
            "summary",
            json!({"type": "string", "description": "One line: what the rule catches."}),
        ),
        (
            "why",
            json!({"type": "string", "description": "Why it matters."}),
        ),
        ("references", strings.clone()),
        (
            "terms",
            with_description(
                term_list.clone(),
                "Any of these matches: word or phrase, \"stem*\", \"*ending\", \"@group\".",
            ),
        ),
        (
            "near",
            json!({
                "type": "object",
                "description": "One term from each group within `within` words, in either order.",
                "properties": {
                    "within": {"type": "integer", "minimum": 1},
                    "groups": {
                        "type": "array",
                        "minItems": 2,
                        "items": {"oneOf": [
                            {"type": "string", "pattern": "^@[a-z0-9-]+$"},
                            term_list.clone()
                        ]}
                    }
                },
                "required": NEAR_KEYS,
                "additionalProperties": false
            }),
        ),
        (
            "regex",
            json!({"type": "string", "minLength": 1, "description": "regex crate syntax, run on the normalised text."}),
        ),
        (
            "unless",
            json!({"type": "array", "items": {"type": "string", "minLength": 1}, "description": "Phrases that cancel a match."}),
        ),
        (
            "unless-within",
            json!({"type": "integer", "minimum": 0, "default": 0, "description": "0: the phrase must overlap the match; N: or lie within N words of it."}),
        ),
        (
            "scope",
            json!({"type": "array", "items": {"enum": ["body", "name", "article"]}, "minItems": 1, "uniqueItems": true, "default": ["body"]}),
        ),
        ("quoted", json!({"enum": QUOTED, "default": "report"})),
        ("normalize", normalize),
        (
            "match",
            with_description(
                strings.clone(),
                "Texts that must produce a finding of this rule.",
            ),
        ),
        (
            "no-match",
            with_description(strings, "Texts that must not."),
        ),
    ];
    debug_assert!(set_props.iter().map(|p| p.0).eq(SET_KEYS));
    debug_assert!(rule_props.iter().map(|p| p.0).eq(RULE_KEYS));

    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "threadlint rule set",
        "description": "One YAML file of threadlint rules. Generated by `threadlint rules schema`; see docs/rule-format.md.",
        "type": "object",
        "properties": object(set_props),
        "required": ["rules"],
        "additionalProperties": false,
        "$defs": {
            "plain-term": {
                "type": "string",
                "description": "A word or phrase; `stem*` for a prefix, `*ending` for a suffix.",
                "pattern": "^\\s*[^@\\s]"
            },
            "term": {
                "type": "string",
                "description": "A word or phrase, `stem*`, `*ending`, or `@group`.",
                "pattern": "\\S"
            },
            "rule": {
                "type": "object",
                "properties": object(rule_props),
                "required": ["id", "severity", "summary"],
                "anyOf": [
                    {"required": ["terms"]},
                    {"required": ["near"]},
                    {"required": ["regex"]}
                ],
                "additionalProperties": false
            }
        }
    })
}

/// The schema as the committed file holds it: pretty JSON and a final newline.
pub fn schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    text.push('\n');
    text
}

fn object(props: Vec<(&str, Value)>) -> Value {
    Value::Object(
        props
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<Map<_, _>>(),
    )
}

fn with_description(mut value: Value, description: &str) -> Value {
    if let Value::Object(map) = &mut value {
        map.insert("description".into(), Value::String(description.into()));
    }
    value
}

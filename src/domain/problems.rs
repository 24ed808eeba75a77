//! Every problem type and every field error code the API answers, once. The pages turn
//! each into a sentence (`web/assets/js/problems.js`, Chinese and English) and
//! `docs/api.md` lists them; the tests below fail when a code is emitted by the server
//! but missing here, or listed here but missing from the pages or the docs.

/// Problem types: the slug of `/problems/<slug>`, its HTTP status, and when it is answered.
pub const PROBLEM_TYPES: &[(&str, u16, &str)] = &[
    ("bad-request", 400, "the body is not readable JSON, or a multipart body is malformed"),
    ("unauthorized", 401, "no valid token, or a wrong username or password at login"),
    ("forbidden", 403, "the caller's role may not do this"),
    ("password-change-required", 403, "the caller must change their password first"),
    ("not-found", 404, "no such record, or not in the caller's scope; no such path"),
    ("method-not-allowed", 405, "the path exists with other methods"),
    ("conflict", 409, "a duplicate, an idempotency-key reuse, a concurrent change, a rule of who may do what"),
    ("stale-version", 409, "the `version` sent is not the record's"),
    ("illegal-transition", 409, "the record's state does not allow the action"),
    ("request-timeout", 408, "the request body stopped arriving, or trickled; the connection is closed"),
    ("payload-too-large", 413, "the body or upload is over its limit"),
    ("unsupported-media-type", 415, "a body or upload of a type not accepted"),
    ("validation", 422, "invalid input, a reference to a missing or invisible record included"),
    ("rate-limited", 429, "too many failed logins; wait `Retry-After` seconds"),
    ("upload-quota", 429, "the user's uploads today would pass the daily quota; wait `Retry-After` seconds"),
    ("internal", 500, "a fault of the server"),
    ("unavailable", 503, "the database cannot be reached; retry"),
];

/// Field error codes (`errors[].code` of a `validation` problem) and what each means.
pub const FIELD_CODES: &[(&str, &str)] = &[
    ("required", "missing, empty or blank"),
    ("length", "too short or too long (characters), or a list with the wrong number of items"),
    ("range", "a number out of range"),
    ("too_many", "a list with too many items; an export of more rows than a worksheet holds"),
    ("precision", "a cost with more than two decimals"),
    ("duplicate", "the same id or value twice in one request or file"),
    ("not_found", "a reference to a record that does not exist or that the caller may not see"),
    ("ambiguous", "an import row that matches several units or communities"),
    ("taken", "an import row whose credit code belongs to a unit outside the caller's scope"),
    ("already_exists", "a client-made hazard id that is taken"),
    ("not_allowed", "a field that this kind of record may not have (e.g. a note on a deadline hazard)"),
    ("in_future", "a moment or date later than now (plus the clock-skew allowance)"),
    ("before_found", "a deadline before the day found, or a completion before the hazard was found"),
    ("before_start", "a campaign ending before it starts"),
    ("before_from", "a period whose `to` is before its `from`"),
    ("not_later", "a new deadline that is not after the current one"),
    ("unit_closed", "a suspension or closure for a closed unit"),
    ("weak_password", "a password the rules refuse"),
    ("same_password", "a new password that is the current one"),
    ("wrong_password", "a current password that is wrong"),
    ("invalid_username", "a username other than lower-case letters, digits, `_`, `-`, `.`"),
    ("invalid_code", "a community code other than letters, digits, `-`, `_`"),
    ("invalid_phone", "not a phone number"),
    ("invalid_credit_code", "not a valid unified social credit code"),
    ("invalid_type", "a JSON value of the wrong type"),
    ("invalid_choice", "not one of the vocabulary's values"),
    ("invalid", "any other unreadable value (a malformed moment, UUID, month or cursor)"),
    ("unknown_field", "a body field or multipart part the endpoint does not take"),
    ("unknown_parameter", "a query parameter the endpoint does not take"),
    ("out_of_range", "a list `limit` outside 1–500"),
    ("nul_character", "text containing a NUL character"),
    ("empty", "an uploaded file of 0 bytes, or a spreadsheet without a header row"),
    ("unreadable", "an import file that is not XLSX, nor CSV in UTF-8, UTF-16 or GB18030"),
    ("no_columns", "an import file whose first row names no column the import knows"),
    ("duplicate_column", "an import file naming one column twice"),
    ("not_writable", "the data directory cannot be written (creating the first admin)"),
    ("other_community", "an attachment already cited by a record of another community"),
    ("no_deadline_hazard", "a rectification notice for an inspection without a deadline hazard"),
];

/// Whether `code` is a known field error code.
pub fn is_field_code(code: &str) -> bool {
    FIELD_CODES.iter().any(|(c, _)| *c == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src is readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The string literal right after `start` in `text`, if it is a lower_snake word.
    fn literal_after(text: &str, start: usize) -> Option<&str> {
        let rest = text[start..].trim_start();
        let rest = rest.strip_prefix('"')?;
        let end = rest.find('"')?;
        let word = &rest[..end];
        (!word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase() || c == '_')).then_some(word)
    }

    /// Codes the sources give to field errors: `ValidationError::new("code")`, and the
    /// second argument of `push(field, "code", …)`, `ApiError::field(field, "code", …)`
    /// and `FieldError::new(field, "code", …)` when it is a literal, plus the codes the
    /// body and query readers give serde's messages (lines that are only `"code"`).
    fn emitted_codes() -> Vec<(String, String)> {
        let mut files = Vec::new();
        rust_files(&root().join("src"), &mut files);
        let mut found = Vec::new();
        for file in files {
            let name = file.display().to_string();
            if name.contains("problems.rs") || name.contains("/generate/") {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("a source file is readable");
            let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let marker = "ValidationError::new(";
            for (at, _) in flat.match_indices(marker) {
                if let Some(code) = literal_after(&flat, at + marker.len()) {
                    found.push((name.clone(), code.to_string()));
                }
            }
            for marker in ["push(", "ApiError::field(", "FieldError::new(", "push_row("] {
                for (at, _) in flat.match_indices(marker) {
                    // Skip the first argument: up to the first top-level comma.
                    let args = &flat[at + marker.len()..];
                    let mut depth = 0i32;
                    let mut comma = None;
                    for (i, c) in args.char_indices() {
                        match c {
                            '(' | '[' | '{' => depth += 1,
                            ')' | ']' | '}' if depth == 0 => break,
                            ')' | ']' | '}' => depth -= 1,
                            ',' if depth == 0 => {
                                comma = Some(i);
                                break;
                            }
                            _ => {}
                        }
                    }
                    if let Some(i) = comma {
                        let after = at + marker.len() + i + 1;
                        if let Some(code) = literal_after(&flat, after) {
                            // A third argument follows a code; a plain two-argument push
                            // (a list's) does not.
                            let tail = flat[after..].trim_start();
                            let close = tail[1..].find('"').map(|e| e + 2).unwrap_or(0);
                            if tail[close..].trim_start().starts_with(',') {
                                found.push((name.clone(), code.to_string()));
                            }
                        }
                    }
                }
            }
        }
        for reader in ["src/http/body.rs", "src/http/query.rs"] {
            let text = std::fs::read_to_string(root().join(reader)).expect("a reader is readable");
            for line in text.lines() {
                let line = line.trim();
                let word = line.trim_matches('"');
                if line.len() > 2
                    && line.starts_with('"')
                    && line.ends_with('"')
                    && word.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                {
                    found.push((reader.to_string(), line.trim_matches('"').to_string()));
                }
            }
        }
        found
    }

    #[test]
    fn every_code_the_server_emits_is_listed() {
        let found = emitted_codes();
        assert!(found.len() > 40, "the scan finds the codes ({} found)", found.len());
        for needed in ["required", "in_future", "before_found", "invalid_type", "unknown_parameter"] {
            assert!(found.iter().any(|(_, c)| c == needed), "the scan finds `{needed}`");
        }
        for (file, code) in &found {
            assert!(is_field_code(code), "{file} emits the field error code `{code}`, not in FIELD_CODES");
        }
    }

    /// `code: ['中文', 'English'],` entries of an object literal `export const NAME = {`.
    fn js_messages(name: &str) -> Vec<(String, String, String)> {
        let text = std::fs::read_to_string(root().join("web/assets/js/problems.js")).expect("problems.js");
        let start = text.find(&format!("export const {name} = {{")).unwrap_or_else(|| panic!("problems.js has {name}"));
        let body = &text[start..];
        let end = body.find("\n};").expect("the object ends");
        let mut out = Vec::new();
        for line in body[..end].lines().skip(1) {
            let line = line.trim();
            let Some((key, rest)) = line.split_once(": [") else { continue };
            let key = key.trim_matches('\'').to_string();
            let parts: Vec<&str> = rest.split("', '").collect();
            let zh = parts.first().map(|s| s.trim_start_matches('\'').to_string()).unwrap_or_default();
            let en = parts
                .get(1)
                .map(|s| s.trim_end_matches("],").trim_end_matches(']').trim_end_matches('\'').to_string())
                .unwrap_or_default();
            out.push((key, zh, en));
        }
        out
    }

    fn has_han(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    /// English words in it (it may quote a Chinese column name).
    fn is_english(s: &str) -> bool {
        s.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() >= 2).count() >= 2
    }

    #[test]
    fn every_code_and_type_has_a_chinese_and_an_english_sentence() {
        let codes = js_messages("CODE_MESSAGES");
        for (code, _) in FIELD_CODES {
            let Some((_, zh, en)) = codes.iter().find(|(k, _, _)| k == code) else {
                panic!("problems.js CODE_MESSAGES has no sentence for `{code}`");
            };
            assert!(has_han(zh), "`{code}` has a Chinese sentence: {zh:?}");
            assert!(is_english(en), "`{code}` has an English sentence: {en:?}");
        }
        let types = js_messages("TYPE_MESSAGES");
        for (slug, _, _) in PROBLEM_TYPES {
            let Some((_, zh, en)) = types.iter().find(|(k, _, _)| k == slug) else {
                panic!("problems.js TYPE_MESSAGES has no sentence for `{slug}`");
            };
            assert!(has_han(zh), "`{slug}` has a Chinese sentence: {zh:?}");
            assert!(is_english(en), "`{slug}` has an English sentence: {en:?}");
        }
        for (key, _, _) in codes.iter() {
            assert!(is_field_code(key), "problems.js has a sentence for `{key}`, which the server never sends");
        }
    }

    #[test]
    fn the_docs_list_every_code_and_type() {
        let docs = std::fs::read_to_string(root().join("docs/api.md")).expect("docs/api.md");
        for (code, _) in FIELD_CODES {
            assert!(docs.contains(&format!("| `{code}` |")), "docs/api.md lists the code `{code}`");
        }
        for (slug, status, _) in PROBLEM_TYPES {
            assert!(docs.contains(&format!("| {status} | `{slug}` |")), "docs/api.md lists the type `{slug}`");
        }
    }
}

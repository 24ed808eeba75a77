//! Collecting field errors: validator's derive output and the domain's own checks,
//! flattened to one list with field paths like `hazards[2].deadline`.

use validator::{ValidationError, ValidationErrors, ValidationErrorsKind};

/// One problem with one field of the input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Path of the field in the request, e.g. `hazards[2].deadline`.
    pub field: String,
    /// Machine-readable reason, e.g. `required`, `too_long`, `not_found`.
    pub code: String,
    /// Human-readable reason.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), code: code.into(), message: message.into() }
    }
}

/// Input the rules refuse: every problem found, sorted by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub Vec<FieldError>);

/// Gathers every problem of one request before answering.
#[derive(Debug, Default)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    pub fn new() -> Self {
        Problems(Vec::new())
    }

    pub fn push(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }

    /// Adds what validator's derive found, under `prefix`.
    pub fn extend_validator(&mut self, prefix: &str, result: Result<(), ValidationErrors>) {
        if let Err(errors) = result {
            flatten(prefix, &errors, &mut self.0);
        }
    }

    pub fn into_result(mut self) -> Result<(), Invalid> {
        if self.0.is_empty() {
            Ok(())
        } else {
            self.0.sort_by(|a, b| a.field.cmp(&b.field));
            Err(Invalid(self.0))
        }
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

fn flatten(prefix: &str, errors: &ValidationErrors, out: &mut Vec<FieldError>) {
    for (name, kind) in errors.errors() {
        let path = join(prefix, name);
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    out.push(FieldError::new(path.clone(), code_of(e), message_of(e)));
                }
            }
            ValidationErrorsKind::Struct(inner) => flatten(&path, inner, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    flatten(&format!("{path}[{i}]"), inner, out);
                }
            }
        }
    }
}

fn code_of(e: &ValidationError) -> String {
    match e.code.as_ref() {
        "length" => match (e.params.get("min"), e.params.get("max"), e.params.get("value")) {
            (Some(_), _, Some(v)) if v.as_str().is_some_and(|s| s.is_empty()) => "required".to_string(),
            (Some(_), _, Some(v)) if v.as_array().is_some_and(|a| a.is_empty()) => "required".to_string(),
            _ => "length".to_string(),
        },
        other => other.to_string(),
    }
}

fn message_of(e: &ValidationError) -> String {
    if let Some(m) = &e.message {
        return m.to_string();
    }
    let p = |k: &str| e.params.get(k).map(|v| v.to_string());
    match e.code.as_ref() {
        "length" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => format!("length must be between {min} and {max}"),
            (None, Some(max)) => format!("length must be at most {max}"),
            (Some(min), None) => format!("length must be at least {min}"),
            _ => "length is out of range".to_string(),
        },
        "range" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            _ => "is out of range".to_string(),
        },
        other => other.replace('_', " "),
    }
}

/// A validator custom check: a phone number of digits, with an optional leading `+`
/// and separators (`-`, space), 5 to 20 digits.
pub fn valid_phone(value: &str) -> Result<(), ValidationError> {
    let body = value.strip_prefix('+').unwrap_or(value);
    let digits = body.chars().filter(|c| c.is_ascii_digit()).count();
    let ok = body.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ') && (5..=20).contains(&digits);
    if ok {
        Ok(())
    } else {
        let mut e = ValidationError::new("invalid_phone");
        e.message = Some("must be a phone number: digits, optional leading +, - or spaces".into());
        Err(e)
    }
}

/// A validator custom check: the unified social credit code with its check character.
pub fn valid_credit_code(value: &str) -> Result<(), ValidationError> {
    super::credit_code::validate(value).map_err(|err| {
        let mut e = ValidationError::new("invalid_credit_code");
        e.message = Some(err.message().into());
        e
    })
}

/// A validator custom check: text that is not only white space.
pub fn not_blank(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        let mut e = ValidationError::new("required");
        e.message = Some("must not be blank".into());
        Err(e)
    } else {
        Ok(())
    }
}

/// The most attachments one list of a request may cite (`attachment_ids`, `photo_ids`,
/// `evidence_ids`).
pub const MAX_CITED: usize = 20;

/// Checks one list of cited attachment ids: at most [`MAX_CITED`], none twice. `field` is
/// the list's path in the request (`hazards[2].photo_ids`). A list that is too long is
/// refused as a whole, without a problem per id.
pub fn check_cited(p: &mut Problems, field: &str, ids: &[super::Id]) {
    if ids.len() > MAX_CITED {
        p.push(field, "too_many", format!("at most {MAX_CITED} attachments"));
        return;
    }
    let mut seen = std::collections::HashSet::new();
    for (i, id) in ids.iter().enumerate() {
        if !seen.insert(*id) {
            p.push(format!("{field}[{i}]"), "duplicate", "this attachment is cited twice");
        }
    }
}

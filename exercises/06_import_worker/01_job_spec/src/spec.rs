//! Step 6.1: a job spec, read from the JSON the web app sends.
//!
//! ```json
//! {"job_id": "acme-0042", "upload": "acme/orders.csv", "schema": "orders",
//!  "options": {"max_bad_rows": 100}}
//! ```
//!
//! The body is hostile input like the upload itself: it is capped in size before it is parsed,
//! unknown fields are refused (a typo such as `"max_bad_row"` would otherwise be ignored and
//! the default used in silence), and every field is checked into a type that cannot hold a bad
//! value. Each error names the field and says what to send instead.

use serde::{Deserialize, Serialize};

use crate::upload::UploadPath;

/// The largest job spec accepted, in bytes. A spec is a few hundred bytes; the upload travels
/// as a file, never inside the spec.
pub const MAX_SPEC_BYTES: usize = 16 * 1024;

/// The longest job id accepted, in bytes.
pub const MAX_JOB_ID_BYTES: usize = 64;

/// A job's id, chosen by the web app: 1 to 64 ASCII letters, digits, `-` or `_`.
///
/// The id names the job's output files, so it must be safe as a file name: no `/`, no `.`,
/// nothing a shell or a log would trip on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct JobId(String);

impl JobId {
    /// Checks `text` as a job id.
    ///
    /// # Errors
    ///
    /// [`SpecError::Field`] for `job_id` when `text` is empty, too long, or has another
    /// character.
    pub fn parse(text: &str) -> Result<JobId, SpecError> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        let problem = if text.is_empty() {
            "is empty".to_string()
        } else if text.len() > MAX_JOB_ID_BYTES {
            format!("is {} bytes long, more than {MAX_JOB_ID_BYTES}", text.len())
        } else if let Some(bad) = text.chars().find(|&c| !allowed(c)) {
            format!("contains {bad:?}")
        } else {
            return Ok(JobId(text.to_string()));
        };
        Err(SpecError::field(
            "job_id",
            problem,
            "1 to 64 letters, digits, `-` or `_`, such as \"acme-0042\"",
        ))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What kind of rows an upload holds. Only orders for now; a new schema is a new variant,
/// and every `match` on it tells you where to handle it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Schema {
    /// Rows of `customer_id,email,amount_cents`.
    Orders,
}

impl Schema {
    /// The schema named `text`.
    ///
    /// # Errors
    ///
    /// [`SpecError::Field`] for `schema` when no schema has that name.
    pub fn parse(text: &str) -> Result<Schema, SpecError> {
        match text {
            "orders" => Ok(Schema::Orders),
            other => Err(SpecError::field(
                "schema",
                format!("unknown schema {other:?}"),
                "one of: \"orders\"",
            )),
        }
    }
}

/// How a job is run. Every option has a default, so `options` may be left out.
// TODO: an unknown option (`{"max_bad_row": 5}`, a typo) must be refused, not ignored
// (test `an_unknown_option_is_refused_too`). Which serde attribute says so?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Options {
    /// Give up on the upload once it has more bad rows than this.
    pub max_bad_rows: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options { max_bad_rows: 1000 }
    }
}

/// A checked job spec: every field holds a valid value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobSpec {
    /// The job's id.
    #[serde(rename = "job_id")]
    pub id: JobId,
    /// The upload, relative to the import root.
    pub upload: UploadPath,
    /// What the upload's rows are.
    pub schema: Schema,
    /// How to run the job.
    pub options: Options,
}

/// The spec as JSON gives it, before any field is checked.
///
/// Rejected: deriving `Deserialize` on the checked types (`#[serde(try_from = "String")]`).
/// serde_json would then report a bad path as "invalid value at line 1 column 37" without the
/// field's name; checking after parsing lets each error say which field it is about.
// TODO: an unknown field (`"priority": "high"`) must be refused, and serde_json's error then
// names it (test `an_unknown_field_is_refused_and_named`).
#[derive(Deserialize)]
struct RawSpec {
    job_id: String,
    upload: String,
    schema: String,
    #[serde(default)]
    options: Options,
}

/// Why a body is not a job spec.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The body is larger than [`MAX_SPEC_BYTES`]; it was not parsed.
    #[error(
        "the job spec is {size} bytes, more than {limit} (send only the upload's path in the spec, not its content)"
    )]
    TooLarge {
        /// The body's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The body is not JSON of the right shape: serde_json's message names the unknown or
    /// missing field, with its line and column.
    #[error(
        "the job spec is not valid: {0} (send a JSON object with `job_id`, `upload`, `schema` and optionally `options`)"
    )]
    Json(serde_json::Error),
    /// A field has a value that is not allowed.
    #[error("`{field}` {problem} (send {expected})")]
    Field {
        /// The field's name, as in the JSON.
        field: &'static str,
        /// What is wrong with the value.
        problem: String,
        /// What a good value looks like.
        expected: &'static str,
    },
}

impl SpecError {
    fn field(field: &'static str, problem: impl Into<String>, expected: &'static str) -> Self {
        SpecError::Field {
            field,
            problem: problem.into(),
            expected,
        }
    }

    /// The field the error is about, when it is about one.
    pub fn field_name(&self) -> Option<&'static str> {
        match self {
            SpecError::Field { field, .. } => Some(field),
            SpecError::TooLarge { .. } | SpecError::Json(_) => None,
        }
    }
}

impl JobSpec {
    /// Reads a job spec from a request body.
    ///
    /// # Errors
    ///
    /// [`SpecError::TooLarge`] for a body over [`MAX_SPEC_BYTES`], [`SpecError::Json`] for
    /// malformed JSON, an unknown or a missing field, and [`SpecError::Field`] for a value
    /// that is not allowed.
    pub fn from_json(body: &[u8]) -> Result<JobSpec, SpecError> {
        // TODO: a body over MAX_SPEC_BYTES is `SpecError::TooLarge { size, limit }`, refused
        // *before* it is parsed (test `a_body_over_the_cap_is_refused_before_it_is_parsed`).
        let raw: RawSpec = serde_json::from_slice(body).map_err(SpecError::Json)?;
        let upload = UploadPath::parse(&raw.upload).map_err(|invalid| {
            SpecError::field(
                "upload",
                invalid.to_string(),
                "a path relative to the import root, such as \"acme/orders.csv\"",
            )
        })?;
        Ok(JobSpec {
            id: JobId::parse(&raw.job_id)?,
            upload,
            schema: Schema::parse(&raw.schema)?,
            options: raw.options,
        })
    }

    /// The spec as JSON, in the form [`JobSpec::from_json`] reads.
    pub fn to_json(&self) -> String {
        // Serializing plain strings, a unit enum and a number into a `String` cannot fail
        // (serde_json fails only on maps with non-string keys and on I/O errors).
        serde_json::to_string(self).unwrap_or_default()
    }
}

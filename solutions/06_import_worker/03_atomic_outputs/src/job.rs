//! Step 6.2: a job from the pool, from its spec to its output files. Step 6.3: the outputs
//! are all-or-nothing, and the same job gives the same bytes every time.
//!
//! The pool of Part 5 hands a handler a [`worker::job::Job`] whose payload is the job spec's
//! JSON. [`Importer::run`] reads the spec, opens the upload under the import root, and runs the
//! pipeline on the blocking pool into three files in the output folder:
//!
//! - `<job_id>.jsonl`: one good row per line;
//! - `<job_id>.rejects.jsonl`: one bad row per line, with line, column, field, value, reason;
//! - `<job_id>.summary.json`: what the job did. Written last, so it is the mark of a finished
//!   job: when it is there, the other two are complete.
//!
//! A job may run twice (a retry after a timeout; in step 6.4, again after a crash). That is
//! safe because a run changes nothing until it commits, and a run commits the same bytes as
//! any other run of the same spec on the same upload: no timestamps, no random names in the
//! outputs.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use worker::job::{Job, JobError};

use crate::outputs::TempOutput;
use crate::pipeline::{PipelineError, Summary, import, run_cancellable, write_line};
use crate::spec::{JobId, JobSpec, Schema};
use crate::upload::{ImportRoot, UploadPath};

/// Where the good rows of job `id` go.
pub fn good_rows_path(out_dir: &Path, id: &JobId) -> PathBuf {
    out_dir.join(format!("{}.jsonl", id.as_str()))
}

/// Where the reject report of job `id` goes.
pub fn rejects_path(out_dir: &Path, id: &JobId) -> PathBuf {
    out_dir.join(format!("{}.rejects.jsonl", id.as_str()))
}

/// Where the summary of job `id` goes: its presence means the job finished.
pub fn summary_path(out_dir: &Path, id: &JobId) -> PathBuf {
    out_dir.join(format!("{}.summary.json", id.as_str()))
}

/// What a finished job did: the content of its summary file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobSummary {
    /// The job.
    pub job_id: JobId,
    /// Its upload.
    pub upload: UploadPath,
    /// Its schema.
    pub schema: Schema,
    /// The upload's size in bytes.
    pub bytes: u64,
    /// What happened to its rows.
    #[serde(flatten)]
    pub rows: Summary,
}

/// Runs import jobs: uploads from one import root, outputs into one folder.
#[derive(Debug)]
pub struct Importer {
    root: ImportRoot,
    out_dir: PathBuf,
}

impl Importer {
    /// An importer reading under `root` and writing into `out_dir`.
    pub fn new(root: ImportRoot, out_dir: impl Into<PathBuf>) -> Importer {
        Importer {
            root,
            out_dir: out_dir.into(),
        }
    }

    /// The folder the outputs go to.
    pub fn out_dir(&self) -> &Path {
        &self.out_dir
    }

    /// The pool's handler: `TaskPool::start(config, move |job| Arc::clone(&importer).run(job))`.
    /// It takes an `Arc` because the pool needs a future that owns what it uses (`'static`).
    ///
    /// # Errors
    ///
    /// [`JobError::Permanent`] for a bad spec, a refused upload or a broken file;
    /// [`JobError::Retryable`] for I/O errors and a cancelled import.
    pub async fn run(self: Arc<Self>, job: Job) -> Result<JobSummary, JobError> {
        let spec = JobSpec::from_json(job.payload.as_bytes())
            .map_err(|error| JobError::Permanent(error.to_string()))?;
        self.run_spec(spec).await
    }

    /// Runs the job `spec` describes.
    ///
    /// # Errors
    ///
    /// As [`Importer::run`]. After an error no output of this run is visible: the outputs of
    /// an earlier run, if any, are untouched.
    pub async fn run_spec(&self, spec: JobSpec) -> Result<JobSummary, JobError> {
        // A refused or missing upload is permanent: the same spec gets the same answer.
        let upload = self
            .root
            .open(&spec.upload)
            .map_err(|error| JobError::Permanent(error.to_string()))?;
        let retryable = |error: std::io::Error| JobError::Retryable(error.to_string());
        let bytes = upload.metadata().map_err(retryable)?.len();
        let create = |path: PathBuf| {
            TempOutput::create(&path)
                .map_err(|error| JobError::Retryable(format!("{}: {error}", path.display())))
        };
        let mut good = create(good_rows_path(&self.out_dir, &spec.id))?;
        let mut rejects = create(rejects_path(&self.out_dir, &spec.id))?;
        let mut summary_file = create(summary_path(&self.out_dir, &spec.id))?;
        let options = spec.options;
        let outcome = run_cancellable(move |cancel| {
            let rows = import(
                BufReader::new(upload),
                &options,
                &mut good,
                &mut rejects,
                &cancel,
            )?;
            let summary = JobSummary {
                job_id: spec.id,
                upload: spec.upload,
                schema: spec.schema,
                bytes,
                rows,
            };
            write_line(&mut summary_file, &summary)?;
            // The order is the protocol: the data first, the summary last. A crash between two
            // commits leaves data without a summary, which reads as "not finished" and is
            // replaced, byte for byte, by the next run. An error before this point drops all
            // three, and their temporary files with them.
            for output in [good, rejects, summary_file] {
                output.commit().map_err(PipelineError::Write)?;
            }
            Ok::<JobSummary, PipelineError>(summary)
        })
        .await?;
        outcome.map_err(JobError::from)
    }
}

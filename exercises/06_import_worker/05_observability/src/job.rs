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
//! Step 6.5: each job runs inside a `tracing` span named `job` with its id, so every log line
//! it writes says which job it is about, on the runtime's threads and on the blocking thread
//! alike; a finished job adds its rows, bytes and time to the [`Metrics`].
//!
//! A job may run twice (a retry after a timeout; in step 6.4, again after a crash). That is
//! safe because a run changes nothing until it commits, and a run commits the same bytes as
//! any other run of the same spec on the same upload: no timestamps, no random names in the
//! outputs.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use tracing::{info, info_span, warn};
// TODO: you will need `tracing::{Instrument, Span}`.
use worker::job::{Job, JobError};

use crate::metrics::Metrics;
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
    metrics: Arc<Metrics>,
}

impl Importer {
    /// An importer reading under `root` and writing into `out_dir`.
    pub fn new(root: ImportRoot, out_dir: impl Into<PathBuf>) -> Importer {
        Importer {
            root,
            out_dir: out_dir.into(),
            metrics: Arc::new(Metrics::default()),
        }
    }

    /// The importer's metrics, to count outcomes and to render for `GET /metrics`.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
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
        // `%`: the id's `Display`, so the log says `job{job_id=acme-1}`, not a quoted string.
        let span = info_span!("job", job_id = %spec.id.as_str());
        let started = Instant::now();
        // TODO (test `lines_from_the_async_part_carry_the_job_id`): run the import *inside* `span`, for the whole of the future, without holding
        // `span.enter()` across an `.await`. Look at `tracing::Instrument`.
        let result = self.import(spec).await;
        span.in_scope(|| match &result {
            Ok(summary) => {
                self.metrics.job_done(summary, started.elapsed());
                info!(
                    rows = summary.rows.rows,
                    bad = summary.rows.bad,
                    "job finished"
                );
            }
            Err(error) => warn!(%error, "job failed"),
        });
        result
    }

    /// Imports `spec`'s upload into its three outputs.
    async fn import(&self, spec: JobSpec) -> Result<JobSummary, JobError> {
        // A refused or missing upload is permanent: the same spec gets the same answer.
        let upload = self
            .root
            .open(&spec.upload)
            .map_err(|error| JobError::Permanent(error.to_string()))?;
        let retryable = |error: std::io::Error| JobError::Retryable(error.to_string());
        let bytes = upload.metadata().map_err(retryable)?.len();
        info!(bytes, "upload opened");
        let create = |path: PathBuf| {
            TempOutput::create(&path)
                .map_err(|error| JobError::Retryable(format!("{}: {error}", path.display())))
        };
        let mut good = create(good_rows_path(&self.out_dir, &spec.id))?;
        let mut rejects = create(rejects_path(&self.out_dir, &spec.id))?;
        let mut summary_file = create(summary_path(&self.out_dir, &spec.id))?;
        let options = spec.options;
        // TODO (test `lines_from_the_blocking_thread_carry_the_job_id_too`): the closure runs
        // on a blocking pool thread, which knows nothing of this job's span. Take
        // `Span::current()` here and enter it inside the closure.
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
            info!(rows = rows.rows, "upload read");
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

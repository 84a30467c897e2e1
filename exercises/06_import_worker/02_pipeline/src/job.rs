//! Step 6.2: a job from the pool, from its spec to its output files.
//!
//! The pool of Part 5 hands a handler a [`worker::job::Job`] whose payload is the job spec's
//! JSON. [`Importer::run`] reads the spec, opens the upload under the import root, and runs the
//! pipeline on the blocking pool into two files in the output folder:
//!
//! - `<job_id>.jsonl`: one good row per line;
//! - `<job_id>.rejects.jsonl`: one bad row per line, with line, column, field, value, reason.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use worker::job::{Job, JobError};

use crate::pipeline::{PipelineError, Summary, import, run_cancellable};
use crate::spec::{JobId, JobSpec};
use crate::upload::ImportRoot;

/// Where the good rows of job `id` go.
pub fn good_rows_path(out_dir: &Path, id: &JobId) -> PathBuf {
    out_dir.join(format!("{}.jsonl", id.as_str()))
}

/// Where the reject report of job `id` goes.
pub fn rejects_path(out_dir: &Path, id: &JobId) -> PathBuf {
    out_dir.join(format!("{}.rejects.jsonl", id.as_str()))
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
    pub async fn run(self: Arc<Self>, job: Job) -> Result<Summary, JobError> {
        let spec = JobSpec::from_json(job.payload.as_bytes())
            .map_err(|error| JobError::Permanent(error.to_string()))?;
        self.run_spec(spec).await
    }

    /// Runs the job `spec` describes.
    ///
    /// # Errors
    ///
    /// As [`Importer::run`].
    pub async fn run_spec(&self, spec: JobSpec) -> Result<Summary, JobError> {
        // A refused or missing upload is permanent: the same spec gets the same answer.
        let upload = self
            .root
            .open(&spec.upload)
            .map_err(|error| JobError::Permanent(error.to_string()))?;
        let create = |path: PathBuf| {
            File::create(&path)
                .map_err(|error| JobError::Retryable(format!("{}: {error}", path.display())))
        };
        let good = create(good_rows_path(&self.out_dir, &spec.id))?;
        let rejects = create(rejects_path(&self.out_dir, &spec.id))?;
        let options = spec.options;
        let outcome = run_cancellable(move |cancel| {
            // Buffered both ways: the parser reads in blocks, and each row becomes one
            // `write` to memory instead of one system call.
            let mut good = BufWriter::new(good);
            let mut rejects = BufWriter::new(rejects);
            let summary = import(
                BufReader::new(upload),
                &options,
                &mut good,
                &mut rejects,
                &cancel,
            )?;
            // `flush` by hand: `BufWriter`'s drop flushes too, but swallows the error.
            good.flush().map_err(PipelineError::Write)?;
            rejects.flush().map_err(PipelineError::Write)?;
            Ok::<Summary, PipelineError>(summary)
        })
        .await?;
        outcome.map_err(JobError::from)
    }
}

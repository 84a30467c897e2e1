-- One row per job. The queue is this table: a worker claims a row, runs the job, and marks it.
CREATE TABLE jobs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The caller's name for the job, e.g. the upload's id. UNIQUE makes a repeated enqueue of
    -- the same job a no-op instead of a second run.
    job_key     text NOT NULL UNIQUE CHECK (job_key <> ''),
    kind        text NOT NULL,
    payload     jsonb NOT NULL,
    -- A CHECK, not a free text column: a typo such as 'qeued' is refused by the database.
    state       text NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempt     integer NOT NULL DEFAULT 0,
    run_at      timestamptz NOT NULL DEFAULT now(),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Workers look for the oldest queued job that is due. A partial index holds only those rows,
-- so it stays small however many finished jobs the table keeps.
CREATE INDEX jobs_due ON jobs (run_at) WHERE state = 'queued';

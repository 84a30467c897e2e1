-- One row per job. The queue is this table: a worker claims a row, runs the job, and marks it.
--
-- TODO (step 7.1): the table must refuse what no job can be, and help the workers:
-- - a key names one job: enqueueing a key twice leaves one row, and an empty key is refused
--   (tests `enqueueing_the_same_key_twice_gives_one_job`, `the_table_refuses_what_no_job_can_be`);
-- - `state` is one of 'queued', 'running', 'done', 'dead', and nothing else
--   (test `the_table_refuses_what_no_job_can_be`);
-- - workers look for the oldest queued job that is due, by `run_at`: an index on `run_at`
--   must hold only the queued jobs, so it stays small however many finished jobs the table
--   keeps (test `workers_find_due_jobs_through_a_small_index`).
CREATE TABLE jobs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_key     text NOT NULL,
    kind        text NOT NULL,
    payload     jsonb NOT NULL,
    state       text NOT NULL DEFAULT 'queued',
    attempt     integer NOT NULL DEFAULT 0,
    run_at      timestamptz NOT NULL DEFAULT now(),
    created_at  timestamptz NOT NULL DEFAULT now()
);

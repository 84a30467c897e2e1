-- Step 7.3: failed attempts are kept, finished jobs can be cleaned up, and a new job wakes an
-- idle worker.
ALTER TABLE jobs
    -- One entry per failed attempt: {"attempt": 1, "error": "...", "at": "..."}.
    ADD COLUMN errors      jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN finished_at timestamptz;

-- A committed insert sends a notification on the channel `jobs`. PostgreSQL delivers it when
-- the inserting transaction commits, and never for one that rolls back, so a worker is never
-- woken for a job that does not exist.
CREATE FUNCTION notify_new_job() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('jobs', NEW.kind);
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_notify AFTER INSERT ON jobs
    FOR EACH ROW EXECUTE FUNCTION notify_new_job();

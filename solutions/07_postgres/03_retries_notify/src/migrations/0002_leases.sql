-- Step 7.2: a running job belongs to one worker until its lease runs out.
ALTER TABLE jobs
    ADD COLUMN lease_until timestamptz,
    ADD COLUMN worker      text,
    ADD COLUMN result      jsonb;

-- Workers also look for running jobs whose lease has run out (their worker died): a second
-- small index holds only the running ones.
CREATE INDEX jobs_leased ON jobs (lease_until) WHERE state = 'running';

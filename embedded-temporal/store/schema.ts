/** The server's own schema. Created idempotently at start-up; every statement is safe to re-run. */
export const SCHEMA = 'temporal_server';

export const SCHEMA_SQL = `
CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
CREATE TABLE IF NOT EXISTS ${SCHEMA}.namespaces (
  name text PRIMARY KEY,
  id text NOT NULL,
  retention_seconds bigint NOT NULL DEFAULT 86400,
  description text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ${SCHEMA}.search_attributes (
  name text PRIMARY KEY,
  type smallint NOT NULL
);
CREATE TABLE IF NOT EXISTS ${SCHEMA}.executions (
  namespace text NOT NULL,
  workflow_id text NOT NULL,
  run_id text NOT NULL,
  status smallint NOT NULL,
  workflow_type text NOT NULL,
  task_queue text NOT NULL,
  start_time timestamptz NOT NULL,
  execution_time timestamptz NOT NULL,
  close_time timestamptz,
  history_length integer NOT NULL,
  search_attributes jsonb NOT NULL DEFAULT '{}',
  version bigint NOT NULL,
  -- json, not jsonb: the whole state is rewritten on every change and read back whole, so
  -- PostgreSQL need only check the text instead of building jsonb from it on each write.
  state json NOT NULL,
  PRIMARY KEY (namespace, workflow_id, run_id)
);
-- Databases made before state was json: converted once (a table rewrite) at the first start.
DO $m$ BEGIN
  IF (SELECT data_type FROM information_schema.columns
      WHERE table_schema = '${SCHEMA}' AND table_name = 'executions' AND column_name = 'state') = 'jsonb' THEN
    ALTER TABLE ${SCHEMA}.executions ALTER COLUMN state TYPE json USING state::json;
  END IF;
END $m$;
CREATE UNIQUE INDEX IF NOT EXISTS executions_one_running ON ${SCHEMA}.executions (namespace, workflow_id) WHERE status = 1;
CREATE INDEX IF NOT EXISTS executions_running ON ${SCHEMA}.executions (status) WHERE status = 1;
CREATE INDEX IF NOT EXISTS executions_by_start ON ${SCHEMA}.executions (namespace, start_time DESC);
-- Closed runs oldest first, for deleting them once the namespace's retention has passed (engine/retention.ts).
CREATE INDEX IF NOT EXISTS executions_closed_by_close_time ON ${SCHEMA}.executions (namespace, close_time) WHERE status <> 1;
CREATE TABLE IF NOT EXISTS ${SCHEMA}.history (
  namespace text NOT NULL,
  workflow_id text NOT NULL,
  run_id text NOT NULL,
  first_event_id integer NOT NULL,
  last_event_id integer NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (namespace, workflow_id, run_id, first_event_id)
);
-- Group commits (store.ts) write many runs in one statement and abort it if any version was stale.
CREATE OR REPLACE FUNCTION ${SCHEMA}.expect_rows(actual bigint, expected bigint) RETURNS bigint LANGUAGE plpgsql AS $f$
BEGIN
  IF actual <> expected THEN
    RAISE EXCEPTION 'a run was changed concurrently (% of % rows updated)', actual, expected USING ERRCODE = '40001';
  END IF;
  RETURN actual;
END $f$;
-- Schedules (schedules/): one row each, the whole state as JSON; search_attributes feed ListSchedules queries.
CREATE TABLE IF NOT EXISTS ${SCHEMA}.schedules (
  namespace text NOT NULL,
  schedule_id text NOT NULL,
  search_attributes jsonb NOT NULL DEFAULT '{}',
  state jsonb NOT NULL,
  PRIMARY KEY (namespace, schedule_id)
);
-- Worker deployments (engine/deployments.ts): versions and routing config, one JSON row each.
CREATE TABLE IF NOT EXISTS ${SCHEMA}.worker_deployments (
  namespace text NOT NULL,
  name text NOT NULL,
  state jsonb NOT NULL,
  PRIMARY KEY (namespace, name)
);
CREATE TABLE IF NOT EXISTS ${SCHEMA}.outbox (
  id bigserial PRIMARY KEY,
  task jsonb NOT NULL
);
`;

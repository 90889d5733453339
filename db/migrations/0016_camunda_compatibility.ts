import type { MigrationContext } from '../migration-context';

/**
 * Camunda 8 compatibility (issue 16): numeric keys for the Camunda REST API (/v2), deployments
 * of forms and DMN beside BPMN, external jobs, incidents mirrored by the workflow, and the
 * message and signal subscriptions that correlation looks up.
 *
 * Keys: Camunda's clients expect every key as a decimal 64-bit number, so one sequence hands
 * out every key (process instances, jobs, user tasks, incidents, element instances, resources,
 * deployments, messages). It starts where Zeebe's partition 1 keys start, so keys look familiar.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE SEQUENCE camunda_keys START WITH 2251799813685249;

    ALTER TABLE process_definitions
      ADD COLUMN deployment_key bigint,
      ADD COLUMN resource_name text;

    ALTER TABLE process_instances
      ADD COLUMN key bigint NOT NULL DEFAULT nextval('camunda_keys') UNIQUE,
      -- Set by instances whose workflow records its message subscriptions (graph semantics 2):
      -- a published message reaches them through message_subscriptions, others by business key.
      ADD COLUMN subscriptions_tracked boolean NOT NULL DEFAULT false;

    ALTER TABLE human_tasks
      ADD COLUMN key bigint NOT NULL DEFAULT nextval('camunda_keys') UNIQUE,
      ADD COLUMN element_instance_id text;

    -- Forms and DMN decision requirements (and each decision in them), deployed beside processes.
    CREATE TABLE resources (
      key bigint PRIMARY KEY DEFAULT nextval('camunda_keys'),
      kind text NOT NULL CHECK (kind IN ('form', 'decision_requirements', 'decision')),
      resource_id text NOT NULL,
      version integer NOT NULL CHECK (version > 0),
      name text,
      resource_name text NOT NULL,
      deployment_key bigint NOT NULL,
      parent_key bigint REFERENCES resources(key),
      content text,
      compiled jsonb NOT NULL,
      checksum char(64) NOT NULL,
      deployed_by integer REFERENCES staff_users(id),
      deployed_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (kind, resource_id, version)
    );

    -- Stable numeric keys for the workflow's element instances ('ei-5' within an instance).
    CREATE TABLE element_instance_keys (
      process_instance_id text NOT NULL REFERENCES process_instances(id),
      element_instance_id text NOT NULL,
      key bigint NOT NULL DEFAULT nextval('camunda_keys') UNIQUE,
      PRIMARY KEY (process_instance_id, element_instance_id)
    );

    -- Jobs for external workers: written by the workflow, activated and completed through /v2/jobs.
    CREATE TABLE jobs (
      key bigint PRIMARY KEY DEFAULT nextval('camunda_keys'),
      process_instance_id text NOT NULL REFERENCES process_instances(id),
      engine_job_id text NOT NULL,
      element_id text NOT NULL,
      element_instance_id text NOT NULL,
      element_instance_key bigint NOT NULL,
      kind text NOT NULL DEFAULT 'BPMN_ELEMENT' CHECK (kind IN ('BPMN_ELEMENT', 'EXECUTION_LISTENER', 'TASK_LISTENER')),
      listener_event_type text,
      type text NOT NULL,
      state text NOT NULL DEFAULT 'activatable'
        CHECK (state IN ('activatable', 'activated', 'failed', 'completed', 'cancelled', 'error_thrown')),
      retries integer NOT NULL CHECK (retries >= 0),
      worker text,
      deadline timestamptz,
      retry_at timestamptz,
      custom_headers jsonb NOT NULL DEFAULT '{}'::jsonb,
      variables jsonb NOT NULL DEFAULT '{}'::jsonb,
      error_message text,
      error_code text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (process_instance_id, engine_job_id)
    );
    CREATE INDEX jobs_open_by_type ON jobs (type, key) WHERE state IN ('activatable', 'activated');
    CREATE INDEX jobs_process_instance ON jobs (process_instance_id);

    -- Incidents as the workflow opens and resolves them (its state stays the truth).
    CREATE TABLE incidents (
      key bigint PRIMARY KEY DEFAULT nextval('camunda_keys'),
      process_instance_id text NOT NULL REFERENCES process_instances(id),
      incident_id text NOT NULL,
      element_id text NOT NULL,
      element_instance_key bigint NOT NULL,
      error_type text NOT NULL,
      message text NOT NULL,
      job_key bigint,
      state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'resolved')),
      created_at timestamptz NOT NULL DEFAULT now(),
      resolved_at timestamptz,
      UNIQUE (process_instance_id, incident_id)
    );
    CREATE INDEX incidents_active ON incidents (process_instance_id) WHERE state = 'active';

    -- What running instances wait for: message catch events (name and correlation key) and signals.
    CREATE TABLE event_subscriptions (
      process_instance_id text NOT NULL REFERENCES process_instances(id),
      wait_id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('message', 'signal')),
      process_key text NOT NULL,
      name text NOT NULL,
      correlation_key text,
      element_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (process_instance_id, wait_id)
    );
    CREATE INDEX event_subscriptions_lookup ON event_subscriptions (kind, name, correlation_key, created_at);

    -- Published messages kept for their time to live (and their message id, for idempotency).
    CREATE TABLE messages (
      key bigint PRIMARY KEY DEFAULT nextval('camunda_keys'),
      name text NOT NULL,
      correlation_key text NOT NULL DEFAULT '',
      message_id text,
      variables jsonb NOT NULL DEFAULT '{}'::jsonb,
      published_by integer REFERENCES staff_users(id),
      published_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      -- Process keys the message has correlated to: at most once per process, as in Camunda 8.
      correlated_processes text[] NOT NULL DEFAULT '{}'
    );
    CREATE INDEX messages_alive ON messages (name, correlation_key, expires_at);
    CREATE INDEX messages_by_id ON messages (name, correlation_key, message_id) WHERE message_id IS NOT NULL;
  `);
}

import type { MigrationContext } from '../migration-context';

/**
 * Jobs of Camunda 8.8's kind AD_HOC_SUB_PROCESS: the job of an ad-hoc sub-process implemented by a
 * job worker (e.g. an AI agent), completed with a result that names the elements to activate.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
    ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check
      CHECK (kind IN ('BPMN_ELEMENT', 'EXECUTION_LISTENER', 'TASK_LISTENER', 'AD_HOC_SUB_PROCESS'));
  `);
}

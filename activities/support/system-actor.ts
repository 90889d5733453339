/**
 * Who an audit row written by a process names: `system:<process key>` and the process
 * instance, which goes into the row's detail (see ./system-audit.ts).
 */
import { selectOne, type Db } from '../../db/repositories/sql';
import { processKeyOfInstanceId } from './process-key';
import { currentProcessInstance } from './running-activity';

export interface SystemActor {
  actor: string;
  processInstanceId: string | null;
}

/** A fixed actor name for the running activity's process instance (none outside an activity). */
export function asRunningProcess(actor: string): SystemActor {
  return { actor, processInstanceId: currentProcessInstance() };
}

/**
 * The actor read from the instance's definition row; `system` outside an activity. The row
 * may not be written yet when the instance's first activity runs, so the key then comes from
 * an id of the form `<key>-<suffix>`, else `system:process`.
 */
export async function systemActorOfInstance(db: Db): Promise<SystemActor> {
  const processInstanceId = currentProcessInstance();
  if (!processInstanceId) return { actor: 'system', processInstanceId };
  const row = await selectOne<{ key: string }>(
    db,
    'SELECT d.key FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id WHERE i.id = $1',
    [processInstanceId],
  );
  return { actor: `system:${row?.key ?? processKeyOfInstanceId(processInstanceId) ?? 'process'}`, processInstanceId };
}

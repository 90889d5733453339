/**
 * Who an audit row written by a process names: `system:<process key>` and the process
 * instance, which goes into the row's detail.
 */
import { processActor, type ProcessActor } from '../../records/actor';
import { processKeyOfInstance } from '../../records/process-instances';
import type { Db } from '../../records/sql';
import { processKeyOfInstanceId } from './process-key';
import { currentProcessInstance } from './running-activity';

/** A fixed actor name for the running activity's process instance (none outside an activity). */
export function asRunningProcess(name: string): ProcessActor {
  return processActor(name, currentProcessInstance());
}

/**
 * The actor read from the instance's definition row; `system` outside an activity. The row
 * may not be written yet when the instance's first activity runs, so the key then comes from
 * an id of the form `<key>-<suffix>`, else `system:process`.
 */
export async function systemActorOfInstance(db: Db): Promise<ProcessActor> {
  const processInstanceId = currentProcessInstance();
  if (!processInstanceId) return processActor('system', null);
  const key = (await processKeyOfInstance(db, processInstanceId)) ?? processKeyOfInstanceId(processInstanceId);
  return processActor(`system:${key ?? 'process'}`, processInstanceId);
}

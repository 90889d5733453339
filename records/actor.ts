/**
 * Who reads or changes a record: a member of staff through the API, or a process. Every
 * records operation takes one and writes it into the audit row itself.
 */

export interface StaffActor {
  kind: 'staff';
  /** Null only before sign-in (a failed login). */
  id: number | null;
  username: string;
  /** The localities of the member of staff: a legitimate relationship with their children. */
  localityIds: readonly number[];
  /** The stated reason for opening a child outside them (break glass), if one was given. */
  accessReason: string | null;
  sourceIp: string | null;
  /** Method and path of the request: recorded in the detail of each audit row. */
  request: { method: string; path: string } | null;
}

export interface ProcessActor {
  kind: 'process';
  /** `system:<process key>`, or `engine` for the engine's own changes. */
  name: string;
  /** The process instance (workflow id), recorded in the audit detail; null outside one. */
  processInstanceId: string | null;
}

export type Actor = StaffActor | ProcessActor;

/** A process actor with a fixed name. */
export function processActor(name: string, processInstanceId: string | null = null): ProcessActor {
  return { kind: 'process', name, processInstanceId };
}

import { invalidArgument } from '../errors';
import type { RunRef } from './outbox-task';

/** What a task token names: a workflow task, an activity attempt or a legacy query. */
export interface TaskToken extends RunRef {
  kind: 'workflow' | 'activity' | 'query';
  scheduledEventId: number;
  /** Dispatch id: distinguishes deliveries of the same task (a stale token cannot complete a newer one). */
  dispatch: string;
  attempt?: number;
  queryId?: string;
  activityId?: string;
  /**
   * Set (and `namespace` empty) for a token in a real server's format (a temporal.server.api.token.v1.Task
   * message), which names its namespace by id. This server never issues one, so it names no live task
   * here; it is resolved like any other so that the caller gets the answer a real server gives.
   */
  namespaceId?: string;
}

const DESERIALIZE_ERROR = 'Error deserializing task token.';

export function encodeToken(t: TaskToken): Buffer {
  return Buffer.from(
    JSON.stringify([
      t.kind,
      t.namespace,
      t.workflowId,
      t.runId,
      t.scheduledEventId,
      t.dispatch,
      t.attempt ?? 0,
      t.queryId ?? '',
      t.activityId ?? '',
    ]),
  );
}

export function decodeToken(bytes: Uint8Array | null | undefined): TaskToken {
  const buf = Buffer.from(bytes ?? []);
  if (buf[0] !== 0x5b /* '[': this server's own JSON token */) return decodeServerFormatToken(buf);
  try {
    const [kind, namespace, workflowId, runId, scheduledEventId, dispatch, attempt, queryId, activityId] = JSON.parse(
      buf.toString('utf8'),
    ) as [TaskToken['kind'], string, string, string, number, string, number, string, string];
    return { kind, namespace, workflowId, runId, scheduledEventId, dispatch, attempt, queryId, activityId };
  } catch {
    throw invalidArgument(DESERIALIZE_ERROR);
  }
}

/**
 * Reads a real server's task token (protobuf: 1 namespace id, 2 workflow id, 3 run id, 4 scheduled
 * event id, 5 attempt, 6 activity id; other fields skipped). Anything else is refused as a real
 * server refuses a token it cannot read.
 */
function decodeServerFormatToken(buf: Buffer): TaskToken {
  const token: TaskToken = {
    kind: 'activity',
    namespace: '',
    namespaceId: '',
    workflowId: '',
    runId: '',
    scheduledEventId: 0,
    dispatch: '',
  };
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= buf.length || shift > 63) throw invalidArgument(DESERIALIZE_ERROR);
      const byte = buf[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < buf.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) {
      const n = varint();
      if (field === 4) token.scheduledEventId = n;
      if (field === 5) token.attempt = n;
    } else if (wire === 2) {
      const length = varint();
      if (at + length > buf.length) throw invalidArgument(DESERIALIZE_ERROR);
      const text = buf.subarray(at, at + length).toString('utf8');
      at += length;
      if (field === 1) token.namespaceId = text;
      if (field === 2) token.workflowId = text;
      if (field === 3) token.runId = text;
      if (field === 6) token.activityId = text;
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4;
    } else {
      throw invalidArgument(DESERIALIZE_ERROR);
    }
  }
  if (at !== buf.length || !token.namespaceId || !token.workflowId) throw invalidArgument(DESERIALIZE_ERROR);
  return token;
}

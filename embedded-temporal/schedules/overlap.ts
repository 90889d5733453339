import { temporal } from '../proto';
import type { BufferedStart } from './record';

const Overlap = temporal.api.enums.v1.ScheduleOverlapPolicy;

export interface BufferDecision {
  /** ALLOW_ALL starts: made now, whatever runs. */
  overlapping: BufferedStart[];
  /** The one start made now when nothing of the schedule runs. */
  nonOverlapping?: BufferedStart;
  /** Starts that wait for the running workflow to close. */
  newBuffer: BufferedStart[];
  needCancel: boolean;
  needTerminate: boolean;
  overlapSkipped: number;
}

/**
 * Decides, for the buffered starts in order, what the overlap policies mean now: SKIP drops a start
 * while one runs, BUFFER_ONE keeps the first, BUFFER_ALL keeps all, CANCEL_OTHER / TERMINATE_OTHER
 * stop the running one and keep the start until it has closed, ALLOW_ALL starts regardless.
 */
export function processBuffer(
  buffer: BufferedStart[],
  isRunning: boolean,
  resolve: (policy: number) => number,
): BufferDecision {
  const d: BufferDecision = {
    overlapping: [],
    newBuffer: [],
    needCancel: false,
    needTerminate: false,
    overlapSkipped: 0,
  };
  for (const start of buffer) {
    const policy = resolve(start.overlapPolicy);
    if (policy === Overlap.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL) {
      d.overlapping.push(start);
      continue;
    }
    if (!isRunning && !d.nonOverlapping) {
      d.nonOverlapping = start;
      continue;
    }
    switch (policy) {
      case Overlap.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE:
        if (d.newBuffer.length === 0) d.newBuffer.push(start);
        else d.overlapSkipped++;
        break;
      case Overlap.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL:
        d.newBuffer.push(start);
        break;
      case Overlap.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER:
      case Overlap.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER:
        if (isRunning) {
          if (policy === Overlap.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER) d.needCancel = true;
          else d.needTerminate = true;
          d.newBuffer.push(start);
        } else {
          // Nothing runs yet: it replaces the start that was about to be made.
          d.nonOverlapping = start;
        }
        break;
      default: // SKIP
        d.overlapSkipped++;
    }
  }
  // Whatever would start alongside is stopped right away too: not worth starting.
  if (d.needCancel || d.needTerminate) d.overlapping = [];
  return d;
}

import type { CallSignal } from '../call-signal';
import type { Execution } from './execution';

/** Resolves when `ready()` holds after a change to the run, or after timeoutMs / abort (then ready() is just re-checked). */
export function waitFor(exec: Execution, ready: () => boolean, timeoutMs: number, abort?: CallSignal): Promise<void> {
  if (ready()) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      exec.listeners.delete(check);
      abort?.removeEventListener('abort', done);
      resolve();
    };
    const check = () => {
      if (ready()) done();
    };
    const timer = setTimeout(done, timeoutMs);
    abort?.addEventListener('abort', done);
    exec.listeners.add(check);
  });
}

/**
 * A job type that is not one of the catalogue's built-in activities runs as an external job
 * (it waits for a job worker, as in Camunda 8). That is allowed, so this is a warning: it says
 * which tasks wait for a worker, and names the catalogue type a misspelt one is close to.
 */
import { describeType, extension } from '../moddle';
import type { LocalRule } from '../lint-types';
import { jobTypeOwner } from './job-type';

/** Edit distance, capped: only "close or not" matters. */
function distance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** The catalogue type `type` is most likely a misspelling of, if any. */
export function closeCatalogueType(type: string, known: ReadonlySet<string>): string | undefined {
  const lower = type.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = name.toLowerCase() === lower ? 0 : distance(lower, name.toLowerCase(), 2);
    if (d <= 2 && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

export const knownActivityType: LocalRule = {
  name: 'known-activity-type',
  severity: 'warn',
  description: 'job types outside the activity catalogue run as external jobs',
  create: (context) => ({
    check(node, reporter) {
      if (!jobTypeOwner(node)) return;
      const type = (extension(node, 'zeebe:TaskDefinition')?.type as string | undefined)?.trim();
      if (!type || type.startsWith('=') || context.activityTypes.has(type)) return;
      const close = closeCatalogueType(type, context.activityTypes);
      reporter.report(
        node.id,
        close
          ? `The ${describeType(node.$type)}'s job type "${type}" is not a built-in activity but is close to "${close}"; if that is meant, correct it. As written it runs as an external job and waits for a job worker of type "${type}".`
          : `The ${describeType(node.$type)}'s job type "${type}" has no built-in worker: it runs as an external job and waits for a job worker of that type (POST /v2/jobs/activation).`,
      );
    },
  }),
};

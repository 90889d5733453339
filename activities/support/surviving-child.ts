/**
 * A process keeps the child's record id it was given when it started. After two records of the
 * child were merged (records/children/merge.ts) the merged record's id is gone: every activity's
 * `childId` is read through the merge to the surviving record, so the child's processes go on.
 */
import { survivingChildId } from '../../records/children/merge';
import type { Db } from '../../records/sql';

export async function withSurvivingChildId(db: Db, input: unknown): Promise<unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const childId = (input as { childId?: unknown }).childId;
  if (typeof childId !== 'string' || !/^[1-9][0-9]{0,17}$/.test(childId)) return input;
  const surviving = await survivingChildId(db, childId);
  return surviving === childId ? input : { ...input, childId: surviving };
}

/** Every activity of `activities`, with its input's childId read through merges. */
export function followingMerges<M extends Record<string, unknown>>(db: Db, activities: M): M {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      typeof fn === 'function'
        ? async (input: unknown, ...rest: unknown[]) =>
            (fn as (...a: unknown[]) => unknown)(await withSurvivingChildId(db, input), ...rest)
        : fn,
    ]),
  ) as M;
}

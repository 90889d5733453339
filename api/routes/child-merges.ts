/**
 * Merging two records of one child after PDS superseded the NHS number of one by the other's
 * (records/children/merge.ts): a member of a child health records team merges the superseded
 * number's record onto the surviving one, stating why. Both children are opened under the
 * legitimate-relationship rule; a merge refused for a conflict answers 409 with `conflicts`
 * (what conflicts and how to resolve it) and changes nothing.
 */
import { z } from 'zod';
import { mergeChildRecords, MergeConflicts } from '../../records/children/merge';
import { openChildByNhsNumber } from '../../records/children/read';
import { RecordRefusal } from '../../records/errors';
import { staffInTeamOfKind } from '../../records/staff';
import { ApiError } from '../api-error';
import { actorOf } from '../audit/audit-builder';
import { me } from '../request-context';
import { defineRoute, ok } from '../route-definition';
import { nhsNumber } from '../validation';
import { childParams } from './children-schemas';

const mergeBody = z
  .object({
    mergedNhsNumber: nhsNumber().meta({
      description: "The superseded NHS number: its record is merged into this child's",
    }),
    reason: z.string().trim().min(10, 'must say why, in at least 10 characters').max(2000),
    resolutions: z
      .array(
        z
          .object({
            vaccine: z.string().min(1).max(40),
            dose: z.number().int().min(1).max(10),
            keep: z.enum(['surviving', 'merged']),
          })
          .strict(),
      )
      .max(100)
      .optional()
      .meta({ description: 'For a dose recorded on both records on different dates: which record has it right' }),
  })
  .strict();

export const childMergeRoutes = [
  defineRoute({
    method: 'post',
    path: '/children/:nhsNumber/merges',
    tag: 'children',
    summary: "Merge the record of an NHS number PDS superseded by this child's onto this child's record",
    access: 'children.merge',
    schemas: { params: childParams, body: mergeBody },
    responses: {
      200:
        'Merged (or merged already: `mergedNow` false, nothing changed): what moved, how many duplicate rows were set aside ' +
        '(kept in the merge record), the conflicts resolved. Audited child.merge. 409 with `conflicts` (each with `resolve`) when ' +
        'the merge would lose data or PDS has not superseded the number; nothing is changed then',
    },
    handler: async ({ params, body }, ctx) => {
      const staff = me(ctx);
      if (!(await staffInTeamOfKind(ctx.deps.db, staff.id, 'records')))
        throw ApiError.forbidden('Only a member of a child health records team may merge records');
      const actor = actorOf(ctx);
      await openChildByNhsNumber(ctx.deps.db, actor, params.nhsNumber, 'child.merge');
      // The merged record may be gone already (a merge repeated): then the merge's own row answers.
      await openChildByNhsNumber(ctx.deps.db, actor, body.mergedNhsNumber, 'child.merge').catch((e: unknown) => {
        if (!(e instanceof RecordRefusal && e.kind === 'not_found')) throw e;
      });
      try {
        const outcome = await mergeChildRecords(ctx.deps.db, actor, {
          mergedNhsNumber: body.mergedNhsNumber,
          intoNhsNumber: params.nhsNumber,
          reason: body.reason,
          resolutions: body.resolutions,
        });
        return ok(outcome);
      } catch (e) {
        if (e instanceof MergeConflicts) throw ApiError.conflict(e.message, { extensions: { conflicts: e.conflicts } });
        throw e;
      }
    },
  }),
];

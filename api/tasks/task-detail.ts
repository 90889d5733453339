/**
 * A task as its page shows it: the task, the definition version it belongs to, its form's
 * whole form-js schema (labels of options, hints, groups: the task row keeps only the fields
 * the API validates), the child's banner, and the candidate teams by name. Only for a caller who may see the task's child
 * (api/routes/tasks.ts loadTask: a legitimate relationship, or break glass already recorded).
 */
import { childRowById } from '../../records/children/child-rows';
import type { HumanTask } from '../../records/tasks/rows';
import { DefinitionStore } from '../../records/definition-store';
import { teamsNamed } from '../../records/teams';
import { embeddedFormSchema } from '../../deployment/embedded-forms';
import type { RequestContext } from '../request-context';
import { childBannerView } from '../routes/child-views';
import { taskView } from './task-view';

export async function taskDetail(ctx: RequestContext, task: HumanTask) {
  const db = ctx.deps.db;
  const definition = await new DefinitionStore(db.sequelize).ofInstance(task.processInstanceId);
  const form = (task.form ?? { fields: [] }) as { source?: string; key?: string; fields: unknown[] };
  const schema =
    definition && form.source === 'embedded' && form.key ? await embeddedFormSchema(db, definition.id, form.key) : null;
  const child = task.childId ? await childRowById(db, task.childId) : null;
  return {
    ...taskView(task),
    form: { ...form, schema },
    definition: definition ? { key: definition.key, version: definition.version, name: definition.name } : null,
    child: child ? await childBannerView(db, child) : null,
    candidateTeams: await teamsNamed(db, task.candidateGroups),
  };
}

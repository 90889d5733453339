/**
 * What the BPMN editor needs besides the definitions themselves: a dry run of a deployment
 * (the same problems, by element and severity, with nothing stored), the element templates
 * generated from the activity catalogue, and the candidate groups a user task may name.
 */
import { z } from 'zod';
import type { Problem } from '../../bpmn/problems';
import { ROLES } from '../../records/staff';
import { listTeams } from '../../records/teams';
import { currentDeploymentContext } from '../../deployment/deployment-context';
import { catalogueElementTemplates } from '../../deployment/element-templates/generate';
import { validateDefinition } from '../../deployment/validate-definition';
import { defineRoute, ok } from '../route-definition';
import { deployBody } from './process-definitions-schemas';
import { problemEntry } from './process-definitions-views';
import { diagramOf } from './process-definitions-xml';

const TAG = 'process-definitions';

export const problemSchema = z.object({
  severity: z.enum(['error', 'warning']),
  elementId: z.string().nullable().meta({ description: 'The BPMN element the problem is about, or null' }),
  rule: z.string(),
  message: z.string(),
  field: z.string().meta({ description: 'As a refused deployment names it: body.xml#<elementId>' }),
});

const validationSchema = z.object({
  processId: z.string().nullable(),
  deployable: z.boolean().meta({ description: 'No errors: deploying this diagram would be accepted' }),
  errors: z.number().int(),
  warnings: z.number().int(),
  problems: z.array(problemSchema).meta({ description: 'Errors first, then warnings, by element' }),
});

const problemView = (p: Problem) => ({
  severity: p.severity,
  elementId: p.elementId ?? null,
  rule: p.rule,
  message: p.message,
  field: problemEntry(p).field,
});

/** How the kinds of locality team read in the editor ("The child's locality: Health visiting"). */
const KIND_LABELS: Record<string, string> = {
  records: 'Records',
  health_visiting: 'Health visiting',
  immunisation: 'Immunisation',
  safeguarding: 'Safeguarding',
  management: 'Management',
};

const candidateGroupsSchema = z.object({
  localityTeams: z
    .array(z.object({ suffix: z.string(), label: z.string(), expression: z.string() }))
    .meta({ description: "The team of the child's locality, as a FEEL expression over the `locality` variable" }),
  teams: z.array(z.object({ code: z.string(), name: z.string(), locality: z.string().nullable() })),
  roles: z.array(z.string()),
});

export const processModellingRoutes = [
  defineRoute({
    method: 'post',
    path: '/process-definitions/validate',
    tag: TAG,
    summary: 'Check a BPMN diagram as a deployment would, without deploying it',
    access: 'definitions.deploy',
    schemas: { body: deployBody },
    responses: {
      200: 'The problems a deployment of this diagram would report (errors refuse it, warnings do not); nothing is stored',
      413: 'The diagram is larger than 2 MB (256 KB when sent inside JSON)',
      415: 'Neither application/xml nor JSON',
    },
    responseSchemas: { 200: validationSchema },
    // Reads and changes nothing (like reading a definition), so it writes no audit event.
    handler: async ({ body }, ctx) => {
      const xml = await diagramOf(ctx.req, ctx.res, body.xml);
      const { sequelize } = ctx.deps.db;
      const outcome = await validateDefinition(xml, await currentDeploymentContext(sequelize));
      const errors = outcome.problems.filter((p) => p.severity === 'error').length;
      return ok({
        processId: outcome.processId,
        deployable: errors === 0,
        errors,
        warnings: outcome.problems.length - errors,
        problems: outcome.problems.map(problemView),
      });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/process-definitions/element-templates',
    tag: TAG,
    summary: 'Element templates for the editor, one per catalogue activity (Camunda 8 element template JSON)',
    access: 'definitions.read',
    schemas: {},
    responses: { 200: 'Templates by category and name: the job type is fixed, the inputs are fields' },
    responseSchemas: { 200: z.object({ templates: z.array(z.looseObject({ id: z.string(), name: z.string() })) }) },
    handler: async () => ok({ templates: catalogueElementTemplates() }),
  }),
  defineRoute({
    method: 'get',
    path: '/process-definitions/candidate-groups',
    tag: TAG,
    summary: 'The candidate groups a user task may name: locality teams, every team, and roles',
    access: 'definitions.read',
    schemas: {},
    responses: { 200: 'Known teams and roles (what a deployment checks static candidate groups against)' },
    responseSchemas: { 200: candidateGroupsSchema },
    handler: async (_input, ctx) => {
      const teams = await listTeams(ctx.deps.db);
      const kinds = new Map<string, string>();
      for (const t of teams) if (t.suffix && !kinds.has(t.suffix)) kinds.set(t.suffix, KIND_LABELS[t.kind] ?? t.kind);
      return ok({
        localityTeams: [...kinds].map(([suffix, label]) => ({
          suffix,
          label,
          expression: `=[locality + "-${suffix}"]`,
        })),
        teams: teams.map((t) => ({ code: t.code, name: t.name, locality: t.locality })),
        roles: ROLES.filter((r) => r !== 'integration'),
      });
    },
  }),
];

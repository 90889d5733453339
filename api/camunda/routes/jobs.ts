/**
 * External jobs through the Camunda REST API: activation (long poll), completion, failure
 * (retries left: the job comes back after its back-off; none: an incident), BPMN error and
 * update of retries or timeout. Completion, the last failure and a BPMN error go to the
 * instance's workflow as Temporal updates: a job it no longer waits for is refused (404), and
 * the answer comes only once the workflow has taken it.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { findJob, markJob, retryJobLater, updateJobRow, type JobRow } from '../../../records/jobs';
import { completeJobUpdate, failJobUpdate, throwJobErrorUpdate } from '../../../workflows/contract';
import type { AdHocResult, UserTaskCorrections } from '../../../workflows/engine/types';
import { openChildById } from '../../access/child-access';
import { audit } from '../../audit/audit-builder';
import { auditBeforeEngine } from '../../audit/audit-before-engine';
import { me, type RequestContext } from '../../request-context';
import { noContent, ok } from '../../route-definition';
import { camundaError, DEFAULT_TENANT, mustBeDefaultTenant, num, type CamundaRoute } from '../camunda-route';
import { activateJobsLongPoll } from '../job-activation';
import { pageOf, pageResult } from '../search';
import { searchV2Jobs } from '../../../records/v2-search';

/** Long-poll wait when the request names none (Camunda's gateway default), and the most we wait. */
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const MAX_REQUEST_TIMEOUT_MS = 60_000;
const MAX_JOBS = 1000;

const OPEN: readonly string[] = ['activatable', 'activated'];

/**
 * A job result (Camunda 8.8): `userTask` only for a task listener's job, whose corrections apply
 * to the task (as it opens, or as its assignment, update or completion takes effect); assigning,
 * updating and completing listeners may deny the transition (`denied`, `deniedReason`), creating
 * and canceling ones cannot; as in Camunda, a task listener's job takes no variables; `adHocSubProcess` only for an ad-hoc sub-process's job: the
 * elements to activate (each with its variables) and whether the sub-process is done.
 */
function jobResult(
  job: JobRow,
  result: unknown,
  variables: unknown,
): { corrections?: UserTaskCorrections; adHoc?: AdHocResult; denied?: { reason?: string } } {
  const r = (result ?? null) as {
    type?: unknown;
    denied?: unknown;
    deniedReason?: unknown;
    corrections?: unknown;
    activateElements?: Array<{ elementId?: string; variables?: Record<string, unknown> | null }>;
    isCompletionConditionFulfilled?: boolean;
    isCancelRemainingInstances?: boolean;
  } | null;
  if (
    job.kind === 'TASK_LISTENER' &&
    variables !== undefined &&
    variables !== null &&
    Object.keys(variables).length > 0
  )
    throw camundaError.invalid('A task listener job is completed without variables (use corrections)', [
      { field: 'body.variables', message: 'is not taken by a task listener job' },
    ]);
  if (r === null || r.type === undefined) return {};
  const kindFor = { userTask: 'TASK_LISTENER', adHocSubProcess: 'AD_HOC_SUB_PROCESS' } as Record<string, string>;
  if (kindFor[String(r.type)] === undefined)
    throw camundaError.invalid(`A job result of type ${String(r.type)} is not supported`, [
      { field: 'body.result.type', message: 'is not supported' },
    ]);
  if (job.kind !== kindFor[String(r.type)])
    throw camundaError.invalid(
      `A job result of type ${String(r.type)} is only for a job of kind ${kindFor[String(r.type)]}`,
      [{ field: 'body.result.type', message: `does not fit a job of kind ${job.kind}` }],
    );
  if (r.type === 'adHocSubProcess') {
    const activate = r.activateElements ?? [];
    const missing = activate.findIndex((a) => typeof a.elementId !== 'string' || a.elementId === '');
    if (missing >= 0)
      throw camundaError.invalid('Every element to activate needs its element id', [
        { field: `body.result.activateElements[${missing}].elementId`, message: 'is required' },
      ]);
    return {
      adHoc: {
        activateElements: activate.map((a) => ({
          elementId: a.elementId!,
          ...(a.variables ? { variables: a.variables } : {}),
        })),
        completionConditionFulfilled: r.isCompletionConditionFulfilled === true,
        cancelRemainingInstances: r.isCancelRemainingInstances === true,
      },
    };
  }
  const event = (job.listenerEventType ?? '').toLowerCase();
  if (r.denied === true && (event === 'creating' || event === 'canceling'))
    throw camundaError.invalid(
      `A ${event} task listener cannot deny the task's ${event === 'creating' ? 'creation' : 'cancellation'}`,
      [{ field: 'body.result.denied', message: `is not possible for a ${event} listener` }],
    );
  if (r.deniedReason !== undefined && r.deniedReason !== null && typeof r.deniedReason !== 'string')
    throw camundaError.invalid('The reason for denying should be text', [
      { field: 'body.result.deniedReason', message: 'should be text' },
    ]);
  // A denial drops every correction (Camunda: the task keeps its state and data).
  if (r.denied === true) return { denied: { ...(r.deniedReason ? { reason: r.deniedReason } : {}) } };
  // Null means "not corrected".
  const given = Object.entries((r.corrections ?? {}) as Record<string, unknown>).filter(([, v]) => v !== null);
  return { corrections: Object.fromEntries(given) as UserTaskCorrections };
}

async function openJob(ctx: RequestContext, key: string, action: string): Promise<JobRow> {
  const job = await findJob(ctx.deps.db, key);
  if (!job || !OPEN.includes(job.state)) throw camundaError.notFound(`No active job has key ${key}`);
  await openJobChild(ctx, job, action);
  return job;
}

/**
 * A job of an instance about a child is part of the child's record: staff (administrators) need
 * a legitimate relationship or break glass; integration accounts work any child's jobs, as they
 * send any child's events.
 */
async function openJobChild(ctx: RequestContext, job: JobRow, action: string): Promise<void> {
  if (me(ctx).role === 'integration' || job.childId === null || job.childLocalityId === null) return;
  await openChildById(ctx, { id: job.childId, localityId: job.childLocalityId, nhsNumber: job.businessKey! }, action);
}

function engineOf(ctx: RequestContext) {
  if (!ctx.deps.engine) throw camundaError.unavailable('The process engine is not connected to this API');
  return ctx.deps.engine;
}

/** Runs a job update on the job's workflow; a refusal (job not open there any more) is a 404. */
async function toWorkflow(
  ctx: RequestContext,
  job: JobRow,
  run: (handle: ReturnType<ReturnType<typeof engineOf>['client']['workflow']['getHandle']>) => Promise<unknown>,
): Promise<void> {
  const handle = engineOf(ctx).client.workflow.getHandle(job.processInstanceId);
  try {
    await run(handle);
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError || e instanceof WorkflowNotFoundError) {
      await markJob(ctx.deps.db, job.key, 'cancelled');
      throw camundaError.notFound(`The job ${job.key} is no longer open in its process instance`);
    }
    throw e;
  }
}

const jobAudit = (action: string, job: JobRow, detail: Record<string, unknown> = {}) => ({
  action,
  entityType: 'job',
  entityId: job.key,
  childId: job.childId,
  detail: { type: job.type, processInstanceKey: job.processInstanceKey, elementId: job.elementId, ...detail },
});

const auditJob = (ctx: RequestContext, action: string, job: JobRow, detail: Record<string, unknown> = {}) =>
  audit(ctx.deps.db, ctx, jobAudit(action, job, detail));

/** What goes to the workflow is audited first: the row is committed before the engine is told (api/audit/audit-before-engine.ts). */
const auditedJobAct = (
  ctx: RequestContext,
  action: string,
  job: JobRow,
  detail: Record<string, unknown>,
  act: () => Promise<void>,
) => auditBeforeEngine(ctx, jobAudit(action, job, detail), act);

function activatedJob(job: JobRow, fetch: unknown) {
  const names = Array.isArray(fetch) && fetch.length > 0 ? new Set(fetch.map(String)) : null;
  const variables = names
    ? Object.fromEntries(Object.entries(job.variables).filter(([k]) => names.has(k)))
    : job.variables;
  return {
    type: job.type,
    processDefinitionId: job.processDefinitionId,
    processDefinitionVersion: job.processDefinitionVersion,
    elementId: job.elementId,
    customHeaders: job.customHeaders,
    worker: job.worker ?? '',
    retries: job.retries,
    deadline: job.deadline ? job.deadline.getTime() : 0,
    variables,
    tenantId: DEFAULT_TENANT,
    jobKey: job.key,
    processInstanceKey: job.processInstanceKey,
    processDefinitionKey: job.processDefinitionKey,
    elementInstanceKey: job.elementInstanceKey,
    kind: job.kind,
    listenerEventType: job.listenerEventType ?? 'UNSPECIFIED',
    ...(job.kind === 'TASK_LISTENER' ? { userTask: userTaskOf(job.customHeaders) } : {}),
  };
}

/** A task listener's job's user task (Camunda 8.8's `userTask`), from the headers it was created with. */
function userTaskOf(headers: Record<string, string>) {
  const h = (name: string): string | undefined => headers[`io.camunda.zeebe:${name}`];
  const list = (name: string): string[] | undefined => {
    try {
      const value: unknown = JSON.parse(h(name) ?? 'null');
      return Array.isArray(value) ? value.map(String) : undefined;
    } catch {
      return undefined;
    }
  };
  const priority = Number(h('priority'));
  return {
    ...(h('action') !== undefined ? { action: h('action') } : {}),
    ...(h('userTaskKey') !== undefined ? { userTaskKey: h('userTaskKey') } : {}),
    ...(h('assignee') !== undefined ? { assignee: h('assignee') } : {}),
    ...(list('candidateGroups') ? { candidateGroups: list('candidateGroups') } : {}),
    ...(list('candidateUsers') ? { candidateUsers: list('candidateUsers') } : {}),
    ...(list('changedAttributes') ? { changedAttributes: list('changedAttributes') } : {}),
    ...(h('dueDate') !== undefined ? { dueDate: h('dueDate') } : {}),
    ...(h('followUpDate') !== undefined ? { followUpDate: h('followUpDate') } : {}),
    // A deployed form's key; an embedded form's camunda-forms:bpmn:<id> stays in the headers only.
    ...(/^\d+$/.test(h('formKey') ?? '') ? { formKey: h('formKey') } : {}),
    ...(h('priority') !== undefined && Number.isInteger(priority) ? { priority } : {}),
  };
}

const STATE_OF: Record<string, string> = {
  activatable: 'CREATED',
  activated: 'CREATED',
  failed: 'FAILED',
  completed: 'COMPLETED',
  cancelled: 'CANCELED',
  error_thrown: 'ERROR_THROWN',
};

export const jobRoutes: CamundaRoute[] = [
  {
    method: 'post',
    path: '/jobs/activation',
    summary: 'Activate jobs',
    access: 'jobs.work',
    operation: 'activateJobs',
    handler: async ({ body }, ctx) => {
      for (const t of body.tenantIds ?? []) mustBeDefaultTenant(t, 'body.tenantIds');
      const max = Math.min(Math.max(num(body.maxJobsToActivate) ?? 0, 0), MAX_JOBS);
      if (max < 1)
        throw camundaError.invalid('maxJobsToActivate must be at least 1', [
          { field: 'body.maxJobsToActivate', message: 'must be at least 1' },
        ]);
      const timeoutMs = num(body.timeout) ?? 0;
      if (!(timeoutMs > 0))
        throw camundaError.invalid('timeout must be a positive number of milliseconds', [
          { field: 'body.timeout', message: 'must be positive' },
        ]);
      const requested = num(body.requestTimeout) ?? 0;
      const waitMs =
        requested < 0 ? 0 : Math.min(requested === 0 ? DEFAULT_REQUEST_TIMEOUT_MS : requested, MAX_REQUEST_TIMEOUT_MS);
      let gone = false;
      ctx.req.on('close', () => (gone = !ctx.res.writableEnded));
      const worker = typeof body.worker === 'string' && body.worker ? body.worker : me(ctx).username;
      const jobs = await activateJobsLongPoll(
        ctx.deps.db,
        // Staff get only jobs about no child or a child of their localities (no break glass in a poll).
        {
          type: body.type,
          worker,
          timeoutMs,
          max,
          localityIds: me(ctx).role === 'integration' ? null : me(ctx).localityIds,
        },
        waitMs,
        () => gone,
      );
      if (jobs.length > 0)
        await audit(ctx.deps.db, ctx, {
          action: 'job.activate',
          entityType: 'job',
          entityId: jobs.map((j) => j.key).join(','),
          detail: { type: body.type, worker, jobs: jobs.length },
        });
      return ok({ jobs: jobs.map((j) => activatedJob(j, body.fetchVariable)) });
    },
  },
  {
    method: 'post',
    path: '/jobs/:jobKey/completion',
    summary: 'Complete a job',
    access: 'jobs.work',
    operation: 'completeJob',
    handler: async ({ path, body }, ctx) => {
      const job = await openJob(ctx, path.jobKey, 'job.complete');
      const { corrections, adHoc, denied } = jobResult(job, body.result, body.variables);
      const variables = (body.variables ?? {}) as Record<string, unknown>;
      await auditedJobAct(
        ctx,
        'job.complete',
        job,
        {
          variables: Object.keys(variables),
          ...(corrections ? { corrections: Object.keys(corrections) } : {}),
          ...(denied ? { denied: true } : {}),
          ...(adHoc ? { activated: adHoc.activateElements?.map((a) => a.elementId) ?? [] } : {}),
        },
        () =>
          toWorkflow(ctx, job, (h) =>
            h.executeUpdate(completeJobUpdate, {
              args: [
                {
                  jobId: job.engineJobId,
                  variables,
                  actor: me(ctx).username,
                  ...(corrections ? { corrections } : {}),
                  ...(denied ? { denied: true, ...(denied.reason ? { deniedReason: denied.reason } : {}) } : {}),
                  ...(adHoc ? { adHoc } : {}),
                },
              ],
            }),
          ),
      );
      await markJob(ctx.deps.db, job.key, 'completed');
      return noContent();
    },
  },
  {
    method: 'post',
    path: '/jobs/:jobKey/failure',
    summary: 'Fail a job',
    access: 'jobs.work',
    operation: 'failJob',
    handler: async ({ path, body }, ctx) => {
      const job = await openJob(ctx, path.jobKey, 'job.fail');
      const retries = Math.max(0, Math.trunc(num(body.retries) ?? 0));
      const message = typeof body.errorMessage === 'string' ? body.errorMessage : null;
      if (retries > 0) {
        const backoff = Math.max(0, num(body.retryBackOff) ?? 0);
        if (!(await retryJobLater(ctx.deps.db, job.key, retries, backoff, message)))
          throw camundaError.notFound(`No active job has key ${job.key}`);
        await auditJob(ctx, 'job.fail', job, { retries, errorMessage: message });
      } else {
        await auditedJobAct(ctx, 'job.fail', job, { retries, errorMessage: message }, () =>
          toWorkflow(ctx, job, (h) =>
            h.executeUpdate(failJobUpdate, {
              args: [{ jobId: job.engineJobId, errorMessage: message ?? 'the job failed', actor: me(ctx).username }],
            }),
          ),
        );
        await markJob(ctx.deps.db, job.key, 'failed', message ?? undefined);
      }
      return noContent();
    },
  },
  {
    method: 'post',
    path: '/jobs/:jobKey/error',
    summary: 'Throw a BPMN error for a job',
    access: 'jobs.work',
    operation: 'throwJobError',
    handler: async ({ path, body }, ctx) => {
      const job = await openJob(ctx, path.jobKey, 'job.throw_error');
      await auditedJobAct(ctx, 'job.throw_error', job, { errorCode: body.errorCode }, () =>
        toWorkflow(ctx, job, (h) =>
          h.executeUpdate(throwJobErrorUpdate, {
            args: [
              {
                jobId: job.engineJobId,
                errorCode: body.errorCode,
                ...(body.errorMessage ? { errorMessage: body.errorMessage } : {}),
                ...(body.variables ? { variables: body.variables } : {}),
                actor: me(ctx).username,
              },
            ],
          }),
        ),
      );
      await markJob(ctx.deps.db, job.key, 'error_thrown', body.errorMessage ?? undefined);
      return noContent();
    },
  },
  {
    method: 'patch',
    path: '/jobs/:jobKey',
    summary: 'Update the retries or timeout of a job',
    access: 'jobs.work',
    operation: 'updateJob',
    handler: async ({ path, body }, ctx) => {
      const job = await findJob(ctx.deps.db, path.jobKey);
      if (!job) throw camundaError.notFound(`No job has key ${path.jobKey}`);
      await openJobChild(ctx, job, 'job.update');
      const retries = num(body.changeset?.retries);
      const timeout = num(body.changeset?.timeout);
      if (retries !== undefined && retries < 1)
        throw camundaError.invalid('retries must be a positive number', [
          { field: 'body.changeset.retries', message: 'must be at least 1' },
        ]);
      const changed = await updateJobRow(ctx.deps.db, job.key, {
        ...(retries !== undefined ? { retries } : {}),
        ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
      });
      if (!changed) throw camundaError.notFound(`The job ${job.key} is ${STATE_OF[job.state].toLowerCase()}`);
      await auditJob(ctx, 'job.update', job, {
        retries: retries ?? null,
        timeout: timeout ?? null,
      });
      return noContent();
    },
  },
  {
    method: 'post',
    path: '/jobs/search',
    summary: 'Search jobs',
    access: 'instances.read',
    operation: 'searchJobs',
    handler: async ({ body }, ctx) => {
      const filter = (body.filter ?? {}) as Record<string, unknown>;
      const states =
        filter.state === undefined
          ? undefined
          : Object.entries(STATE_OF)
              .filter(([, camunda]) => camunda === filter.state)
              .map(([state]) => state);
      const page = pageOf(body.page);
      // Jobs about a child of another locality are not listed (as instances are not).
      const { rows, total } = await searchV2Jobs(ctx.deps.db, { filter, ...page }, states, me(ctx).localityIds);
      return ok({
        items: rows.map((j) => ({
          jobKey: j.key,
          type: j.type,
          worker: j.worker ?? '',
          state: STATE_OF[j.state],
          kind: j.kind,
          listenerEventType: j.listenerEventType ?? 'UNSPECIFIED',
          retries: j.retries,
          isDenied: false,
          deniedReason: '',
          hasFailedWithRetriesLeft: j.errorMessage !== null && j.retries > 0,
          errorCode: j.errorCode ?? '',
          errorMessage: j.errorMessage ?? '',
          customHeaders: j.customHeaders,
          ...(j.deadline ? { deadline: j.deadline.toISOString() } : {}),
          processDefinitionId: j.processDefinitionId,
          processDefinitionKey: j.processDefinitionKey,
          processInstanceKey: j.processInstanceKey,
          elementId: j.elementId,
          elementInstanceKey: j.elementInstanceKey,
          tenantId: DEFAULT_TENANT,
        })),
        page: pageResult(page, rows.length, total),
      });
    },
  },
];

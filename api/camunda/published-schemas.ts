/**
 * The request schemas of the Camunda 8 REST API (Orchestration Cluster API v2), as Camunda
 * publishes them: the zod schemas that `@camunda8/orchestration-cluster-api` (Camunda's own
 * client, Apache-2.0) generates from the OpenAPI document and checks requests with. The package
 * does not export them, so they are taken from a client whose request validation is switched on:
 * its validation gate hands every operation's schema over before any request is sent, and here
 * it stops the call right there. No request ever leaves; nothing is copied by hand.
 *
 * The package version is pinned in package.json: `schemasFor` fails loudly (and the /v2 test
 * with it) if a new version changes how its client validates.
 */
import { createCamundaClient } from '@camunda8/orchestration-cluster-api';
import type { z } from 'zod';

/** Operation ids (as the OpenAPI document names them) whose request schemas /v2 validates against. */
export const VALIDATED_OPERATIONS = [
  'createDeployment',
  'createProcessInstance',
  'cancelProcessInstance',
  'searchProcessInstances',
  'activateJobs',
  'completeJob',
  'failJob',
  'throwJobError',
  'updateJob',
  'publishMessage',
  'correlateMessage',
  'broadcastSignal',
  'searchUserTasks',
  'assignUserTask',
  'unassignUserTask',
  'completeUserTask',
  'updateUserTask',
  'resolveIncident',
  'searchIncidents',
  'searchVariables',
  'evaluateDecision',
  'createElementInstanceVariables',
  'searchJobs',
] as const;

export type ValidatedOperation = (typeof VALIDATED_OPERATIONS)[number];

/** `{ body, path, query }` of one operation. */
export type RequestSchema = z.ZodType;

class Captured extends Error {}

let schemas: ReadonlyMap<string, RequestSchema> | undefined;

async function capture(): Promise<Map<string, RequestSchema>> {
  const client = createCamundaClient({
    config: {
      CAMUNDA_REST_ADDRESS: 'http://127.0.0.1:9',
      CAMUNDA_AUTH_STRATEGY: 'NONE',
      CAMUNDA_SDK_VALIDATION: 'req:strict,res:none',
      CAMUNDA_SDK_LOG_LEVEL: 'silent',
    } as never,
    fetch: (() => Promise.reject(new Error('the schema capture never sends a request'))) as never,
  });
  const found = new Map<string, RequestSchema>();
  const stop = new Captured('schema captured');
  const gate = {
    settings: { req: 'strict', res: 'none' },
    gateRequest: async (operation: string, schema: RequestSchema) => {
      found.set(operation, schema);
      throw stop;
    },
  };
  Object.assign(client, { _validation: gate });
  const calls = client as unknown as Record<string, (arg: unknown, consistency?: unknown) => Promise<unknown>>;
  for (const operation of VALIDATED_OPERATIONS) {
    if (typeof calls[operation] !== 'function') continue;
    try {
      // Search endpoints take a consistency argument; the others ignore a second argument.
      await calls[operation]({}, { consistency: { waitUpToMs: 0 } });
    } catch (e) {
      if (!(e instanceof Captured)) continue;
    }
  }
  return found;
}

/** Every operation's published request schema; throws naming the operations it could not find. */
export async function publishedSchemas(): Promise<ReadonlyMap<string, RequestSchema>> {
  if (schemas) return schemas;
  const found = await capture();
  const missing = VALIDATED_OPERATIONS.filter((op) => !found.has(op));
  if (missing.length > 0)
    throw new Error(
      `@camunda8/orchestration-cluster-api no longer hands over the request schemas of ${missing.join(', ')}: check api/camunda/published-schemas.ts against the installed version`,
    );
  schemas = found;
  return found;
}

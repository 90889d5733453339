/** Resolves the definition a call activity starts: the latest version, or a pinned one. */
import { ApplicationFailure } from '@temporalio/activity';
import type { Sequelize } from 'sequelize';
import type { DeployedDefinition } from '../../deployment/deployed-definition';
import { calledDefinition } from '../../records/definitions';
import type { ResolveDefinitionInput } from '../../workflows/contract';

/** Error type when no deployed version matches (not retryable: the call raises an incident). */
export const DEFINITION_NOT_FOUND = 'DefinitionNotFound';

export async function resolveDefinition(sequelize: Sequelize, r: ResolveDefinitionInput): Promise<DeployedDefinition> {
  const { definition, wanted } = await calledDefinition({ sequelize }, r.processId, r.version, r.callerDefinitionId);
  if (!definition)
    throw ApplicationFailure.create({
      type: DEFINITION_NOT_FOUND,
      message: `no deployed process "${r.processId}" matches ${wanted}`,
      nonRetryable: true,
    });
  return { id: definition.id, key: definition.key, version: definition.version, graph: definition.graph };
}

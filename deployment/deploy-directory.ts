import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sequelize } from 'sequelize';
import { deployDefinition, type DeploymentContext, type DeploymentOutcome } from './deploy-definition';

export interface FileDeployment {
  file: string;
  outcome: DeploymentOutcome;
}

/**
 * Deploys every `*.bpmn` file of a folder (start-up deploys `definitions/`). Files whose
 * content matches their latest version are left alone; all refusals are reported together.
 */
export async function deployDirectory(
  sequelize: Sequelize,
  directory: string,
  context: DeploymentContext,
): Promise<FileDeployment[]> {
  const files = (await readdir(directory)).filter((f) => f.endsWith('.bpmn')).sort();
  const results: FileDeployment[] = [];
  for (const file of files) {
    const xml = await readFile(join(directory, file), 'utf8');
    results.push({ file, outcome: await deployDefinition(sequelize, xml, { ...context, resourceName: file }) });
  }
  return results;
}

/** One readable message for refused files, or null when every file deployed or was unchanged. */
export function describeRefusals(results: FileDeployment[]): string | null {
  const lines: string[] = [];
  for (const { file, outcome } of results) {
    if (outcome.status !== 'refused') continue;
    lines.push(`${file} was refused:`);
    for (const p of outcome.problems)
      lines.push(`  - ${p.elementId ? `${p.elementId}: ` : ''}${p.message} [${p.rule}]`);
  }
  return lines.length ? lines.join('\n') : null;
}

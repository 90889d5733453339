/**
 * One deployment, as Camunda 8 takes it: any number of `.bpmn`, `.dmn` and `.form` files in one
 * request, all or nothing. Forms are known to the processes of the same deployment; every
 * executable process of a BPMN file becomes a version of its key; a DMN file stores its decision
 * requirements graph and each decision. A resource identical to the latest version of its id is
 * not stored again (its current version is reported). Problems name the file and the element.
 */
import type { Sequelize } from 'sequelize';
import { definitionChecksum } from '../bpmn/checksum';
import { compileDefinition, type CompiledProcess } from '../bpmn/compile';
import { formFields } from '../bpmn/forms';
import type { Problem } from '../bpmn/problems';
import {
  decisionsOf,
  insertResource,
  latestFormSchemas,
  latestResource,
  nextKey,
  type ResourceVersion,
} from '../records/resources';
import type { Db } from '../records/sql';
import { compileDmn } from '../dmn/compile';
import type { CompiledDrd } from '../dmn/decision';
import type { DeployedDefinition } from './deployed-definition';
import type { DeploymentContext } from './deployment-context';
import { DefinitionStore, type DefinitionVersion } from '../records/definition-store';

export interface ResourceFile {
  /** File name; its extension says what it is (.bpmn/.xml, .dmn, .form/.json). */
  name: string;
  content: string;
}

/** A problem of one file of the deployment. */
export interface ResourceProblem extends Problem {
  resource: string;
}

export interface DeployedProcessVersion extends DefinitionVersion {
  /** False when the file was identical to the latest version (nothing stored). */
  isNew: boolean;
}

export interface DeployedResourceVersion extends ResourceVersion {
  isNew: boolean;
}

export interface DeploymentRecord {
  deploymentKey: string;
  processes: DeployedProcessVersion[];
  forms: DeployedResourceVersion[];
  decisionRequirements: DeployedResourceVersion[];
  decisions: DeployedResourceVersion[];
  warnings: ResourceProblem[];
}

export type ResourceDeploymentOutcome =
  ({ status: 'deployed' | 'unchanged' } & DeploymentRecord) | { status: 'refused'; problems: ResourceProblem[] };

type Kind = 'bpmn' | 'dmn' | 'form';

function kindOf(name: string): Kind | null {
  const lower = name.toLowerCase();
  if (lower.endsWith('.bpmn') || lower.endsWith('.bpmn20.xml') || lower.endsWith('.xml')) return 'bpmn';
  if (lower.endsWith('.dmn') || lower.endsWith('.dmn11.xml')) return 'dmn';
  if (lower.endsWith('.form') || lower.endsWith('.json')) return 'form';
  return null;
}

interface ParsedForm {
  file: ResourceFile;
  formId: string;
  checksum: string;
  schema: unknown;
  fields: unknown;
}

function parseForm(file: ResourceFile, problems: ResourceProblem[]): ParsedForm | null {
  const fail = (message: string) => {
    problems.push({ resource: file.name, rule: 'form', severity: 'error', message });
    return null;
  };
  let schema: unknown;
  try {
    schema = JSON.parse(file.content);
  } catch (e) {
    return fail(`The form is not valid JSON (${(e as Error).message}).`);
  }
  const id = (schema as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || id.trim() === '')
    return fail('The form has no "id" (the formId processes link it by).');
  const fields = formFields(schema);
  if (!fields.ok) return fail(`The form "${id}": ${fields.error}.`);
  return { file, formId: id, checksum: definitionChecksum(file.content), schema, fields: fields.fields };
}

// Serialises deployments across processes: versions are numbered per id (as deploy-definition does per key).
const DEPLOY_LOCK_NAMESPACE = 727_000_002;

/** Compiles every file, then stores them in one transaction; a refused deployment writes nothing. */
export async function deployResources(
  sequelize: Sequelize,
  files: readonly ResourceFile[],
  context: DeploymentContext & { deployedBy?: number | null },
): Promise<ResourceDeploymentOutcome> {
  const problems: ResourceProblem[] = [];
  const warnings: ResourceProblem[] = [];
  const db: Db = { sequelize };
  if (files.length === 0)
    return {
      status: 'refused',
      problems: [{ resource: '', rule: 'deployment', severity: 'error', message: 'The deployment has no resources.' }],
    };
  const names = new Set<string>();
  for (const f of files) {
    if (names.has(f.name))
      problems.push({
        resource: f.name,
        rule: 'deployment',
        severity: 'error',
        message: 'The file name is given twice.',
      });
    names.add(f.name);
    if (!kindOf(f.name))
      problems.push({
        resource: f.name,
        rule: 'deployment',
        severity: 'error',
        message: 'This kind of resource is not supported yet: deploy .bpmn, .dmn and .form files.',
      });
  }

  const forms = files.filter((f) => kindOf(f.name) === 'form').flatMap((f) => parseForm(f, problems) ?? []);
  const formIds = new Set<string>();
  for (const f of forms) {
    if (formIds.has(f.formId))
      problems.push({
        resource: f.file.name,
        rule: 'form',
        severity: 'error',
        message: `Two forms of the deployment have the id "${f.formId}".`,
      });
    formIds.add(f.formId);
  }

  const drds: Array<{ file: ResourceFile; drd: CompiledDrd; checksum: string }> = [];
  for (const file of files.filter((f) => kindOf(f.name) === 'dmn')) {
    const out = await compileDmn(file.content);
    if (out.ok) drds.push({ file, drd: out.drd, checksum: definitionChecksum(file.content) });
    else problems.push(...out.problems.map((p) => ({ ...p, resource: file.name })));
  }

  // Processes see the forms already deployed and those of this deployment.
  const knownForms = await latestFormSchemas(db);
  for (const f of forms) knownForms.set(f.formId, f.schema);
  const bpmn: Array<{ file: ResourceFile; processes: CompiledProcess[]; checksum: string }> = [];
  const processIds = new Set<string>();
  for (const file of files.filter((f) => kindOf(f.name) === 'bpmn')) {
    const out = await compileDefinition(file.content, { ...context, forms: knownForms });
    if (!out.ok) {
      problems.push(...out.problems.map((p) => ({ ...p, resource: file.name })));
      continue;
    }
    warnings.push(...out.warnings.map((p) => ({ ...p, resource: file.name })));
    for (const p of out.processes) {
      if (processIds.has(p.processId))
        problems.push({
          resource: file.name,
          rule: 'deployment',
          severity: 'error',
          elementId: p.processId,
          message: `The process id "${p.processId}" is in two files of the deployment.`,
        });
      processIds.add(p.processId);
    }
    bpmn.push({ file, processes: out.processes, checksum: out.checksum });
  }
  if (problems.some((p) => p.severity === 'error')) {
    const sorted = [...problems.filter((p) => p.severity === 'error'), ...warnings];
    return { status: 'refused', problems: sorted };
  }

  const store = new DefinitionStore(sequelize);
  const record = await sequelize.transaction(async (transaction): Promise<DeploymentRecord> => {
    const tx: Db = { sequelize, transaction };
    const lock = (id: string) => store.lockKey(DEPLOY_LOCK_NAMESPACE, id, transaction);
    const deploymentKey = await nextKey(tx);
    const deployedBy = context.deployedBy ?? null;
    const result: DeploymentRecord = {
      deploymentKey,
      processes: [],
      forms: [],
      decisionRequirements: [],
      decisions: [],
      warnings,
    };
    for (const f of forms) {
      await lock(`form:${f.formId}`);
      const latest = await latestResource(tx, 'form', f.formId);
      if (latest && latest.checksum === f.checksum) {
        result.forms.push({ ...latest, isNew: false });
        continue;
      }
      const row = await insertResource(tx, {
        kind: 'form',
        resourceId: f.formId,
        version: (latest?.version ?? 0) + 1,
        name: null,
        resourceName: f.file.name,
        deploymentKey,
        content: f.file.content,
        compiled: { fields: f.fields },
        checksum: f.checksum,
        deployedBy,
      });
      result.forms.push({ ...row, isNew: true });
    }
    for (const { file, drd, checksum } of drds) {
      await lock(`drd:${drd.id}`);
      const latest = await latestResource(tx, 'decision_requirements', drd.id);
      if (latest && latest.checksum === checksum) {
        result.decisionRequirements.push({ ...latest, isNew: false });
        result.decisions.push(...(await decisionsOf(tx, latest.key)).map((d) => ({ ...d, isNew: false })));
        continue;
      }
      const drdRow = await insertResource(tx, {
        kind: 'decision_requirements',
        resourceId: drd.id,
        version: (latest?.version ?? 0) + 1,
        name: drd.name ?? null,
        resourceName: file.name,
        deploymentKey,
        content: file.content,
        compiled: drd,
        checksum,
        deployedBy,
      });
      result.decisionRequirements.push({ ...drdRow, isNew: true });
      for (const decision of drd.decisions) {
        await lock(`decision:${decision.id}`);
        const previous = await latestResource(tx, 'decision', decision.id);
        const row = await insertResource(tx, {
          kind: 'decision',
          resourceId: decision.id,
          version: (previous?.version ?? 0) + 1,
          name: decision.name ?? null,
          resourceName: file.name,
          deploymentKey,
          parentKey: drdRow.key,
          content: null,
          compiled: { drdKey: drdRow.key, decisionId: decision.id },
          checksum,
          deployedBy,
        });
        result.decisions.push({ ...row, isNew: true });
      }
    }
    for (const { file, processes, checksum } of bpmn) {
      for (const p of processes) {
        await lock(p.processId);
        const latest = await store.latest(p.processId, transaction);
        if (latest && latest.checksum.trim() === checksum) {
          result.processes.push({ ...latest, isNew: false });
          continue;
        }
        const row = await store.insert(
          {
            key: p.processId,
            version: (latest?.version ?? 0) + 1,
            name: p.name ?? null,
            xml: file.content,
            graph: p.graph,
            checksum,
            deployedBy,
            deploymentKey,
            resourceName: file.name,
          },
          transaction,
        );
        result.processes.push({ ...row, isNew: true });
      }
    }
    return result;
  });

  // New process versions start, replace or stop their timer-start schedulers (after the commit).
  if (context.onDeployed) {
    for (const d of record.processes.filter((p) => p.isNew)) {
      const graph = bpmn.flatMap((b) => b.processes).find((p) => p.processId === d.key)!.graph;
      const deployed: DeployedDefinition = { id: d.id, key: d.key, version: d.version, graph };
      try {
        await context.onDeployed(deployed);
      } catch (e) {
        record.warnings.push({
          resource: d.resourceName ?? d.key,
          rule: 'schedule',
          severity: 'warning',
          message: `version ${d.version} is deployed, but its timer start events could not be scheduled yet (${e instanceof Error ? e.message : String(e)}); the next start-up schedules them`,
        });
      }
    }
  }
  const anyNew = [...record.processes, ...record.forms, ...record.decisionRequirements].some((r) => r.isNew);
  return { status: anyNew ? 'deployed' : 'unchanged', ...record };
}

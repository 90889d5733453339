import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { QueryTypes } from 'sequelize';
import { ACTIVITY_TYPES, LOCAL_ACTIVITY_TYPES } from '../../activities/catalogue';
import type { ActivityRef, CompiledGraph } from '../../bpmn/graph';
import type { Database } from '../../db/database';
import { DefinitionStore } from '../../records/definition-store';
import { deployDefinition, type DeploymentContext } from '../../deployment/deploy-definition';
import { deployDirectory, describeRefusals } from '../../deployment/deploy-directory';
import { createMigratedDatabase } from '../support/databases';

const context: DeploymentContext = { activityTypes: ACTIVITY_TYPES, candidateGroups: new Set(['birmingham-records']) };

/** The example diagram under a unique process key, optionally with a different greeting. */
async function exampleXml(key: string, greeting = 'Hello, '): Promise<string> {
  const xml = await readFile(join(__dirname, '../../definitions/example-hello.bpmn'), 'utf8');
  return xml.replaceAll('example-hello', key).replace('Hello, ', greeting);
}

/** Activity type → stored `local` flag of every job in a graph. */
function jobModes(graph: CompiledGraph): Array<[string, boolean]> {
  const refs: ActivityRef[] = [];
  for (const n of Object.values(graph.nodes)) {
    if (n.kind === 'serviceTask' || n.kind === 'sendTask') refs.push(n.activity);
    if (
      (n.kind === 'endEvent' || n.kind === 'intermediateThrowEvent') &&
      n.result.type === 'message' &&
      n.result.activity
    )
      refs.push(n.result.activity);
  }
  return refs.map((r) => [r.activityType, r.local === true]);
}

async function countDefinitions(db: Database): Promise<number> {
  const [row] = await db.sequelize.query<{ n: number }>('SELECT count(*)::int AS n FROM process_definitions', {
    type: QueryTypes.SELECT,
  });
  return row.n;
}

describe('deploying process definitions', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createMigratedDatabase('deploy');
  });
  afterAll(() => db.close());

  test('versions increment per key; identical XML is a no-op', async () => {
    const first = await deployDefinition(db.sequelize, await exampleXml('versioned'), context);
    const again = await deployDefinition(db.sequelize, await exampleXml('versioned'), context);
    const changed = await deployDefinition(db.sequelize, await exampleXml('versioned', 'Good morning, '), context);
    expect(first).toMatchObject({ status: 'deployed', definition: { key: 'versioned', version: 1 } });
    expect(again).toMatchObject({ status: 'unchanged', definition: { key: 'versioned', version: 1 } });
    expect(changed).toMatchObject({ status: 'deployed', definition: { key: 'versioned', version: 2 } });

    const store = new DefinitionStore(db.sequelize);
    expect((await store.versions('versioned')).map((v) => v.version)).toEqual([2, 1]);
    const v1 = await store.withGraph('versioned', 1);
    expect(v1?.graph.processId).toBe('versioned');
    expect(await store.xml('versioned', 2)).toContain('Good morning, ');
  });

  test('a refused diagram lists its problems and writes nothing', async () => {
    const before = await countDefinitions(db);
    const broken = (await exampleXml('refused')).replace(
      '</bpmn:process>',
      '<bpmn:serviceTask id="No_Job_Type" /></bpmn:process>',
    );
    const outcome = await deployDefinition(db.sequelize, broken, context);
    expect(outcome.status).toBe('refused');
    if (outcome.status !== 'refused') return;
    expect(outcome.problems.some((p) => p.elementId === 'No_Job_Type' && /no job type/.test(p.message))).toBe(true);
    expect(await countDefinitions(db)).toBe(before);
  });

  test('concurrent deployments of new versions of one key never collide', async () => {
    const xmls = await Promise.all(['A, ', 'B, ', 'C, ', 'D, '].map((g) => exampleXml('raced', g)));
    const outcomes = await Promise.all(xmls.map((xml) => deployDefinition(db.sequelize, xml, context)));
    const versions = outcomes.map((o) => (o.status === 'deployed' ? o.definition.version : 0)).sort();
    expect(versions).toEqual([1, 2, 3, 4]);
  });

  test('the definitions folder deploys cleanly, and again as a no-op', async () => {
    const folder = join(__dirname, '../../definitions');
    const first = await deployDirectory(db.sequelize, folder, context);
    expect(describeRefusals(first)).toBeNull();
    expect(first.length).toBeGreaterThan(0);
    const second = await deployDirectory(db.sequelize, folder, context);
    expect(second.every((r) => r.outcome.status === 'unchanged')).toBe(true);
  });

  test("the stored graph fixes which jobs run as local activities (the catalogue's local types unless the context says)", async () => {
    const store = new DefinitionStore(db.sequelize);
    await deployDirectory(db.sequelize, join(__dirname, '../../definitions'), context);
    const modes = jobModes((await store.withGraph('new-birth-registration'))!.graph);
    expect(modes).toEqual(
      expect.arrayContaining([
        ['child.createOrMatchRecord', true],
        ['pds.lookupPatient', false],
        ['notify.emailGpPractice', false],
      ]),
    );
    for (const [type, local] of modes) expect({ type, local }).toEqual({ type, local: LOCAL_ACTIVITY_TYPES.has(type) });

    const xml = (await readFile(join(__dirname, '../../definitions/new-birth-registration.bpmn'), 'utf8')).replaceAll(
      'new-birth-registration',
      'all-queued',
    );
    const outcome = await deployDefinition(db.sequelize, xml, { ...context, localActivityTypes: new Set() });
    expect(outcome.status).toBe('deployed');
    expect(jobModes((await store.withGraph('all-queued'))!.graph).filter(([, local]) => local)).toEqual([]);
  });
});

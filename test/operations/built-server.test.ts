/**
 * The production build (issue 17): `npm run build` compiles the server into dist/, prebuilds the
 * workflow bundle and builds the UI; `node dist/cli/start.js` then runs the whole system without
 * tsx, with the prebuilt workflow bundle (no bundling at start) and without loading any devDependency from its own
 * code (what an image installed with `npm ci --omit=dev` lacks), and does real work: the demo
 * region's birth notifications become tasks through its worker.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connect, type Database } from '../../db/database';
import { select } from '../../records/sql';
import { startSystemProcess, type SystemProcess } from '../system/support/system-process';

const ROOT = resolve(__dirname, '../..');

async function waitFor<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('npm run build', () => {
  let database: Database | undefined;
  let server: SystemProcess | undefined;

  afterAll(async () => {
    await server?.stop();
    await database?.close();
  });

  test('builds dist/ and the workflow bundle; node dist/cli/start.js runs the system on them alone', async () => {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 900_000 });
    expect({ status: build.status, output: build.status === 0 ? '' : `${build.stdout}\n${build.stderr}` }).toEqual({
      status: 0,
      output: '',
    });
    for (const file of ['dist/cli/start.js', 'dist/cli/migrate.js', 'dist/workflow-bundle.js', 'ui/dist/index.html'])
      expect({ file, exists: existsSync(join(ROOT, file)) }).toEqual({ file, exists: true });

    // The system tests' start-up (empty database, free ports, own data folder), on the built entry point.
    server = await startSystemProcess('built', { NODE_OPTIONS: '', CHIS_LOG_LEVEL: 'info' }, [
      process.execPath,
      ['--require', join(__dirname, 'support/no-dev-packages.cjs'), 'dist/cli/start.js'],
    ]);
    const port = server.apiPort;

    expect((await fetch(`http://127.0.0.1:${port}/api/health/ready`)).status).toBe(200);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect([page.status, await page.text()]).toEqual([200, expect.stringMatching(/src="\/assets\/index-[\w-]+\.js"/)]);
    // The demo births were posted through the API; the compiled worker turns them into tasks.
    database = connect(server.databaseUrl, { poolMax: 2 });
    const tasks = await waitFor(async () => {
      const [row] = await select<{ n: string }>(
        database!,
        "SELECT count(*) AS n FROM human_tasks WHERE name = 'New birth visit'",
      );
      return Number(row.n) > 0 ? Number(row.n) : undefined;
    }, 'new birth visit tasks');
    expect(tasks).toBeGreaterThan(0);

    const output = server.output();
    expect(output).not.toMatch(/DEV PACKAGE LOADED/);
    expect(output).toMatch(/"workflowBundle":"prebuilt","msg":"engine worker polling"/);
    expect(output).not.toMatch(/tsx/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 1_200_000);
});

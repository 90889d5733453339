/**
 * The embedded PostgreSQL's lifecycle (db/embedded-postgres.ts) with real servers: it dies with
 * the process that started it (SIGKILL included), a start on a data directory someone holds
 * says exactly who, a CLI can share a running system's server, and a stale server is recovered.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { describeError } from '../../core/describe-error';
import { freePort } from '../../core/free-port';
import { DataDirectoryInUseError, startEmbeddedPostgres } from '../../db/embedded-postgres';
import { postgresAccount, postgresBinaries } from '../../db/postgres-binaries';
import { processInfo } from '../../db/process-info';
import { postgresTree, postmasterPid, waitUntilGone } from '../support/postgres-processes';

const ROOT = resolve(__dirname, '../..');
/** Processes a failed test may leave: killed after each test. */
const afterKill: Array<() => void> = [];
afterEach(() => {
  for (const kill of afterKill.splice(0)) kill();
});

const folders: string[] = [];
afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

async function dataFolder(): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'chis-pg-life-'));
  folders.push(parent);
  await chmod(parent, 0o755); // as root, PostgreSQL runs as its own user and must reach the folder
  return join(parent, 'postgres');
}

async function selectOne(url: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ one: number }>('SELECT 1 AS one')).rows[0].one;
  } finally {
    await c.end();
  }
}

/** A process of its own that starts a server on `dataDir` and waits (to be killed). */
function holdingProcess(dataDir: string, port: number) {
  const script = `
    const { startEmbeddedPostgres } = require(${JSON.stringify(join(ROOT, 'db/embedded-postgres.ts'))});
    startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port}, persistent: true })
      .then((pg) => { process.stdout.write('up ' + pg.pid + '\\n'); setInterval(() => {}, 1000); })
      .catch((e) => { process.stderr.write(String(e && e.message) + '\\n'); process.exit(1); });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const up = new Promise<number>((resolveUp, reject) => {
    child.stdout.on('data', () => {
      const m = /up (\d+)/.exec(output);
      if (m) resolveUp(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`holder exited (${code}): ${output}`)));
  });
  return { child, up, exited: new Promise((r) => child.once('exit', r)) };
}

test('a server dies with its process, even on SIGKILL; the next start on the folder has its data', async () => {
  const dataDir = await dataFolder();
  const port = await freePort();
  const holder = holdingProcess(dataDir, port);
  afterKill.push(() => holder.child.kill('SIGKILL'));
  await holder.up;
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  const c = new Client({ connectionString: url });
  await c.connect();
  await c.query('CREATE TABLE kept (v text)');
  await c.query('INSERT INTO kept VALUES ($1)', ['before the kill']);
  await c.end();

  const tree = postgresTree(dataDir);
  expect(tree.map((p) => p.command).join('\n')).toMatch(/chis-postgres-watchdog/);
  holder.child.kill('SIGKILL');
  await holder.exited;
  expect(
    await waitUntilGone(
      tree.map((p) => p.pid),
      5_000,
    ),
  ).not.toBeNull();

  const again = await startEmbeddedPostgres({ dataDir, port, persistent: false });
  try {
    const c2 = new Client({ connectionString: again.adminUrl });
    await c2.connect();
    expect((await c2.query('SELECT v FROM kept')).rows).toEqual([{ v: 'before the kill' }]);
    await c2.end();
  } finally {
    await again.stop();
  }
  // A throwaway cluster is removed with its server.
  expect(existsSync(dataDir)).toBe(false);
}, 180_000);

test('a start on a folder a live process serves names it; a CLI may share it', async () => {
  const dataDir = await dataFolder();
  const port = await freePort();
  const holder = holdingProcess(dataDir, port);
  const pid = await holder.up;
  try {
    const refused = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: true }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(DataDirectoryInUseError);
    expect(describeError(refused)).toMatch(
      new RegExp(
        `^the PostgreSQL data directory ${dataDir} is in use by PostgreSQL PID ${pid} \\(port ${port}\\), run by PID ${holder.child.pid} \\(.*node --import tsx -e .*\\)\\. Is CHIS Flow already running\\? Stop it first, or set CHIS_DATA_DIR to another folder\\.$`,
      ),
    );
    const shared = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      persistent: true,
      shareRunning: true,
    });
    expect(shared).toMatchObject({ shared: true, pid, port });
    expect(await selectOne(shared.urlFor('postgres'))).toBe(1);
    await shared.stop(); // leaves the owner's server running
    expect(processInfo(pid)).not.toBeNull();
  } finally {
    holder.child.kill('SIGKILL');
    await holder.exited;
  }
}, 180_000);

test("a server of someone else's on the folder is refused, naming it and its parent", async () => {
  const dataDir = await dataFolder();
  const port = await freePort();
  // Initialise the folder with a server of ours, then run the binary under a plain shell that stays.
  await (await startEmbeddedPostgres({ dataDir, port, persistent: true })).stop();
  const account = postgresAccount();
  const shell = spawn(
    '/bin/sh',
    ['-c', `"${postgresBinaries().postgres}" -D "${dataDir}" -p ${port} -c listen_addresses=127.0.0.1; :`],
    {
      stdio: 'ignore',
      ...account,
    },
  );
  try {
    const deadline = Date.now() + 60_000;
    while (postmasterPid(dataDir) === null || processInfo(postmasterPid(dataDir)!)?.ppid !== shell.pid) {
      if (Date.now() > deadline) throw new Error('the foreign server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const refused = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: true }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(describeError(refused)).toMatch(
      new RegExp(
        `in use by PID ${postmasterPid(dataDir)} \\(.*postgres -D ${dataDir}.*\\) \\(port ${port}\\), started by PID ${shell.pid} \\(/bin/sh -c .*\\), which is not CHIS Flow`,
      ),
    );
  } finally {
    const pid = postmasterPid(dataDir);
    if (pid) process.kill(pid, 'SIGINT');
    await new Promise((r) => shell.once('exit', r));
  }
}, 180_000);

test('an orphaned server on the folder (left by a run before the watchdog) is stopped and replaced', async () => {
  const dataDir = await dataFolder();
  const port = await freePort();
  await (await startEmbeddedPostgres({ dataDir, port, persistent: true })).stop();
  // Started in the background of a shell that exits at once: the server's parent becomes init.
  spawn(
    '/bin/sh',
    [
      '-c',
      `"${postgresBinaries().postgres}" -D "${dataDir}" -p ${port} -c listen_addresses=127.0.0.1 >/dev/null 2>&1 &`,
    ],
    {
      stdio: 'ignore',
      detached: true,
      ...postgresAccount(),
    },
  );
  const deadline = Date.now() + 60_000;
  while (
    postmasterPid(dataDir) === null ||
    (await selectOne(`postgres://postgres:postgres@127.0.0.1:${port}/postgres`).catch(() => 0)) !== 1
  ) {
    if (Date.now() > deadline) throw new Error('the orphan did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const orphan = postmasterPid(dataDir)!;
  // This machine reparents orphans to init; one with a subreaper (systemd --user) makes it a foreign holder instead.
  expect(processInfo(orphan)?.ppid).toBe(1);
  const notices: string[] = [];
  const pg = await startEmbeddedPostgres({ dataDir, port, persistent: false, onNotice: (m) => notices.push(m) });
  try {
    expect(notices).toEqual([
      `stopping a PostgreSQL left running on ${dataDir} by an earlier run (PID ${orphan}, port ${port})`,
    ]);
    expect(processInfo(orphan)).toBeNull();
    expect(pg.pid).not.toBe(orphan);
    expect(await selectOne(pg.adminUrl)).toBe(1);
  } finally {
    await pg.stop();
  }
}, 180_000);

test('a stale lock file whose PID is now the PostgreSQL of another folder is removed; that server is left alone', async () => {
  const otherDir = await dataFolder();
  const other = await startEmbeddedPostgres({ dataDir: otherDir, port: await freePort(), persistent: false });
  try {
    const dataDir = await dataFolder();
    const port = await freePort();
    await (await startEmbeddedPostgres({ dataDir, port, persistent: true })).stop();
    // As after a crash and a reboot: the lock file names a PID another server has now.
    await writeFile(join(dataDir, 'postmaster.pid'), `${other.pid}\n${dataDir}\n0\n${port}\n`);
    const notices: string[] = [];
    const pg = await startEmbeddedPostgres({ dataDir, port, persistent: false, onNotice: (m) => notices.push(m) });
    try {
      expect(notices).toEqual([
        `removing the stale lock file of ${dataDir} (its PID ${other.pid} is now the PostgreSQL of ${otherDir})`,
      ]);
      expect(await selectOne(pg.adminUrl)).toBe(1);
      expect(await selectOne(other.adminUrl)).toBe(1);
    } finally {
      await pg.stop();
    }
  } finally {
    await other.stop();
  }
}, 180_000);

test('a port in use: the error says what PostgreSQL said, not "undefined"', async () => {
  const dataDir = await dataFolder();
  const port = await freePort();
  const first = await startEmbeddedPostgres({ dataDir: await dataFolder(), port, persistent: false });
  try {
    const failure = await startEmbeddedPostgres({ dataDir, port, persistent: false }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(describeError(failure)).toMatch(
      new RegExp(
        `PostgreSQL stopped while starting on ${dataDir} \\(port ${port}, exit 1\\): .*Address already in use`,
      ),
    );
    expect(existsSync(dataDir)).toBe(false);
  } finally {
    await first.stop();
  }
}, 180_000);

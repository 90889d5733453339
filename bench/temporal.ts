/**
 * Benchmark of the embedded Temporal server: N one-activity workflows, then N one-timer
 * workflows, with a worker on the same machine. Prints workflows/s, p50/p95 start-to-close
 * latency (start request to result, seen by the client) and PostgreSQL commits per workflow,
 * WAL bytes per workflow and the share of run-row updates that were HOT (no index writes).
 *
 *   npx tsx bench/temporal.ts --workflows 1000 [--concurrency 100] [--timer-ms 1000] [--settle-ms 11000] [--warm-up N] [--in-process]
 *
 * A freshly started server runs its first thousands of calls partly in V8's unoptimised tiers
 * while V8 compiles the hot code on background threads (perf: ~30 % of the server's CPU during
 * its first 1000 workflows; the same workflows cost about half as much from the third thousand
 * on). So --warm-up N one-activity workflows (default: as many as --workflows; 0 skips them),
 * started exactly as the measured ones, run first and are reported as their own row,
 * "one activity, cold": the figure a just-started server gives. The rows after it are the
 * per-workflow cost of a server that has been running.
 *
 * The client shares the worker's NativeConnection (its gRPC runs in SDK core, off the JS main
 * thread) and starts workflows eagerly: the server hands the first workflow task back in the
 * start response (--no-eager to compare). --workflow-task-slots N sets the worker's concurrent
 * workflow tasks (100; the SDK's default of 40 left the worker waiting at 100 open workflows).
 *
 * Also prints CPU ms per workflow of the server process, PostgreSQL and this process (client +
 * worker), to show where the cost goes. --settle-ms waits before reading pg_stat_database,
 * which idle backends only flush after ~10 s.
 *
 * --pg-socket connects the server to PostgreSQL over its Unix-domain socket (loopback TCP otherwise).
 * --profile-server DIR writes a V8 CPU profile of the server process there (profile this
 * process with `node --cpu-prof --require tsx/cjs bench/temporal.ts ...`).
 *
 * Without TEMPORAL_ADDRESS it starts an embedded PostgreSQL (temporary folder) and the
 * server binary (or, with --in-process, the server inside this process). With
 * TEMPORAL_ADDRESS it measures that server instead (no commit counts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Client as PgClient } from 'pg';
import pino from 'pino';
import { freePort } from '../core/free-port';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import type { RunningPostgres } from '../db/embedded-postgres';
import { startEmbeddedTemporal } from '../embedded-temporal';
import * as activities from './temporal/activities';

interface Options {
  workflows: number;
  concurrency: number;
  timerMs: number;
  inProcess: boolean;
  settleMs: number;
  /** Folder for V8 CPU profiles of the server process (--cpu-prof). */
  profileDir?: string;
  /** Server → PostgreSQL over the Unix-domain socket instead of loopback TCP. */
  pgSocket: boolean;
  /** Eager workflow start: the first workflow task comes back in the start response. */
  eager: boolean;
  /** Workflow tasks each worker runs at once (the SDK's default is 40). */
  workflowTaskSlots: number;
  /** One-activity workflows run (and reported as the cold row) before the measured phases. */
  warmUp: number;
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    workflows: 500,
    concurrency: 100,
    timerMs: 1000,
    inProcess: false,
    settleMs: 11_000,
    pgSocket: false,
    eager: true,
    workflowTaskSlots: 100,
    warmUp: 0,
  };
  let warmUp: number | undefined;
  const number = (flag: string, value: string | undefined, least = 1): number => {
    const n = Number(value);
    if (value === undefined || value === '' || !Number.isInteger(n) || n < least)
      throw new Error(`${flag} needs ${least === 0 ? 'a whole number' : 'a positive integer'}, got "${value ?? ''}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--workflows') options.workflows = number(flag, argv[++i]);
    else if (flag === '--concurrency') options.concurrency = number(flag, argv[++i]);
    else if (flag === '--timer-ms') options.timerMs = number(flag, argv[++i]);
    else if (flag === '--settle-ms') options.settleMs = number(flag, argv[++i]);
    else if (flag === '--in-process') options.inProcess = true;
    else if (flag === '--profile-server') options.profileDir = argv[++i];
    else if (flag === '--pg-socket') options.pgSocket = true;
    else if (flag === '--no-eager') options.eager = false;
    else if (flag === '--workflow-task-slots') options.workflowTaskSlots = number(flag, argv[++i]);
    else if (flag === '--warm-up') warmUp = number(flag, argv[++i], 0);
    else
      throw new Error(
        `unknown argument "${flag}" (expected --workflows N, --concurrency N, --timer-ms N, --settle-ms N, --warm-up N, --in-process, --profile-server DIR, --pg-socket, --no-eager, --workflow-task-slots N)`,
      );
  }
  options.warmUp = warmUp ?? options.workflows;
  return options;
}

/** A server to measure: address, how to read its commit counter, and how to stop it. */
interface Target {
  address: string;
  description: string;
  pgCounters?: () => Promise<PgCounters>;
  /** CPU milliseconds the server process has used so far (when it is our child process). */
  serverCpuMs?: () => number;
  /** CPU milliseconds of the PostgreSQL postmaster and its live backends. */
  postgresCpuMs?: () => number;
  stop(): Promise<void>;
}

/** CPU ms of a process and its direct children (PostgreSQL's postmaster and backends). */
function processTreeCpuMs(rootPid: number): number {
  let total = processCpuMs(rootPid);
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === rootPid) total += processCpuMs(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/** utime + stime of a Linux process, in milliseconds. */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100; // USER_HZ on Linux
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** CPU ms per thread name of this process (main thread, worker threads, the SDK core's Rust threads). */
function cpuByThread(): Map<string, number> {
  const totals = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      // Node 20 leaves worker threads (the SDK's workflow thread), V8 and libuv helper threads named "node" too.
      const comm = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8')
        .trim()
        .replace(/[0-9]+$/, '');
      const name = comm === 'node' ? (Number(tid) === process.pid ? 'node main' : 'node other') : comm;
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      totals.set(name, (totals.get(name) ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / 100);
    } catch {
      // the thread ended meanwhile
    }
  }
  return totals;
}

function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function startTarget(options: Options): Promise<Target> {
  const external = process.env.TEMPORAL_ADDRESS;
  if (external)
    return { address: external, description: `existing server at ${external}`, stop: async () => undefined };

  const dataDir = await mkdtemp(join(tmpdir(), 'chis-bench-pg-'));
  const postgres: RunningPostgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
  const admin = new PgClient({ connectionString: postgres.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE temporal_bench');
  const tcpUrl = new URL(postgres.urlFor('temporal_bench'));
  // PostgreSQL also listens on a Unix-domain socket in /tmp (its compiled-in default).
  const databaseUrl = options.pgSocket
    ? `postgres://${tcpUrl.username}:${tcpUrl.password}@localhost/temporal_bench?host=/tmp&port=${tcpUrl.port}`
    : tcpUrl.toString();
  // pg_stat_database and pg_stat_user_tables are flushed by each backend at most once a second, or when it has idled ~10 s.
  const pgCounters = async (): Promise<PgCounters> => {
    await admin.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await admin.query<{ n: string; wal: string }>(
      `SELECT xact_commit::text AS n, (pg_current_wal_lsn() - '0/0')::text AS wal FROM pg_stat_database WHERE datname = 'temporal_bench'`,
    );
    const tables = new PgClient({ connectionString: postgres.urlFor('temporal_bench') });
    await tables.connect();
    try {
      const t = await tables.query<{ upd: string; hot: string }>(
        `SELECT coalesce(sum(n_tup_upd), 0)::text AS upd, coalesce(sum(n_tup_hot_upd), 0)::text AS hot
         FROM pg_stat_user_tables WHERE schemaname = 'temporal_server' AND relname = 'executions'`,
      );
      return {
        commits: Number(rows[0].n),
        walBytes: Number(rows[0].wal),
        updates: Number(t.rows[0].upd),
        hotUpdates: Number(t.rows[0].hot),
      };
    } finally {
      await tables.end();
    }
  };
  const postmasterPid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const postgresCpuMs = () => processTreeCpuMs(postmasterPid);
  const port = await freePort();
  const cleanup = async () => {
    await admin.end();
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  };

  if (options.inProcess) {
    const server = await startEmbeddedTemporal({ databaseUrl, port, logger: pino({ level: 'warn' }) });
    return {
      address: server.address,
      description: 'embedded server in this process, embedded PostgreSQL',
      pgCounters,
      postgresCpuMs,
      stop: async () => {
        await server.stop();
        await cleanup();
      },
    };
  }

  const bin = resolve(__dirname, '../embedded-temporal/bin/temporal-server');
  const nodeArgs = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...nodeArgs,
      bin,
      'server',
      'start-dev',
      '--port',
      String(port),
      '--database-url',
      databaseUrl,
      '--headless',
      '--log-level',
      'warn',
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const address = `127.0.0.1:${port}`;
  await waitForServer(address, child);
  return {
    address,
    description: 'embedded server binary (own process), embedded PostgreSQL',
    pgCounters,
    postgresCpuMs,
    serverCpuMs: () => processCpuMs(child.pid!),
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      await cleanup();
    },
  };
}

async function waitForServer(address: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.describeNamespace({ namespace: 'default' });
      await connection.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`the server at ${address} did not answer within 60 s`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** PostgreSQL's cumulative counters for the bench database (commits, WAL written, updates of run rows and how many were HOT). */
interface PgCounters {
  commits: number;
  walBytes: number;
  updates: number;
  hotUpdates: number;
}

interface PhaseResult {
  name: string;
  workflows: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  commitsPerWorkflow?: number;
  /** WAL bytes PostgreSQL wrote per workflow. */
  walBytesPerWorkflow?: number;
  /** Share of run-row updates that were HOT (no index entries written). */
  hotUpdateShare?: number;
  /** CPU ms per workflow in the server process and in this process (client + worker). */
  serverCpuMsPerWorkflow?: number;
  benchCpuMsPerWorkflow?: number;
  postgresCpuMsPerWorkflow?: number;
  /** This process's CPU ms per workflow by thread name (where the client + worker cost goes). */
  benchThreads?: Record<string, number>;
}

/** A measured phase: `count` workflows started by `start`. */
interface Phase {
  name: string;
  count: number;
  start: (i: number) => Promise<{ result(): Promise<unknown> }>;
}

/** Runs `count` workflows with at most `concurrency` open at once; measures each start→result. */
async function runPhase(
  name: string,
  count: number,
  concurrency: number,
  start: (i: number) => Promise<{ result(): Promise<unknown> }>,
): Promise<Omit<PhaseResult, 'commitsPerWorkflow' | 'walBytesPerWorkflow' | 'hotUpdateShare'>> {
  const latencies: number[] = [];
  let next = 0;
  const began = performance.now();
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      const handle = await start(i);
      await handle.result();
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  const seconds = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name,
    workflows: count,
    seconds,
    perSecond: count / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const target = await startTarget(options);
  const settle = () => new Promise((r) => setTimeout(r, options.settleMs));
  try {
    const nativeConnection = await NativeConnection.connect({ address: target.address });
    const client = new Client({ connection: nativeConnection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
    const taskQueue = `bench-${Date.now()}`;
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
      taskQueue,
      workflowsPath: require.resolve('./temporal/workflows'),
      activities,
      maxConcurrentWorkflowTaskExecutions: options.workflowTaskSlots,
      maxConcurrentActivityTaskExecutions: 2 * options.workflowTaskSlots,
    });
    const results: PhaseResult[] = [];
    await worker.runUntil(async () => {
      // Warm-up: the first workflows pay for worker thread and connection start-up.
      await runPhase('warm-up', 20, 20, (i) =>
        client.workflow.start('benchOneActivity', { taskQueue, workflowId: `warm-${taskQueue}-${i}`, args: [i] }),
      );
      const oneActivity =
        (prefix: string) =>
        (i: number): Promise<{ result(): Promise<unknown> }> =>
          client.workflow.start('benchOneActivity', {
            taskQueue,
            workflowId: `${prefix}-${taskQueue}-${i}`,
            args: [i],
            requestEagerStart: options.eager,
          });
      const phases: Phase[] = [
        { name: 'one activity', count: options.workflows, start: oneActivity('act') },
        {
          name: `one ${options.timerMs} ms timer`,
          count: options.workflows,
          start: (i) =>
            client.workflow.start('benchTimer', {
              taskQueue,
              workflowId: `timer-${taskQueue}-${i}`,
              args: [options.timerMs],
              requestEagerStart: options.eager,
            }),
        },
      ];
      if (options.warmUp > 0)
        phases.unshift({ name: 'one activity, cold', count: options.warmUp, start: oneActivity('cold') });
      for (const { name, count, start } of phases) {
        if (target.pgCounters) await settle();
        const before = target.pgCounters ? await target.pgCounters() : undefined;
        const serverCpuBefore = target.serverCpuMs?.();
        const postgresCpuBefore = target.postgresCpuMs?.();
        const ownCpuBefore = ownCpuMs();
        const threadsBefore = cpuByThread();
        const result: PhaseResult = await runPhase(name, count, options.concurrency, start);
        result.benchThreads = {};
        for (const [thread, ms] of cpuByThread()) {
          const perWorkflow = (ms - (threadsBefore.get(thread) ?? 0)) / count;
          if (perWorkflow >= 0.05) result.benchThreads[thread] = Number(perWorkflow.toFixed(2));
        }
        result.benchCpuMsPerWorkflow = (ownCpuMs() - ownCpuBefore) / count;
        // Threads that ended meanwhile (e.g. the watchdog thread node:vm starts for every workflow-sandbox call with a timeout).
        const ended = result.benchCpuMsPerWorkflow - Object.values(result.benchThreads).reduce((a, b) => a + b, 0);
        if (ended >= 0.05) result.benchThreads['ended threads'] = Number(ended.toFixed(2));
        if (postgresCpuBefore !== undefined)
          result.postgresCpuMsPerWorkflow = (target.postgresCpuMs!() - postgresCpuBefore) / count;
        if (serverCpuBefore !== undefined)
          result.serverCpuMsPerWorkflow = (target.serverCpuMs!() - serverCpuBefore) / count;
        if (target.pgCounters && before !== undefined) {
          await settle();
          const after = await target.pgCounters();
          result.commitsPerWorkflow = (after.commits - before.commits) / count;
          result.walBytesPerWorkflow = Math.round((after.walBytes - before.walBytes) / count);
          const updates = after.updates - before.updates;
          if (updates > 0)
            result.hotUpdateShare = Number(((after.hotUpdates - before.hotUpdates) / updates).toFixed(2));
        }
        results.push(result);
        process.stderr.write(`${name}: done\n`);
      }
    });
    await nativeConnection.close();

    console.log(
      `\nTemporal benchmark — ${target.description}; worker on this machine; ${options.workflows} workflows per phase${options.warmUp ? ` after ${options.warmUp} on the cold server` : ''}, ${options.concurrency} open at a time`,
    );
    console.log(
      'phase'.padEnd(24) +
        'workflows/s'.padStart(12) +
        'p50 ms'.padStart(10) +
        'p95 ms'.padStart(10) +
        'PG commits/wf'.padStart(15) +
        'server CPU ms/wf'.padStart(18) +
        'PG CPU ms/wf'.padStart(14) +
        'worker+client CPU ms/wf'.padStart(25),
    );
    for (const r of results) {
      console.log(
        r.name.padEnd(24) +
          r.perSecond.toFixed(1).padStart(12) +
          r.p50.toFixed(0).padStart(10) +
          r.p95.toFixed(0).padStart(10) +
          (r.commitsPerWorkflow === undefined ? 'n/a' : r.commitsPerWorkflow.toFixed(1)).padStart(15) +
          (r.serverCpuMsPerWorkflow === undefined ? 'n/a' : r.serverCpuMsPerWorkflow.toFixed(1)).padStart(18) +
          (r.postgresCpuMsPerWorkflow === undefined ? 'n/a' : r.postgresCpuMsPerWorkflow.toFixed(1)).padStart(14) +
          (r.benchCpuMsPerWorkflow ?? 0).toFixed(1).padStart(25),
      );
    }
    for (const r of results)
      console.log(`${r.name}: this process's CPU ms/wf by thread: ${JSON.stringify(r.benchThreads)}`);
    for (const r of results)
      if (r.walBytesPerWorkflow !== undefined)
        console.log(
          `${r.name}: PostgreSQL WAL ${r.walBytesPerWorkflow} bytes/wf, HOT share of run-row updates ${r.hotUpdateShare ?? 'n/a'}`,
        );
    console.log(
      JSON.stringify({
        target: target.description,
        workflows: options.workflows,
        warmUp: options.warmUp,
        concurrency: options.concurrency,
        loadAverage: loadavg(),
        results,
      }),
    );
  } finally {
    await target.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});

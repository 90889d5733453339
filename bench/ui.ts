/**
 * The web UI at scale: how long from navigation until "My work" is usable (its first rows
 * drawn) with BENCH_OPEN = 100,000 open tasks (of BENCH_TASKS = 300,000), in Debian's Chromium,
 * and how much JavaScript the first page loads.
 *
 *   npx tsx bench/ui.ts                  # BENCH_LOADS=20 loads per case; BENCH_OPEN, BENCH_TASKS, BENCH_CHILDREN
 *
 * The server is the real API app serving the built UI (ui/dist) on a throwaway embedded
 * PostgreSQL. Each load opens the page in a new browser tab and reads the time from navigation
 * start (performance.timeOrigin) to the moment the first queue row is in the page. "Cold" loads
 * use a new browser profile each time (nothing cached); "warm" ones reuse one (hashed scripts
 * and styles cached, as for someone working through the day).
 */
import { gzipSync } from 'node:zlib';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { freePort } from '../core/free-port';
import { connect } from '../db/database';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import { migrate } from '../db/migrations/run';
import { type Db } from '../records/sql';
import { ensureUiBuilt, UI_DIST } from '../system/ui-build';
import { benchWorkerAndApp, seedTaskFixture } from './task-fixture';

const TOTAL = Number(process.env.BENCH_TASKS ?? 300_000);
const OPEN = Number(process.env.BENCH_OPEN ?? 100_000);
const CHILDREN = Number(process.env.BENCH_CHILDREN ?? 100_000);
const LOADS = Number(process.env.BENCH_LOADS ?? 20);
const CHROMIUM = process.env.CHIS_CHROMIUM ?? '/usr/bin/chromium';
const PASSWORD = 'bench-password';

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

function listen(handler: Parameters<typeof createServer>[1], port: number): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer(handler);
    server.keepAliveTimeout = 60_000;
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** A browser profile signed in as the bench worker (the session cookie set through the API). */
async function signedInContext(browser: Browser, base: string, preloads: boolean): Promise<BrowserContext> {
  const context = await browser.newContext({
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    viewport: { width: 1280, height: 900 },
  });
  await context.route(/^(?!http:\/\/127\.0\.0\.1:\d+\/).*/, (route) => route.abort()); // the NHS font CDN: offline here
  const res = await context.request.post(`${base}/api/auth/login`, {
    data: { username: 'bench.worker.0', password: PASSWORD },
  });
  if (!res.ok()) throw new Error(`sign-in: ${res.status()}`);
  // Both variants pass the page through the same interception, so they pay the same for it.
  await context.route(/\/my-work/, async (route) => {
    const page = await route.fetch();
    const html = await page.text();
    await route.fulfill({
      response: page,
      body: preloads ? html : html.replace(/<link rel="preload" as="fetch"[^>]*>/g, ''),
    });
  });
  // The moment the first row is drawn, taken in the page (the driver's polling would add its own delay).
  await context.addInitScript({
    content: `new MutationObserver((_, seen) => {
      if (!document.querySelector('[data-testid="queue-table"] tbody tr')) return;
      window.firstRowAt = performance.now();
      seen.disconnect();
    }).observe(document, { childList: true, subtree: true });`,
  });
  return context;
}

interface Fetched {
  /** Path with the build hash taken out, so loads can be compared. */
  path: string;
  start: number;
  end: number;
}

/** Milliseconds from navigation start to the first row of the queue table, the scripts fetched, and when each request ran. */
async function load(
  context: BrowserContext,
  url: string,
): Promise<{ ms: number; scripts: Map<string, Buffer>; fetched: Fetched[] }> {
  const page = await context.newPage();
  const scripts = new Map<string, Buffer>();
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script' && response.status() === 200) {
      void response.body().then(
        (body) => scripts.set(response.url(), body),
        () => undefined,
      );
    }
  });
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector('[data-testid="queue-table"] tbody tr', { timeout: 60_000 });
  const { ms, fetched } = await page.evaluate(() => {
    const now = (globalThis as unknown as { firstRowAt: number }).firstRowAt;
    // The browser's timing entries (this runs in the page; the project's types are Node's).
    type Entry = { name: string; startTime: number; responseEnd: number };
    const timing = performance as unknown as { getEntriesByType(type: string): Entry[] };
    const entries = [...timing.getEntriesByType('navigation'), ...timing.getEntriesByType('resource')];
    return {
      ms: now,
      fetched: entries
        .filter((e) => e.startTime <= now)
        .map((e) => ({
          path: new URL(e.name).pathname.replace(/-[A-Za-z0-9_-]{8}\.(js|css)$/, '.$1'),
          start: e.startTime,
          end: e.responseEnd,
        })),
    };
  });
  await page.waitForLoadState('networkidle');
  await page.close();
  return { ms, scripts, fetched };
}

/** The median start and end of each request before the first row, over loads: where the time goes. */
function waterfall(loads: Fetched[][]): string[] {
  const byPath = new Map<string, { starts: number[]; ends: number[] }>();
  for (const fetched of loads)
    for (const f of fetched) {
      const seen = byPath.get(f.path) ?? { starts: [], ends: [] };
      seen.starts.push(f.start);
      seen.ends.push(f.end);
      byPath.set(f.path, seen);
    }
  const median = (xs: number[]) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      50,
    );
  return [...byPath]
    .map(([path, { starts, ends }]) => ({ path, start: median(starts), end: median(ends), n: starts.length }))
    .sort((a, b) => a.start - b.start)
    .map(
      (r) =>
        `  ${r.path.padEnd(40)} ${r.start.toFixed(0).padStart(6)} → ${r.end.toFixed(0).padStart(6)} ms  (${r.n} of ${loads.length} loads)`,
    );
}

function summary(label: string, times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  return `${label.padEnd(44)} ${percentile(sorted, 50).toFixed(0).padStart(6)} ${percentile(sorted, 95).toFixed(0).padStart(6)} ${sorted[sorted.length - 1].toFixed(0).padStart(6)}`;
}

async function main(): Promise<void> {
  const built = await ensureUiBuilt((line) => console.log(`  ${line}`));
  console.log(built ? 'Built the web UI' : 'The web UI build is current');
  const dataDir = await mkdtemp(join(tmpdir(), 'chis-bench-ui-'));
  const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
  const admin = new Client({ connectionString: pg.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  const database = connect(pg.urlFor('bench'), { poolMax: 10 });
  let server: Server | undefined;
  let browser: Browser | undefined;
  try {
    const db: Db = { sequelize: database.sequelize };
    await migrate(database.sequelize);
    console.log(`Seeding ${TOTAL} tasks, ${OPEN} open or claimed, ${CHILDREN} children`);
    await seedTaskFixture(db, { total: TOTAL, open: OPEN, children: CHILDREN });
    const { app } = await benchWorkerAndApp(db, PASSWORD, { ui: { distDir: UI_DIST } });
    const port = await freePort();
    server = await listen(app, port);
    const base = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
    });

    // The page's first API reads are preloaded from index.html (api/ui/first-reads.ts); the
    // case without them shows what that saves, measured in the same run.
    const cases = [
      ['My work, Mine (the default tab)', `${base}/my-work`, true],
      ["My work, Unclaimed (the team's queue)", `${base}/my-work?queue=unclaimed`, true],
      ['My work, Mine, without the preloads', `${base}/my-work`, false],
    ] as const;
    const results: Array<[string, number[]]> = [];
    const waterfalls: Array<[string, Fetched[][]]> = [];
    let firstPageScripts = new Map<string, Buffer>();
    for (const [label, url, preloads] of cases) {
      // Warm-up: the database's caches and the server's code paths, not measured.
      const warmContext = await signedInContext(browser, base, preloads);
      for (let i = 0; i < 3; i++) await load(warmContext, url);
      const cold: number[] = [];
      const coldFetched: Fetched[][] = [];
      const warmFetched: Fetched[][] = [];
      for (let i = 0; i < LOADS; i++) {
        const context = await signedInContext(browser, base, preloads);
        const measured = await load(context, url);
        cold.push(measured.ms);
        coldFetched.push(measured.fetched);
        if (i === 0 && firstPageScripts.size === 0) firstPageScripts = measured.scripts;
        await context.close();
      }
      const warm: number[] = [];
      for (let i = 0; i < LOADS; i++) {
        const measured = await load(warmContext, url);
        warm.push(measured.ms);
        warmFetched.push(measured.fetched);
      }
      await warmContext.close();
      results.push([`${label}, cold`, cold], [`${label}, warm`, warm]);
      waterfalls.push([`${label}, cold`, coldFetched], [`${label}, warm`, warmFetched]);
    }

    console.log(
      `\nMachine load average (1/5/15 min): ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')} on ${cpus().length} CPUs`,
    );
    console.log(`\nNavigation to usable "My work" (first row drawn), ${LOADS} loads each (ms):`);
    console.log(`${'case'.padEnd(44)} ${'p50'.padStart(6)} ${'p95'.padStart(6)} ${'max'.padStart(6)}`);
    for (const [label, times] of results) console.log(summary(label, times));

    console.log('\nWhere the time goes: median start → end of each request before the first row (ms from navigation):');
    for (const [label, loads] of waterfalls) console.log(`${label}\n${waterfall(loads).join('\n')}`);

    let raw = 0;
    let gzipped = 0;
    console.log('\nJavaScript the first page (My work) loads:');
    for (const [url, body] of firstPageScripts) {
      const gz = gzipSync(body, { level: 9 }).length;
      raw += body.length;
      gzipped += gz;
      console.log(
        `  ${new URL(url).pathname.padEnd(44)} ${(body.length / 1024).toFixed(1).padStart(7)} KB  ${(gz / 1024).toFixed(1).padStart(6)} KB gzipped`,
      );
    }
    console.log(
      `  ${'total'.padEnd(44)} ${(raw / 1024).toFixed(1).padStart(7)} KB  ${(gzipped / 1024).toFixed(1).padStart(6)} KB gzipped (target 250 KB)`,
    );
  } finally {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await database.close();
    await pg.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});

import { SingleBar } from 'cli-progress';
import { ConfigError, loadConfig } from '../core/config';
import { describeError } from '../core/describe-error';
import { createLogger } from '../core/logger';
import { connect, migrateAndGrant, startPostgresFor } from '../db/database';
import { seedRegion, type SeedSummary } from '../db/seed';
import { ArgumentError, SEED_USAGE, parseSeedArguments, type SeedArguments } from '../db/seed/arguments';

/**
 * `npm run seed -- --children N`: adds a synthetic region to the configured database (the
 * embedded PostgreSQL unless DATABASE_URL is set), then prints a summary and the demo logins.
 * Ctrl-C stops after the batch in progress; what was committed stays (continue with --append).
 */

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i])).join('  ')}`.trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function report(summary: SeedSummary): string {
  const seconds = summary.durationMs / 1000;
  return [
    '',
    summary.stopped
      ? 'Seeding STOPPED early; the batches below were committed (continue with --append).'
      : 'Seeding finished.',
    `  seed ${summary.seed}, reference date ${summary.referenceDate}${summary.appended ? ', appended to existing children' : ''}, ${seconds.toFixed(1)} s` +
      (summary.rows.children > 0 ? ` (${Math.round(summary.rows.children / seconds)} children/s)` : ''),
    summary.nhsNumbers.first
      ? `  NHS numbers ${summary.nhsNumbers.first} to ${summary.nhsNumbers.last} (synthetic range${summary.nhsNumbers.ranges.length > 1 ? 's' : ''} ${summary.nhsNumbers.ranges.join(', ')})`
      : '  no children added',
    '',
    'Rows added:',
    table(
      ['table', 'rows'],
      Object.entries(summary.rows).map(([t, n]) => [t, String(n)]),
    ),
    '',
    'Children added per locality:',
    table(
      ['locality', 'children'],
      Object.entries(summary.childrenByLocality).map(([l, n]) => [l, String(n)]),
    ),
    '',
    'Demo logins (development only):',
    table(
      ['username', 'role', 'locality', 'password'],
      summary.logins.map((l) => [l.username, l.role, l.locality, l.password]),
    ),
    '',
  ].join('\n');
}

/** Set by Ctrl-C: an error after it is the interruption, not a failure. */
let interrupted = false;

async function run(args: SeedArguments): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // Beside a running system (npm start), seeding goes into its embedded PostgreSQL.
  const postgres = await startPostgresFor(config, logger, { shareRunning: true });
  const db = connect(postgres.url, { logger });
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130);
    interrupted = true;
    process.stderr.write('\nStopping after the batch in progress (Ctrl-C again to quit at once)...\n');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const bar = new SingleBar({
    format:
      'seeding |{bar}| {percentage}% | {value}/{total} children | {duration_formatted} elapsed, {eta_formatted} left',
    hideCursor: true,
  });
  try {
    await migrateAndGrant(postgres, (m) => logger.info(m));
    let lastReported = 0;
    if (process.stderr.isTTY) bar.start(args.children, 0);
    const summary = await seedRegion(db.sequelize, {
      children: args.children,
      seed: args.seed,
      batchSize: args.batchSize,
      concurrency: args.concurrency,
      referenceDate: args.referenceDate,
      append: args.append,
      signal: abort.signal,
      onProgress: (done) => {
        if (process.stderr.isTTY) bar.update(done);
        else if (Math.floor((done * 10) / args.children) > Math.floor((lastReported * 10) / args.children)) {
          // No terminal (CI, a log file): a plain line every 10% instead of the bar.
          process.stderr.write(`seeded ${done} of ${args.children} children\n`);
        }
        lastReported = done;
      },
    });
    bar.stop();
    process.stdout.write(report(summary));
    return summary.stopped ? 130 : 0;
  } finally {
    bar.stop();
    await db.close();
    await postgres.embedded?.stop();
  }
}

async function main(): Promise<void> {
  let args: SeedArguments;
  try {
    args = parseSeedArguments(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ArgumentError)) throw error;
    process.stderr.write(`${error.message}\n\n${SEED_USAGE}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${SEED_USAGE}\n`);
    return;
  }
  process.exitCode = await run(args);
}

main().catch((error: unknown) => {
  if (interrupted) {
    process.stderr.write(
      '\nSeeding interrupted: whole batches committed before Ctrl-C are kept; continue with --append.\n',
    );
    process.exit(130);
  }
  process.stderr.write(`seed failed: ${describeError(error)}\n`);
  // The stack only for what is not already a message for people (a bug, not bad input or a busy folder).
  if (
    error instanceof Error &&
    !(error instanceof ConfigError) &&
    !['SeedError', 'DataDirectoryInUseError'].includes(error.name) &&
    error.stack
  )
    process.stderr.write(`${error.stack}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});

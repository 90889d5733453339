import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../core/config';
import { describeError } from '../core/describe-error';
import { createLogger } from '../core/logger';
import { DEMO_PASSWORD, startSystem, type RunningSystem } from '../system/start-system';
import { ensureUiBuilt, UI_DIST } from '../system/ui-build';
import { RUNNING_BUILT } from '../core/project-root';
import { freePort } from '../core/free-port';
import { sdkLogger } from '../workers/sdk-logger';

/**
 * `npm start`: the whole system on one machine; with CHIS_ROLE=api|worker|relay (or a
 * comma-separated list) only those parts, against a shared PostgreSQL and Temporal. Ctrl-C or SIGTERM stops it in order (the
 * reverse of start-up: API, relays, worker, Temporal, database pool, PostgreSQL last); another
 * signal a few seconds later exits at once. PostgreSQL runs in its own session under a watchdog, so a terminal's
 * Ctrl-C reaches only this process, and the server stops with it even on SIGKILL.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every setting.\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  // Our own Ctrl-C handler stops things in order; the SDK's default handler would shut the
  // worker down behind its back.
  // With metrics, a worker's SDK exports its own (task latencies, slots, polls) on a loopback
  // port that only our /metrics reads.
  const temporalSdkMetricsUrl =
    config.metrics && config.roles.includes('worker') ? `http://127.0.0.1:${await freePort()}/metrics` : undefined;
  Runtime.install({
    shutdownSignals: [],
    // Activity and workflow lines (with their request id) through our logger; the SDK's own from WARN up.
    logger: sdkLogger(logger.child({ component: 'temporal' })),
    ...(temporalSdkMetricsUrl
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: new URL(temporalSdkMetricsUrl).host } } } }
      : {}),
  });
  // Filled in once start-up has finished; a signal before then interrupts start-up.
  const running: { system?: RunningSystem } = {};
  let stoppingSince: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const system = running.system;
    // `npm start` forwards the terminal's Ctrl-C, which reached us too: one press, two signals.
    if (stoppingSince !== undefined && Date.now() - stoppingSince < 2000) return;
    if (stoppingSince !== undefined || !system) {
      // During start-up, or a second signal while stopping: leave now. What runs in this
      // process ends with it; PostgreSQL's watchdog still shuts the server down cleanly.
      process.stderr.write(`\n${signal}: ${system ? 'stopping at once' : 'start-up interrupted'}\n`);
      process.exit(130);
    }
    stoppingSince = Date.now();
    logger.info({ signal }, 'stopping');
    void system
      .stop()
      .then(() => logger.info('stopped'))
      .catch((error: unknown) => logger.error({ err: describeError(error) }, 'stop failed'))
      .finally(() => logger.flush(() => process.exit(0)));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The web UI is built here when ui/ changed since the last build (a fresh clone: always); ~2 s.
  // The compiled start (`npm run build`, the image) serves what the build made and never rebuilds.
  if (config.roles.includes('api') && RUNNING_BUILT && !existsSync(join(UI_DIST, 'index.html')))
    logger.warn('ui/dist has no build: the API runs, the UI pages say it is not built (npm run build makes it)');
  if (config.roles.includes('api') && !RUNNING_BUILT)
    await ensureUiBuilt((line) => logger.info(line)).catch((error: unknown) =>
      logger.error({ err: error }, 'the web UI could not be built: the API runs, the UI pages say it is not built'),
    );
  const system = await startSystem(config, logger, temporalSdkMetricsUrl ? { temporalSdkMetricsUrl } : {});
  running.system = system;
  const roles = system.roles.length === 3 ? '' : ` (${system.roles.join(', ')})`;
  process.stdout.write(
    [
      '',
      `CHIS Flow is running${roles}.`,
      ...(system.webUrl ? [`  Web UI:   ${system.webUrl}`] : []),
      ...(system.apiUrl
        ? [`  API:      ${system.apiUrl}   (health: ${system.healthUrl})`]
        : [`  Health:   ${system.healthUrl}/live, ${system.healthUrl}/ready`]),
      `  Temporal: ${system.temporalAddress}`,
      ...(system.metricsUrl ? [`  Metrics:  ${system.metricsUrl}`] : []),
      ...(system.embeddedSmtpPort !== undefined
        ? [
            `  Mail:     embedded SMTP server on port ${system.embeddedSmtpPort} (GP emails land in the mailbox: GET /api/mailbox)`,
          ]
        : []),
      ...(system.demoLogins.length > 0
        ? [
            `  Demo logins (password "${DEMO_PASSWORD}"):`,
            ...system.demoLogins
              .filter((l) =>
                [
                  'manager',
                  'admin',
                  'feed',
                  'cw.birmingham.hv',
                  'cw.birmingham.records',
                  'sl.birmingham',
                  'sl.coventry',
                ].includes(l.username),
              )
              .map((l) => `    ${l.username.padEnd(24)} ${l.role} (${l.locality})`),
            `    … and ${system.demoLogins.length - 7} more: every locality has cw.<locality>.<team> and sl.<locality>`,
          ]
        : []),
      '  Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`CHIS Flow could not start: ${describeError(error)}\n`);
  if (error instanceof Error && error.name !== 'DataDirectoryInUseError' && error.stack)
    process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});

import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../core/config';
import { createLogger } from '../core/logger';
import { DEMO_PASSWORD, startSystem } from '../system/start-system';
import { ensureUiBuilt } from '../system/ui-build';

/** `npm start`: the whole system on one machine, stopped cleanly by Ctrl-C. */
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
  // Our own Ctrl-C handler stops things in order (API, worker, Temporal, PostgreSQL); the SDK's
  // default handler would shut the worker down behind its back.
  Runtime.install({ shutdownSignals: [], logger: new DefaultLogger('WARN') });
  // The web UI is built here when ui/ changed since the last build (a fresh clone: always); ~2 s.
  await ensureUiBuilt((line) => logger.info(line)).catch((error: unknown) =>
    logger.error({ err: error }, 'the web UI could not be built: the API runs, the UI pages say it is not built'),
  );
  const system = await startSystem(config, logger);
  process.stdout.write(
    [
      '',
      'CHIS Flow is running.',
      `  Web UI:   ${system.webUrl}`,
      `  API:      ${system.apiUrl}   (health: ${system.apiUrl}/health)`,
      `  Temporal: ${system.temporalAddress}`,
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
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await system.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`CHIS Flow could not start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

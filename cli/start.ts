import { ConfigError, loadConfig } from '../core/config';
import { createLogger } from '../core/logger';
import { startSystem } from '../system/start-system';

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
  const system = await startSystem(config, logger);
  process.stdout.write(
    [
      '',
      'CHIS Flow is running.',
      `  API:      ${system.apiUrl}   (health: ${system.apiUrl}/health)`,
      `  Temporal: ${system.temporalAddress}`,
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

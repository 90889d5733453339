import type { Sequelize } from 'sequelize';
import type { Config } from '../core/config';
import type { Logger } from '../core/logger';
import { FhirPdsClient, startPdsSimulator, type PdsClient } from '../pds';

/** The demographics service for a running system: CHIS_PDS_URL, or the embedded simulator (answering from the children table). */
export async function startPdsFor(
  config: Pick<Config, 'host' | 'pds'>,
  sequelize: Sequelize,
  logger: Logger,
): Promise<{ client: PdsClient; url: string; stop?: () => Promise<void> }> {
  if ('url' in config.pds) {
    logger.info({ url: config.pds.url }, 'PDS lookups go to the configured FHIR endpoint');
    return { client: new FhirPdsClient(config.pds.url), url: config.pds.url };
  }
  const simulator = await startPdsSimulator({ host: config.host, port: config.pds.embedded.port, sequelize });
  logger.info({ url: simulator.url }, 'embedded PDS simulator listening (answers from the children table)');
  return { client: new FhirPdsClient(simulator.url), url: simulator.url, stop: () => simulator.stop() };
}

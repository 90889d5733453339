import type { RunningPostgres } from '../../db/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const postgres = (globalThis as { __chisTestPostgres?: RunningPostgres }).__chisTestPostgres;
  await postgres?.stop();
}

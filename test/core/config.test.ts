import { ConfigError, loadConfig } from '../../core/config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env, '/srv/chis');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration', () => {
  test('no settings → everything embedded, on documented defaults', () => {
    const config = loadConfig({}, '/srv/chis');
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe('/srv/chis/data');
    expect(config.database).toEqual({ embedded: { port: 54329, dataDir: '/srv/chis/data/postgres' } });
    expect(config.temporal).toEqual({ namespace: 'default', taskQueue: 'chis-flow', embedded: { port: 7233 } });
    expect(config.smtp).toEqual({ embedded: true });
  });

  test('DATABASE_URL and TEMPORAL_ADDRESS point at real servers', () => {
    const config = loadConfig(
      { DATABASE_URL: 'postgres://u:p@db:5432/chis', TEMPORAL_ADDRESS: 'temporal:7233' },
      '/srv/chis',
    );
    expect(config.database).toEqual({ url: 'postgres://u:p@db:5432/chis' });
    expect(config.temporal).toMatchObject({ address: 'temporal:7233' });
  });

  test('a wrong value names the variable and what was expected', () => {
    expect(problemsOf({ CHIS_PORT: 'eighty' })).toEqual([
      expect.stringMatching(/^CHIS_PORT: expected a TCP port number/),
    ]);
    expect(problemsOf({ CHIS_PORT: '70000' })).toEqual([
      expect.stringMatching(/^CHIS_PORT: expected a port from 1 to 65535, got "70000"/),
    ]);
    expect(problemsOf({ TEMPORAL_ADDRESS: 'nohostport' })).toEqual([
      expect.stringMatching(/^CHIS_TEMPORAL_ADDRESS \(from TEMPORAL_ADDRESS\): expected host:port/),
    ]);
    expect(problemsOf({ DATABASE_URL: 'mysql://x' })).toEqual([
      expect.stringMatching(/CHIS_DATABASE_URL .*expected a postgres:\/\//),
    ]);
  });

  test('every bad variable is reported at once', () => {
    expect(problemsOf({ CHIS_PORT: '0', CHIS_LOG_LEVEL: 'loud' })).toHaveLength(2);
  });

  test('an alias that disagrees with the prefixed name is refused', () => {
    expect(problemsOf({ DATABASE_URL: 'postgres://a/x', CHIS_DATABASE_URL: 'postgres://b/y' })).toEqual([
      'CHIS_DATABASE_URL and DATABASE_URL are both set, to different values: set only one',
    ]);
  });
});

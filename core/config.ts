import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * The one configuration loader. Every setting is a CHIS_* environment variable; the three
 * conventional connection names DATABASE_URL, TEMPORAL_ADDRESS and SMTP_URL are accepted as
 * aliases because hosting platforms and docker-compose set them.
 */

/** `30d` / `12h` as seconds. */
function retentionSeconds(value: string): number {
  return Number(value.slice(0, -1)) * (value.endsWith('d') ? 86_400 : 3600);
}

const ALIASES: Record<string, string> = {
  CHIS_DATABASE_URL: 'DATABASE_URL',
  CHIS_TEMPORAL_ADDRESS: 'TEMPORAL_ADDRESS',
  CHIS_SMTP_URL: 'SMTP_URL',
};

const port = (fallback: number) =>
  z.coerce
    .number({ error: 'expected a TCP port number' })
    .int('expected a whole number')
    .min(1, 'expected a port from 1 to 65535')
    .max(65535, 'expected a port from 1 to 65535')
    .default(fallback);

const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\/.+/.test(v), 'expected a postgres:// or postgresql:// URL');

/** What one process runs: the HTTP API, the engine worker, the background relays (README: Process roles). */
/** The wait for task listeners when CHIS_TASK_LISTENER_WAIT_SECONDS is unset (what Camunda's clients expect). */
export const TASK_LISTENER_WAIT_SECONDS_DEFAULT = 30;

export const PROCESS_ROLES = ['api', 'worker', 'relay'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

/** CHIS_ROLE: `all`, or a comma-separated list of roles; null when it names something else. */
export function parseRoles(text: string): ProcessRole[] | null {
  const v = text.trim();
  if (v === 'all') return [...PROCESS_ROLES];
  const names = v.split(',').map((n) => n.trim());
  if (names.length === 0 || !names.every((n): n is ProcessRole => (PROCESS_ROLES as readonly string[]).includes(n)))
    return null;
  return PROCESS_ROLES.filter((r) => names.includes(r));
}

const schema = z.object({
  CHIS_ROLE: z
    .string()
    .refine((v) => parseRoles(v) !== null, 'expected all, or one or more of api, worker, relay separated by commas')
    .default('all'),
  CHIS_HOST: z.string().min(1).default('127.0.0.1'),
  CHIS_PORT: port(3000),
  CHIS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CHIS_DATA_DIR: z.string().min(1).default('data'),
  CHIS_DATABASE_URL: postgresUrl.optional(),
  // The owner role's URL for migrations; the application then connects as DATABASE_URL's role (README: Database roles).
  CHIS_MIGRATION_DATABASE_URL: postgresUrl.optional(),
  CHIS_EMBEDDED_POSTGRES_PORT: port(54329),
  CHIS_TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, for example temporal.internal:7233')
    .optional(),
  CHIS_EMBEDDED_TEMPORAL_PORT: port(7233),
  CHIS_TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  CHIS_TASK_QUEUE: z.string().min(1).default('chis-flow'),
  // How long the embedded Temporal server keeps a closed workflow history (it holds NHS numbers):
  // whole days or hours, e.g. 30d or 12h (compose's Temporal cluster: TEMPORAL_RETENTION).
  CHIS_TEMPORAL_RETENTION: z
    .string()
    .trim()
    .regex(/^[1-9]\d{0,4}[dh]$/, 'expected a number of days or hours, e.g. 30d or 12h')
    .refine((v) => retentionSeconds(v) <= 3650 * 86_400, 'expected at most 3650 days')
    .default('1d'),
  // How long a request that waits for task listeners (a completion, an assignment, an update or a
  // cancellation, Camunda 8.8) waits before answering 504 while the change stays asked for.
  CHIS_TASK_LISTENER_WAIT_SECONDS: z.coerce
    .number({ error: 'expected a number of seconds, e.g. 30' })
    .int('expected a whole number of seconds')
    .min(1, 'expected 1 to 600 seconds')
    .max(600, 'expected 1 to 600 seconds')
    .default(TASK_LISTENER_WAIT_SECONDS_DEFAULT),
  CHIS_SMTP_URL: z
    .string()
    .refine((v) => /^smtps?:\/\/.+/.test(v), 'expected an smtp:// or smtps:// URL')
    .optional(),
  // 0: any free port (tests); the fixed default lets a mail client be pointed at it.
  CHIS_EMBEDDED_SMTP_PORT: z.coerce
    .number({ error: 'expected a TCP port number (0: any free port)' })
    .int('expected a whole number')
    .min(0)
    .max(65535, 'expected a port from 0 to 65535')
    .default(2525),
  CHIS_MAIL_FROM: z
    .string()
    .regex(
      /^([^<>]*<[^@\s<>]+@[^@\s<>]+>|[^@\s<>]+@[^@\s<>]+)$/,
      'expected an address such as "West Midlands CHIS <chis@example.nhs.uk>"',
    )
    .default('West Midlands CHIS <chis-flow@chis-flow.local>'),
  // FHIR base URL of the demographics service (PDS); unset: the embedded simulator.
  CHIS_PDS_URL: z
    .url({ error: 'expected the FHIR base URL of the demographics service, e.g. https://pds.example.nhs.uk/FHIR/R4' })
    .optional(),
  // 0: any free port (only the worker calls it; the URL is logged at start-up).
  CHIS_EMBEDDED_PDS_PORT: z.coerce
    .number({ error: 'expected a TCP port number' })
    .int('expected a whole number')
    .min(0, 'expected a port from 0 to 65535')
    .max(65535, 'expected a port from 0 to 65535')
    .default(0),
  CHIS_DEMO_CHILDREN: z.coerce
    .number({ error: 'expected a number of children' })
    .int()
    .min(0)
    .max(2_000_000)
    .default(2000),
  CHIS_SESSION_IDLE_MINUTES: z.coerce
    .number({ error: 'expected a number of minutes' })
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  CHIS_SESSION_MAX_HOURS: z.coerce.number({ error: 'expected a number of hours' }).int().min(1).max(24).default(12),
  CHIS_COOKIE_SECURE: z.enum(['auto', 'true', 'false'], { error: 'expected auto, true or false' }).default('auto'),
  CHIS_LOGIN_MAX_FAILURES: z.coerce.number({ error: 'expected a number' }).int().min(1).max(100).default(5),
  CHIS_LOGIN_WINDOW_MINUTES: z.coerce
    .number({ error: 'expected a number of minutes' })
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  // Proxies in front of the API whose X-Forwarded-For is believed: none unless set.
  CHIS_TRUST_PROXY: z
    .string()
    .trim()
    .refine(
      (v) => parseTrustProxy(v) !== null,
      'expected none, a number of proxy hops (1-10), or a comma-separated list of proxy addresses or CIDR ranges (e.g. 10.0.0.0/8, 192.0.2.7)',
    )
    .optional(),
  // Prometheus /metrics on a listener of its own; unset: none. 0: any free port (tests).
  CHIS_METRICS_PORT: z.coerce
    .number({ error: 'expected a TCP port number (0: any free port)' })
    .int('expected a whole number')
    .min(0, 'expected a port from 0 to 65535')
    .max(65535, 'expected a port from 0 to 65535')
    .optional(),
  CHIS_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  // How often /metrics reads the task queue and SLA figures from the database (not per scrape).
  CHIS_METRICS_REFRESH_SECONDS: z.coerce
    .number({ error: 'expected a number of seconds' })
    .int('expected a whole number of seconds')
    .min(1, 'expected 1 to 3600 seconds')
    .max(3600, 'expected 1 to 3600 seconds')
    .default(30),
  CHIS_METRICS_TOKEN: z
    .string()
    .min(16, 'expected a token of at least 16 characters')
    .regex(/^\S+$/, 'expected a token without spaces')
    .optional(),
  // OpenTelemetry tracing (the standard variables): on when an OTLP endpoint is given, else off.
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url({ protocol: /^https?$/, error: 'expected the OTLP/HTTP collector URL, e.g. http://collector:4318' })
    .optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z
    .url({ protocol: /^https?$/, error: 'expected the OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces' })
    .optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('chis-flow'),
  OTEL_SDK_DISABLED: z.enum(['true', 'false'], { error: 'expected true or false' }).default('false'),
  CHIS_OIDC_ISSUER: z.url({ error: 'expected the issuer URL' }).optional(),
  CHIS_OIDC_CLIENT_ID: z.string().min(1).optional(),
  CHIS_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  CHIS_OIDC_REDIRECT_URI: z.url({ error: 'expected the callback URL registered with the provider' }).optional(),
});

const OIDC_VARIABLES = [
  'CHIS_OIDC_ISSUER',
  'CHIS_OIDC_CLIENT_ID',
  'CHIS_OIDC_CLIENT_SECRET',
  'CHIS_OIDC_REDIRECT_URI',
] as const;

/** Sign-in settings for the case-work API. */
export interface AuthConfig {
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  /** 'auto': the cookie is Secure when the request arrived over TLS (directly or via a trusted proxy). */
  cookieSecure: 'auto' | boolean;
  loginMaxFailures: number;
  loginWindowMinutes: number;
  /** OpenID Connect (NHS CIS2 style) authorization-code sign-in; absent when not configured. */
  oidc?: { issuer: string; clientId: string; clientSecret: string; redirectUri: string };
}

export type RawConfig = z.infer<typeof schema>;

export type TrustProxy = false | number | string[];

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** CHIS_TRUST_PROXY as express takes it; null when the text is none of the accepted forms. */
export function parseTrustProxy(text: string): TrustProxy | null {
  const v = text.trim();
  if (v === '' || v === 'none' || v === 'false') return false;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return hops >= 1 && hops <= 10 ? hops : null;
  }
  const entries = v.split(',').map((e) => e.trim());
  const valid = entries.every((e) => {
    if (PROXY_NAMES.has(e)) return true;
    const [address, prefix, ...rest] = e.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return false;
    if (prefix === undefined) return true;
    return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
  });
  return valid && entries.length > 0 ? entries : null;
}

export interface Config {
  /** What this process runs (CHIS_ROLE); all three unless told otherwise. */
  roles: ProcessRole[];
  host: string;
  port: number;
  logLevel: RawConfig['CHIS_LOG_LEVEL'];
  /** Absolute folder for embedded PostgreSQL data and other local state. */
  dataDir: string;
  /**
   * External: the application's URL, and the owner role's URL for migrations when given (else
   * migrations run as the application's role, which then owns the audit table). Embedded: both
   * roles are created on the embedded server.
   */
  database: { url: string; migrationUrl?: string } | { embedded: { port: number; dataDir: string } };
  /** Express `trust proxy`: false (none, the default), a number of hops, or proxy addresses/CIDR ranges. */
  trustProxy: TrustProxy;
  temporal: { namespace: string; taskQueue: string } & (
    { address: string } | { embedded: { port: number; retentionSeconds: number } }
  );
  /** How long a request waits for task listeners before answering 504 (CHIS_TASK_LISTENER_WAIT_SECONDS). */
  taskListenerWaitMs: number;
  smtp: { url: string } | { embedded: true };
  /** Sender address, and the port of the embedded SMTP server (used when smtp is embedded). */
  mail: { from: string; embeddedSmtpPort: number };
  /** The demographics service: a FHIR endpoint, or the embedded simulator on a local port. */
  pds: { url: string } | { embedded: { port: number } };
  /** Size of the synthetic region seeded into an empty database on first start. */
  demoChildren: number;
  /** Prometheus /metrics on its own listener (absent: none); with a token, only for `Authorization: Bearer <token>`. */
  metrics?: { host: string; port: number; token?: string; refreshMs: number };
  /** OpenTelemetry traces to an OTLP/HTTP collector (absent: off, the default); the exporter reads the OTEL_* variables. */
  tracing?: { serviceName: string };
  auth: AuthConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Settings that carry secrets may instead name a file holding the value (`<NAME>_FILE`, as
 * Docker and Kubernetes secrets are mounted), so no password sits in the environment. The
 * database passwords can also come on their own (CHIS_DATABASE_PASSWORD[_FILE]), going into a
 * URL written without one.
 */
const SECRET_VARIABLES = [
  'CHIS_DATABASE_URL',
  'DATABASE_URL',
  'CHIS_MIGRATION_DATABASE_URL',
  'CHIS_SMTP_URL',
  'SMTP_URL',
  'CHIS_OIDC_CLIENT_SECRET',
  'CHIS_METRICS_TOKEN',
  'CHIS_DATABASE_PASSWORD',
  'CHIS_MIGRATION_DATABASE_PASSWORD',
];

/** The environment with each `<NAME>_FILE` of a secret read into `<NAME>` (one trailing newline dropped). */
function readSecretFiles(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; problems: string[] } {
  const out: NodeJS.ProcessEnv = { ...env };
  const problems: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const path = env[`${name}_FILE`];
    if (path === undefined || path === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`${name} and ${name}_FILE are both set: set only one`);
      continue;
    }
    try {
      out[name] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      problems.push(
        `${name}_FILE: cannot read ${JSON.stringify(path)} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  return { env: out, problems };
}

/** A password given on its own goes into the URL (which must then have none of its own). */
function withPassword(
  url: string | undefined,
  password: string | undefined,
  names: [string, string],
  problems: string[],
): string | undefined {
  if (url === undefined || password === undefined || password === '') return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url; // the schema names the bad URL
  }
  if (parsed.password !== '') {
    problems.push(`${names[1]} is set but ${names[0]} has a password of its own: give it in one place`);
    return url;
  }
  if (parsed.username === '') {
    problems.push(`${names[1]} is set but ${names[0]} names no user: write postgres://user@host/database`);
    return url;
  }
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

function applyAliases(raw: NodeJS.ProcessEnv): { values: Record<string, string | undefined>; problems: string[] } {
  const { env, problems } = readSecretFiles(raw);
  const values: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) values[key] = env[key] === '' ? undefined : env[key];
  for (const [canonical, alias] of Object.entries(ALIASES)) {
    const aliasValue = env[alias] === '' ? undefined : env[alias];
    if (aliasValue === undefined) continue;
    if (values[canonical] !== undefined && values[canonical] !== aliasValue) {
      problems.push(`${canonical} and ${alias} are both set, to different values: set only one`);
    }
    values[canonical] ??= aliasValue;
  }
  values.CHIS_DATABASE_URL = withPassword(
    values.CHIS_DATABASE_URL,
    env.CHIS_DATABASE_PASSWORD,
    ['CHIS_DATABASE_URL', 'CHIS_DATABASE_PASSWORD'],
    problems,
  );
  values.CHIS_MIGRATION_DATABASE_URL = withPassword(
    values.CHIS_MIGRATION_DATABASE_URL,
    env.CHIS_MIGRATION_DATABASE_PASSWORD,
    ['CHIS_MIGRATION_DATABASE_URL', 'CHIS_MIGRATION_DATABASE_PASSWORD'],
    problems,
  );
  return { values, problems };
}

/** Reads and validates the environment once; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const { values, problems } = applyAliases(env);
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      const alias = ALIASES[name] && env[ALIASES[name]] !== undefined ? ` (from ${ALIASES[name]})` : '';
      // A secret's value is never echoed into an error (logs keep it).
      const got = SECRET_VARIABLES.includes(name) ? 'a value not shown here' : JSON.stringify(values[name]);
      problems.push(`${name}${alias}: ${issue.message}, got ${got}`);
    }
  }
  if (parsed.success) {
    const setOidc = OIDC_VARIABLES.filter((name) => parsed.data[name] !== undefined);
    if (setOidc.length > 0 && setOidc.length < OIDC_VARIABLES.length) {
      const missing = OIDC_VARIABLES.filter((name) => parsed.data[name] === undefined);
      problems.push(`OpenID Connect needs all of ${OIDC_VARIABLES.join(', ')}: missing ${missing.join(', ')}`);
    }
  }
  if (parsed.success && parsed.data.CHIS_MIGRATION_DATABASE_URL && !parsed.data.CHIS_DATABASE_URL)
    problems.push(
      "CHIS_MIGRATION_DATABASE_URL is set without CHIS_DATABASE_URL: give the application role's URL too (the embedded PostgreSQL makes its own roles)",
    );
  if (parsed.success && parsed.data.CHIS_METRICS_TOKEN && parsed.data.CHIS_METRICS_PORT === undefined)
    problems.push('CHIS_METRICS_TOKEN is set without CHIS_METRICS_PORT: metrics are served only on their own port');
  if (parsed.success) {
    const roles = parseRoles(parsed.data.CHIS_ROLE)!;
    // The embedded servers live and die with one process: processes of separate roles share real ones.
    if (roles.length < PROCESS_ROLES.length) {
      if (!parsed.data.CHIS_DATABASE_URL)
        problems.push(
          `CHIS_ROLE=${parsed.data.CHIS_ROLE} needs DATABASE_URL: the embedded PostgreSQL runs only in a process of every role (CHIS_ROLE=all)`,
        );
      if (!parsed.data.CHIS_TEMPORAL_ADDRESS)
        problems.push(
          `CHIS_ROLE=${parsed.data.CHIS_ROLE} needs TEMPORAL_ADDRESS: the embedded Temporal server runs only in a process of every role (CHIS_ROLE=all)`,
        );
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const raw = parsed.data;
  const dataDir = resolve(cwd, raw.CHIS_DATA_DIR);
  return {
    roles: parseRoles(raw.CHIS_ROLE)!,
    host: raw.CHIS_HOST,
    port: raw.CHIS_PORT,
    logLevel: raw.CHIS_LOG_LEVEL,
    dataDir,
    database: raw.CHIS_DATABASE_URL
      ? {
          url: raw.CHIS_DATABASE_URL,
          ...(raw.CHIS_MIGRATION_DATABASE_URL ? { migrationUrl: raw.CHIS_MIGRATION_DATABASE_URL } : {}),
        }
      : { embedded: { port: raw.CHIS_EMBEDDED_POSTGRES_PORT, dataDir: resolve(dataDir, 'postgres') } },
    trustProxy: parseTrustProxy(raw.CHIS_TRUST_PROXY ?? 'none')!,
    temporal: {
      namespace: raw.CHIS_TEMPORAL_NAMESPACE,
      taskQueue: raw.CHIS_TASK_QUEUE,
      ...(raw.CHIS_TEMPORAL_ADDRESS
        ? { address: raw.CHIS_TEMPORAL_ADDRESS }
        : {
            embedded: {
              port: raw.CHIS_EMBEDDED_TEMPORAL_PORT,
              retentionSeconds: retentionSeconds(raw.CHIS_TEMPORAL_RETENTION),
            },
          }),
    },
    taskListenerWaitMs: raw.CHIS_TASK_LISTENER_WAIT_SECONDS * 1000,
    smtp: raw.CHIS_SMTP_URL ? { url: raw.CHIS_SMTP_URL } : { embedded: true },
    mail: { from: raw.CHIS_MAIL_FROM, embeddedSmtpPort: raw.CHIS_EMBEDDED_SMTP_PORT },
    pds: raw.CHIS_PDS_URL ? { url: raw.CHIS_PDS_URL } : { embedded: { port: raw.CHIS_EMBEDDED_PDS_PORT } },
    demoChildren: raw.CHIS_DEMO_CHILDREN,
    ...(raw.CHIS_METRICS_PORT !== undefined
      ? {
          metrics: {
            host: raw.CHIS_METRICS_HOST,
            port: raw.CHIS_METRICS_PORT,
            refreshMs: raw.CHIS_METRICS_REFRESH_SECONDS * 1000,
            ...(raw.CHIS_METRICS_TOKEN ? { token: raw.CHIS_METRICS_TOKEN } : {}),
          },
        }
      : {}),
    ...((raw.OTEL_EXPORTER_OTLP_ENDPOINT || raw.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) && raw.OTEL_SDK_DISABLED !== 'true'
      ? { tracing: { serviceName: raw.OTEL_SERVICE_NAME } }
      : {}),
    auth: {
      sessionIdleMinutes: raw.CHIS_SESSION_IDLE_MINUTES,
      sessionMaxHours: raw.CHIS_SESSION_MAX_HOURS,
      cookieSecure: raw.CHIS_COOKIE_SECURE === 'auto' ? 'auto' : raw.CHIS_COOKIE_SECURE === 'true',
      loginMaxFailures: raw.CHIS_LOGIN_MAX_FAILURES,
      loginWindowMinutes: raw.CHIS_LOGIN_WINDOW_MINUTES,
      ...(raw.CHIS_OIDC_ISSUER
        ? {
            oidc: {
              issuer: raw.CHIS_OIDC_ISSUER,
              clientId: raw.CHIS_OIDC_CLIENT_ID!,
              clientSecret: raw.CHIS_OIDC_CLIENT_SECRET!,
              redirectUri: raw.CHIS_OIDC_REDIRECT_URI!,
            },
          }
        : {}),
    },
  };
}

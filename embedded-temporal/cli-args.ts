/** Parses the command lines of Temporal's `temporal server start-dev` and of the time-skipping test server. */
export interface ServerArgs {
  mode: 'dev' | 'test';
  port: number;
  ip: string;
  namespaces: string[];
  dbFilename?: string;
  /** PostgreSQL URL (our own flag; the CHIS_TEMPORAL_DATABASE_URL environment variable is the other way). */
  databaseUrl?: string;
  logFormat: 'json' | 'pretty';
  logLevel: string;
  searchAttributes: { name: string; type: string }[];
  /** `--dynamic-config-value key=value` settings (the limits this server knows, see engine/limits.ts). */
  dynamicConfig: string[];
  warnings: string[];
  /** Known dev-server flags this server does not need (logged at debug level). */
  ignored: string[];
}

const VALUE_FLAGS_IGNORED = new Set([
  '--ui-port',
  '--ui-ip',
  '--ui-public-path',
  '--config',
  '--http-port',
  '--metrics-port',
  '--sqlite-pragma',
  '--ui-asset-path',
  '--ui-codec-endpoint',
  '--env',
  '--time-format',
  '--color',
  '--log-config',
  '--grpc-port',
]);

export function parseServerArgs(argv: string[]): ServerArgs {
  const args: ServerArgs = {
    mode: 'dev',
    port: 7233,
    ip: '127.0.0.1',
    namespaces: [],
    logFormat: 'json',
    logLevel: 'info',
    searchAttributes: [],
    dynamicConfig: [],
    warnings: [],
    ignored: [],
  };
  if (argv[0] !== 'server') {
    // Test-server form: `<port> [extra args]`.
    const port = Number(argv[0]);
    if (!Number.isInteger(port) || port <= 0 || port > 65535)
      throw new Error(`expected "server start-dev ..." or a port number, got "${argv[0] ?? ''}"`);
    args.mode = 'test';
    args.port = port;
    args.logLevel = 'warn';
    for (let i = 1; i < argv.length; i++) {
      if (argv[i] === '--database-url' && argv[i + 1] !== undefined) args.databaseUrl = argv[++i];
      else args.warnings.push(`ignoring test-server argument ${argv[i]}`);
    }
    return args;
  }
  if (argv[1] !== 'start-dev') throw new Error(`only "server start-dev" is supported, got "server ${argv[1] ?? ''}"`);
  for (let i = 2; i < argv.length; i++) {
    const raw = argv[i];
    const eq = raw.indexOf('=');
    const flag = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    const inline = raw.startsWith('--') && eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new Error(`flag ${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--port':
      case '-p': {
        const port = Number(value());
        if (!Number.isInteger(port) || port <= 0 || port > 65535)
          throw new Error(`--port must be a TCP port, got "${argv[i]}"`);
        args.port = port;
        break;
      }
      case '--ip':
        args.ip = value();
        break;
      case '--namespace':
      case '-n':
        args.namespaces.push(value());
        break;
      case '--db-filename':
      case '-f':
        args.dbFilename = value();
        break;
      case '--log-format': {
        const f = value();
        args.logFormat = f === 'json' ? 'json' : 'pretty';
        break;
      }
      case '--log-level':
        args.logLevel = value();
        break;
      case '--search-attribute': {
        const v = value();
        const sep = v.indexOf('=');
        if (sep <= 0) throw new Error(`--search-attribute must be NAME=Type, got "${v}"`);
        args.searchAttributes.push({ name: v.slice(0, sep), type: v.slice(sep + 1) });
        break;
      }
      case '--database-url':
        args.databaseUrl = value();
        break;
      case '--dynamic-config-value':
        args.dynamicConfig.push(value());
        break;
      case '--headless':
        break;
      default:
        if (VALUE_FLAGS_IGNORED.has(flag)) {
          const v = value();
          args.ignored.push(`${flag} ${v}`);
        } else {
          args.warnings.push(`ignoring unknown flag ${raw}`);
        }
    }
  }
  return args;
}

import { dayFromIso } from './dates';

/** Command-line arguments of `npm run seed`, checked before anything starts. */
export interface SeedArguments {
  children: number;
  seed?: number;
  batchSize?: number;
  concurrency?: number;
  referenceDate?: string;
  append: boolean;
  help: boolean;
}

export const SEED_USAGE = `usage: npm run seed -- --children N [options]

  --children N            children to add (0 to 1818182; the full region is 1400000)
  --seed S                PRNG seed, 0 to 4294967295 (default 1): same seed and reference date, same region
  --reference-date DATE   YYYY-MM-DD the ages are measured at (default today, UTC)
  --batch B               children per transaction (default 10000)
  --concurrency C         batches written at once, 1 to 8 (default 2)
  --append                add to a database that already holds children
  --help                  this text`;

export class ArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgumentError';
  }
}

function wholeNumber(flag: string, raw: string | undefined, min: number, max: number): number {
  if (raw === undefined || raw.startsWith('--')) throw new ArgumentError(`${flag} needs a value`);
  if (/^-\d+$/.test(raw)) throw new ArgumentError(`${flag} must not be negative, got ${raw}`);
  if (!/^\d+$/.test(raw)) throw new ArgumentError(`${flag} must be a whole number, got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ArgumentError(`${flag} must be from ${min} to ${max}, got ${raw}`);
  return value;
}

export function parseSeedArguments(argv: readonly string[]): SeedArguments {
  const result: Partial<SeedArguments> & { append: boolean; help: boolean } = { append: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=')
      ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)]
      : [argv[i], undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--children':
        result.children = wholeNumber(flag, value(), 0, 1_818_182);
        break;
      case '--seed':
        result.seed = wholeNumber(flag, value(), 0, 0xffffffff);
        break;
      case '--batch':
        result.batchSize = wholeNumber(flag, value(), 1, 200_000);
        break;
      case '--concurrency':
        result.concurrency = wholeNumber(flag, value(), 1, 8);
        break;
      case '--reference-date': {
        const raw = value();
        if (raw === undefined || raw.startsWith('--')) throw new ArgumentError(`${flag} needs a value`);
        try {
          dayFromIso(raw);
        } catch (error) {
          throw new ArgumentError(`${flag}: ${(error as Error).message}`);
        }
        result.referenceDate = raw;
        break;
      }
      case '--append':
        if (inline !== undefined) throw new ArgumentError('--append takes no value');
        result.append = true;
        break;
      case '--help':
      case '-h':
        result.help = true;
        break;
      default:
        throw new ArgumentError(`unknown argument ${JSON.stringify(argv[i])}`);
    }
  }
  if (result.help) return { ...result, children: result.children ?? 0 } as SeedArguments;
  if (result.children === undefined) throw new ArgumentError('--children is required');
  return result as SeedArguments;
}

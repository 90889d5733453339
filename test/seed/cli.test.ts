import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseSeedArguments } from '../../db/seed/arguments';

describe('seed command-line arguments', () => {
  test('reads every option', () => {
    expect(
      parseSeedArguments([
        '--children',
        '2000',
        '--seed',
        '9',
        '--batch',
        '500',
        '--concurrency',
        '1',
        '--reference-date',
        '2026-01-31',
        '--append',
      ]),
    ).toEqual({
      children: 2000,
      seed: 9,
      batchSize: 500,
      concurrency: 1,
      referenceDate: '2026-01-31',
      append: true,
      help: false,
    });
    expect(parseSeedArguments(['--children=10'])).toMatchObject({ children: 10, append: false });
  });

  test.each([
    [['--children', 'abc'], /--children must be a whole number, got "abc"/],
    [['--children', '-5'], /--children must not be negative/],
    [['--children', '2000000'], /--children must be from 0 to 1818182/],
    [['--children'], /--children needs a value/],
    [[], /--children is required/],
    [['--children', '10', '--colour', 'red'], /unknown argument "--colour"/],
    [['--children', '10', '--seed', '1.5'], /--seed must be a whole number/],
    [['--children', '10', '--reference-date', '2026-02-30'], /not a calendar date/],
    [['--children', '10', '--append=yes'], /--append takes no value/],
  ])('refuses %j naming the problem', (argv, message) => {
    expect(() => parseSeedArguments(argv)).toThrow(message);
  });

  test('the command exits with code 2 and the problem on bad arguments, before touching a database', () => {
    const root = join(__dirname, '..', '..');
    const result = spawnSync(
      process.execPath,
      [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'cli', 'seed.ts'), '--children', 'abc'],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
        timeout: 30_000,
      },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--children must be a whole number, got "abc"/);
    expect(result.stderr).toMatch(/usage: npm run seed/);
  });
});

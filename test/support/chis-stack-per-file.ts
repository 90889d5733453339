/**
 * The usual set-up of an end-to-end test file: one CHIS stack, started before its tests
 * (seeding and deploying take a while: 3 minutes allowed) and closed after them.
 */
import { startChisStack, type ChisStack, type StackOptions } from './chis-stack';

/**
 * Starts the stack in beforeAll and hands it to `use` (assign it to the file's `stack`, and
 * deploy what the file needs); closes it in afterAll.
 */
export function chisStackPerFile(options: StackOptions, use: (stack: ChisStack) => unknown): void {
  let started: ChisStack | undefined;
  beforeAll(async () => {
    started = await startChisStack(options);
    await use(started);
  }, 180_000);
  afterAll(async () => {
    await started?.close();
  }, 120_000);
}

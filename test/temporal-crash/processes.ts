import { Connection } from '@temporalio/client';
import { spawnInGroup, type SpawnedProcess } from '../system/support/system-process';

/**
 * A child process in its own process group, so that SIGKILL reaches every process a wrapper
 * script (tsx, a shell launcher) may have started, exactly like a crash would; it can be
 * started again after a kill.
 */
export class KillableProcess {
  private running?: SpawnedProcess;

  constructor(
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  start(): void {
    if (this.running) throw new Error('process already running');
    this.running = spawnInGroup(this.command, this.args, this.env);
  }

  /** Resolves when the process prints `text`. */
  async waitForLine(text: string, timeoutMs = 30_000): Promise<void> {
    if (!this.running) throw new Error('process not running');
    await this.running.waitForOutput(text, `"${text}"`, timeoutMs);
  }

  /** SIGKILL to the whole process group; resolves once the direct child is gone. */
  async kill(): Promise<void> {
    await this.running?.signalGroup('SIGKILL');
    this.running = undefined;
  }

  /** The last of what the process wrote (since its last start). */
  recentOutput(): string {
    return this.running?.output().slice(-20_000) ?? '';
  }
}

/** Waits until a Temporal frontend answers DescribeNamespace on `address`. */
export async function waitForFrontend(
  address: string,
  timeoutMs = 60_000,
  describeOutput: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(
    `Temporal frontend at ${address} did not answer within ${timeoutMs} ms: ${String(lastError)}\n${describeOutput()}`,
  );
}

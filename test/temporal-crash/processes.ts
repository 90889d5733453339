import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';

/**
 * A child process in its own process group, so that SIGKILL reaches every process a wrapper
 * script (tsx, a shell launcher) may have started, exactly like a crash would.
 */
export class KillableProcess {
  private child?: ChildProcess;
  private output = '';
  private exited?: Promise<void>;
  private readonly listeners: ((line: string) => void)[] = [];

  constructor(
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  start(): void {
    if (this.child) throw new Error('process already running');
    const child = spawn(this.command, this.args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: this.env });
    this.child = child;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      this.output = (this.output + text).slice(-20_000);
      for (const line of text.split('\n')) for (const listener of this.listeners) listener(line);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Resolves when the process prints a line containing `text`. */
  waitForLine(text: string, timeoutMs = 30_000): Promise<void> {
    if (this.output.includes(text)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${text}" within ${timeoutMs} ms; output:\n${this.output}`)),
        timeoutMs,
      );
      this.listeners.push((line) => {
        if (line.includes(text)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  /** SIGKILL to the whole process group; resolves once the direct child is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await this.exited;
    this.child = undefined;
    this.output = '';
    this.listeners.length = 0;
  }

  recentOutput(): string {
    return this.output;
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

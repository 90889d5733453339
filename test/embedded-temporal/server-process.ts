import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { TEMPORAL_SERVER_BIN } from '../support/temporal-env';

/** The server binary as a child process we control (for SIGKILL / restart tests). */
export class ServerProcess {
  private child: ChildProcess | undefined;
  stderr = '';

  constructor(
    readonly port: number,
    readonly databaseUrl: string,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      TEMPORAL_SERVER_BIN,
      [
        'server',
        'start-dev',
        '--port',
        String(this.port),
        '--headless',
        '--log-level',
        'warn',
        '--database-url',
        this.databaseUrl,
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.child = child;
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}): ${this.stderr}`);
      try {
        const c = await Connection.connect({ address: this.address, connectTimeout: 500 });
        await c.workflowService.getSystemInfo({});
        await c.close();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`server did not come up: ${this.stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** SIGKILL: no chance to flush or clean up. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    return exited;
  }
}

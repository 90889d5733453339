import { connect } from 'node:net';
import { freePort } from '../../core/free-port';
import { createEmptyDatabase } from '../support/databases';
import { TEMPORAL_SERVER_BIN } from '../support/temporal-env';
import { KillableProcess, waitForFrontend } from './processes';

/** The embedded server binary on a fixed port and a persistent database, to be killed and restarted. */
export class ServerUnderTest {
  private constructor(
    readonly address: string,
    private readonly process: KillableProcess,
  ) {}

  static async create(): Promise<ServerUnderTest> {
    const port = await freePort();
    const databaseUrl = await createEmptyDatabase('temporal_crash');
    const args = [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--database-url',
      databaseUrl,
      '--headless',
      '--log-level',
      'warn',
    ];
    return new ServerUnderTest(`127.0.0.1:${port}`, new KillableProcess(TEMPORAL_SERVER_BIN, args));
  }

  async start(): Promise<void> {
    this.process.start();
    await waitForFrontend(this.address, 60_000, () => this.process.recentOutput());
  }

  /** SIGKILL: no shutdown hooks, no flushing; whatever was committed is all there is. */
  async crash(): Promise<void> {
    await this.process.kill();
    if (await accepts(this.address))
      throw new Error(`the server at ${this.address} still accepts connections after SIGKILL`);
  }

  async restart(): Promise<void> {
    await this.crash();
    await this.start();
  }
}

/** Whether something listens on host:port. */
function accepts(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

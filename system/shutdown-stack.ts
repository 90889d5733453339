import type { Logger } from '../core/logger';

/** Stops what was started, last first; a failing stop is logged and the rest still run. */
export class ShutdownStack {
  private readonly steps: Array<{ name: string; stop: () => Promise<void> }> = [];

  constructor(private readonly logger: Logger) {}

  push(name: string, stop: () => Promise<void>): void {
    this.steps.push({ name, stop });
  }

  async unwind(): Promise<void> {
    while (this.steps.length > 0) {
      const { name, stop } = this.steps.pop()!;
      try {
        await stop();
        this.logger.info(`stopped ${name}`);
      } catch (error) {
        this.logger.error({ err: error }, `failed to stop ${name}`);
      }
    }
  }
}

import type { Server } from 'node:http';
import type { Express } from 'express';

/** Listens and resolves with the bound port; stop() closes idle keep-alive sockets too. */
export async function listen(
  app: Express,
  host: string,
  port: number,
): Promise<{ port: number; stop(): Promise<void> }> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return {
    port: boundPort,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

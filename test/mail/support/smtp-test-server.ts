/**
 * A scriptable SMTP server for delivery tests (smtp-server, the same library as the embedded
 * server): it records every message it is handed and answers DATA after `answerAfterMs`, or
 * never (a server that hangs mid-transaction).
 */
import { SMTPServer } from 'smtp-server';

export interface TestSmtpServer {
  port: number;
  /** Message-IDs whose DATA began (the sender handed the message over). */
  dataStarted: string[];
  /** Message-IDs the server answered "250 OK" for, once per acceptance. */
  accepted: string[];
  stop(): Promise<void>;
}

export async function startTestSmtpServer(options: {
  port?: number;
  /** Delay before "250 OK"; null: never answer. */
  answerAfterMs: number | null;
}): Promise<TestSmtpServer> {
  const dataStarted: string[] = [];
  const accepted: string[] = [];
  const pending = new Set<NodeJS.Timeout>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const messageId = /^Message-ID:\s*(\S+)/im.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? '';
        dataStarted.push(messageId);
        if (options.answerAfterMs === null) return;
        const t = setTimeout(() => {
          pending.delete(t);
          accepted.push(messageId);
          callback();
        }, options.answerAfterMs);
        pending.add(t);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    dataStarted,
    accepted,
    stop: async () => {
      for (const t of pending) clearTimeout(t);
      // Hung connections would keep close() waiting: drop them.
      for (const c of (server as unknown as { connections: Set<{ close(): void }> }).connections ?? []) c.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

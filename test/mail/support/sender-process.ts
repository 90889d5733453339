/**
 * A separate outbox sender for the lease tests: claims due rows and sends them to the given
 * SMTP port, then waits to be killed. Run: node --import tsx sender-process.ts <database url>
 * <smtp port> <lease ms>. Prints "claimed <n>" once it holds rows.
 */
import { createLogger } from '../../../core/logger';
import { connect } from '../../../db/database';
import { createMailService, createMailTransport } from '../../../mail';

async function main(): Promise<void> {
  const [url, port, leaseMs] = process.argv.slice(2);
  const db = connect(url, { poolMax: 2 });
  const mail = createMailService({
    sequelize: db.sequelize,
    transport: createMailTransport({ embedded: { host: '127.0.0.1', port: Number(port) } }),
    from: 'West Midlands CHIS <chis@example.nhs.uk>',
    logger: createLogger('silent'),
    options: { leaseMs: Number(leaseMs), renewEveryMs: Math.round(Number(leaseMs) / 3) },
  });
  process.stdout.write('started\n');
  const round = await mail.deliverDue(10);
  process.stdout.write(`finished ${JSON.stringify(round)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`sender failed: ${String(err)}\n`);
  process.exit(1);
});

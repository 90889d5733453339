/**
 * One embedded Temporal server per database. Two servers on one schema would both dispatch the
 * same tasks, fire the same timers and overwrite each other's state, so a server holds a
 * session advisory lock for its whole life, on a connection of its own, and a second one is
 * refused naming the holder. A crashed server's lock goes with its connection (PostgreSQL ends
 * the session when the socket closes); a start waits a few seconds for that before refusing,
 * so a restart right after a SIGKILL is not turned away.
 */
import { hostname } from 'node:os';
import { Client } from 'pg';

/** Advisory lock key (session level); the schema creation lock in store.ts is 745301. */
export const SERVER_LOCK_KEY = 745_302;

export class ServerLockHeldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerLockHeldError';
  }
}

export interface ServerLock {
  release(): Promise<void>;
}

interface Holder {
  application: string | null;
  pid: number;
  clientAddr: string | null;
  backendStart: Date | null;
}

async function holderOf(client: Client): Promise<Holder | undefined> {
  const { rows } = await client.query<Holder>(
    `SELECT a.application_name AS application, a.pid, a.client_addr AS "clientAddr", a.backend_start AS "backendStart"
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1 AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [SERVER_LOCK_KEY],
  );
  return rows[0];
}

export async function acquireServerLock(
  databaseUrl: string,
  o: { waitMs: number; address: string; onLost: (error: Error) => void },
): Promise<ServerLock> {
  return acquireOnce(databaseUrl, o);
}

/**
 * The lock for a server's whole life: when its connection drops (PostgreSQL restarted, the
 * session was terminated), it is taken again on a new connection as soon as PostgreSQL answers;
 * if another server took it in between, `onTakenByAnother` is told (the server must stop: two
 * would now run). `onLost` hears each drop.
 */
export async function holdServerLock(
  databaseUrl: string,
  o: {
    waitMs: number;
    address: string;
    onLost: (error: Error) => void;
    onRetaken: () => void;
    onTakenByAnother: (error: ServerLockHeldError) => void;
    retryMs?: number;
  },
): Promise<ServerLock> {
  let released = false;
  let current: ServerLock;
  const retake = async (): Promise<void> => {
    while (!released) {
      try {
        current = await acquireOnce(databaseUrl, { waitMs: 0, address: o.address, onLost });
        if (released) return void (await current.release());
        o.onRetaken();
        return;
      } catch (error) {
        if (error instanceof ServerLockHeldError) return o.onTakenByAnother(error);
        // PostgreSQL not answering yet: try again.
        await new Promise((r) => setTimeout(r, o.retryMs ?? 1000));
      }
    }
  };
  const onLost = (error: Error) => {
    if (released) return;
    o.onLost(error);
    void retake();
  };
  current = await acquireOnce(databaseUrl, { waitMs: o.waitMs, address: o.address, onLost });
  return {
    release: async () => {
      released = true;
      await current.release();
    },
  };
}

async function acquireOnce(
  databaseUrl: string,
  o: { waitMs: number; address: string; onLost: (error: Error) => void },
): Promise<ServerLock> {
  const client = new Client({
    connectionString: databaseUrl,
    // What a refused server reads about this one (pg_stat_activity); 63 bytes at most.
    application_name: `embedded Temporal pid ${process.pid} ${hostname()}`.slice(0, 63),
  });
  await client.connect();
  let releasing = false;
  let lost = false;
  const lose = (error: Error) => {
    if (releasing || lost) return;
    lost = true;
    o.onLost(error);
  };
  client.on('error', lose);
  // A terminated session may end without an error event.
  client.on('end', () => lose(new Error('the connection holding the lock ended')));
  try {
    const deadline = Date.now() + o.waitMs;
    for (;;) {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
        SERVER_LOCK_KEY,
      ]);
      if (rows[0]?.locked) break;
      if (Date.now() >= deadline) {
        const holder = await holderOf(client);
        const database = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db;
        const who = holder
          ? `${holder.application || 'a server with no application name'} (PostgreSQL session ${holder.pid}, connected from ${holder.clientAddr ?? 'a local socket'}${holder.backendStart ? ` since ${holder.backendStart.toISOString()}` : ''})`
          : 'a server that has just stopped holding it';
        throw new ServerLockHeldError(
          `another embedded Temporal server already runs on database "${database}": ${who}. ` +
            `Only one may run on a database. Stop it, give this one its own database, or connect to the running one ` +
            `(TEMPORAL_ADDRESS) instead of starting another (this one would have listened on ${o.address}).`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (error) {
    releasing = true;
    await client.end().catch(() => undefined);
    throw error;
  }
  return {
    release: async () => {
      releasing = true;
      // Ending the session releases the lock.
      await client.end().catch(() => undefined);
    },
  };
}

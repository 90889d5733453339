import type { RequestContext } from '../request-context';
import { audit, type AuditWhat } from './audit-builder';

/**
 * Audit for an act carried out by the process engine (a signal, an update, a message to several
 * instances): the row is committed before the engine is told, so nothing reaches a process
 * unrecorded, even if this process dies half-way; if telling the engine fails, a second row
 * (`<action>.failed`, with the reason) says so. The engine's changes cannot share a PostgreSQL
 * transaction, so this order is the one that never leaves a change without its audit.
 */
export async function auditBeforeEngine<T>(ctx: RequestContext, what: AuditWhat, act: () => Promise<T>): Promise<T> {
  const auditEventId = await audit(ctx.deps.db, ctx, what);
  try {
    return await act();
  } catch (error) {
    await audit(ctx.deps.db, ctx, {
      ...what,
      action: `${what.action}.failed`,
      detail: { ...what.detail, auditEventId, error: (error as Error).message || String(error) },
    });
    throw error;
  }
}

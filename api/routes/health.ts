import { Router } from 'express';
import { describeError } from '../../core/describe-error';

/**
 * A dependency's health: up with a round-trip time, down with the reason, or delayed: working
 * but behind (mail waiting longer than it should), which is worth an alert but not a reason to
 * take this instance out of service.
 */
export type DependencyHealth =
  | { status: 'up'; latencyMs: number; detail?: string }
  | { status: 'delayed'; detail: string }
  | { status: 'down'; error: string };

export type HealthCheck = () => Promise<DependencyHealth>;

/** Times a probe and turns its failure into a 'down' result. */
export async function probe(check: () => Promise<string | void>): Promise<DependencyHealth> {
  const started = performance.now();
  try {
    const detail = await check();
    return {
      status: 'up',
      latencyMs: Math.round((performance.now() - started) * 10) / 10,
      ...(detail ? { detail } : {}),
    };
  } catch (error) {
    return { status: 'down', error: describeError(error) };
  }
}

/** GET /api/health: 503 when a dependency is down, else 200 ('delayed' when one is behind). */
export function healthRouter(checks: Record<string, HealthCheck>): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const entries = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => [name, await check()] as const),
    );
    const dependencies = Object.fromEntries(entries);
    const anyDown = entries.some(([, h]) => h.status === 'down');
    const anyDelayed = entries.some(([, h]) => h.status === 'delayed');
    res
      .status(anyDown ? 503 : 200)
      .json({ status: anyDown ? 'degraded' : anyDelayed ? 'delayed' : 'ok', dependencies });
  });
  return router;
}

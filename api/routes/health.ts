import { Router } from 'express';

/** A dependency's health: up with a round-trip time, or down with the reason. */
export type DependencyHealth = { status: 'up'; latencyMs: number; detail?: string } | { status: 'down'; error: string };

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
    return { status: 'down', error: error instanceof Error ? error.message : String(error) };
  }
}

/** GET /api/health: 200 when every dependency is up, 503 otherwise. */
export function healthRouter(checks: Record<string, HealthCheck>): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const entries = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => [name, await check()] as const),
    );
    const dependencies = Object.fromEntries(entries);
    const allUp = entries.every(([, h]) => h.status === 'up');
    res.status(allUp ? 200 : 503).json({ status: allUp ? 'ok' : 'degraded', dependencies });
  });
  return router;
}

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

/** What readiness waits for: the API cannot serve a request without either. */
export const READINESS_DEPENDENCIES = ['database', 'temporal'] as const;

/** A readiness check that has not answered in this time counts as down (a stopped server may not refuse, only stay silent). */
export const READINESS_TIMEOUT_MS = 3000;

function within(check: HealthCheck | undefined, ms: number): Promise<DependencyHealth> {
  if (!check) return Promise.resolve({ status: 'down', error: 'not configured' });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<DependencyHealth>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'down', error: `no answer within ${ms} ms` }), ms);
  });
  return Promise.race([check(), timeout]).finally(() => clearTimeout(timer));
}

/**
 * GET /api/health: 503 when a dependency is down, else 200 ('delayed' when one is behind).
 * GET /api/health/live: 200 while the process serves HTTP; it asks nothing else, so a
 *   dependency's outage never gets a healthy process restarted.
 * GET /api/health/ready: 200 only when PostgreSQL and Temporal answer, else a 503 problem+json
 *   naming which (not why: the reasons hold addresses, kept for the logs and /api/health).
 * None of them needs signing in, so none names a version.
 */
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
  router.get('/health/live', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'live' });
  });
  router.get('/health/ready', async (req, res) => {
    const results = await Promise.all(
      READINESS_DEPENDENCIES.map(async (name) => [name, await within(checks[name], READINESS_TIMEOUT_MS)] as const),
    );
    const down = results.filter(([, h]) => h.status === 'down').map(([name]) => name);
    res.set('Cache-Control', 'no-store');
    if (down.length === 0) {
      res.json({ status: 'ready' });
      return;
    }
    res
      .status(503)
      .type('application/problem+json')
      .json({
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail: `Not ready: ${down.join(' and ')} ${down.length > 1 ? 'do' : 'does'} not answer`,
        instance: req.originalUrl,
        unavailable: down,
      });
  });
  return router;
}

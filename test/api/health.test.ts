import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { probe, READINESS_TIMEOUT_MS, type HealthCheck } from '../../api/routes/health';

const logger = pino({ level: 'silent' });
const up: HealthCheck = () => probe(async () => undefined);
const refused: HealthCheck = () =>
  probe(async () => {
    throw new Error('connect ECONNREFUSED 10.1.2.3:5432');
  });

describe('GET /api/health/live and /api/health/ready', () => {
  test('live is 200 without asking any dependency, even when every one is down', async () => {
    let asked = 0;
    const counting: HealthCheck = async () => {
      asked++;
      return refused();
    };
    const app = createApp({ logger, health: { database: counting, temporal: counting } });
    const res = await request(app).get('/api/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'live' });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(asked).toBe(0);
  });

  test('ready is 200 when PostgreSQL and Temporal answer, whatever else is behind', async () => {
    const app = createApp({
      logger,
      health: { database: up, temporal: up, mail: async () => ({ status: 'down', error: 'SMTP refused' }) },
    });
    const res = await request(app).get('/api/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready' });
  });

  test.each([
    ['database', { database: refused, temporal: up }, ['database']],
    ['temporal', { database: up, temporal: refused }, ['temporal']],
    ['both', { database: refused, temporal: refused }, ['database', 'temporal']],
    ['an unconfigured check', { database: up }, ['temporal']],
  ])('ready is a 503 problem naming what does not answer (%s), without the reason', async (_case, health, down) => {
    const app = createApp({ logger, health });
    const res = await request(app).get('/api/health/ready');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 503, title: 'Service Unavailable', unavailable: down });
    expect(res.body.detail).toMatch(new RegExp(`^Not ready: ${down.join(' and ')} do(es)? not answer$`));
    // Addresses and versions stay out of what anyone may read.
    expect(JSON.stringify(res.body)).not.toMatch(/10\.1\.2\.3|ECONNREFUSED|version/i);
  });

  test('a check that never answers makes ready a 503 after the timeout, not a hung probe', async () => {
    const silent: HealthCheck = () => new Promise(() => undefined);
    const app = createApp({ logger, health: { database: silent, temporal: up } });
    const started = Date.now();
    const res = await request(app).get('/api/health/ready');
    expect(res.status).toBe(503);
    expect(res.body.unavailable).toEqual(['database']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(READINESS_TIMEOUT_MS - 50);
  });
});

import pino from 'pino';
import request from 'supertest';
import express from 'express';
import { errorHandler } from '../../api/error-handler';
import { createApp } from '../../api/app';
import { probe } from '../../api/routes/health';

const logger = pino({ level: 'silent' });

describe('API errors and health', () => {
  const app = createApp({
    logger,
    health: {
      database: () => probe(async () => undefined),
      temporal: () =>
        probe(async () => {
          throw new Error('connection refused');
        }),
    },
  });

  test('health reports each dependency and is 503 when one is down', async () => {
    const res = await request(app).get('/api/health');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('degraded');
    expect(res.body.dependencies.database.status).toBe('up');
    expect(res.body.dependencies.temporal).toEqual({ status: 'down', error: 'connection refused' });
  });

  test('unknown routes are problem+json 404', async () => {
    const res = await request(app).get('/api/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, title: 'Not Found', instance: '/api/nowhere' });
  });

  test('malformed JSON is a 400 naming the body, oversized bodies a 413', async () => {
    const malformed = await request(app).post('/api/nowhere').set('content-type', 'application/json').send('{"a":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([{ field: 'body', message: 'is not valid JSON' }]);
    const huge = await request(app)
      .post('/api/nowhere')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ a: 'x'.repeat(300_000) }));
    expect(huge.status).toBe(413);
    expect(huge.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  test('an unexpected exception is a generic 500 without internals', async () => {
    const withFailingRoute = express();
    withFailingRoute.get('/boom', () => {
      throw new Error('secret stack detail');
    });
    withFailingRoute.use(errorHandler(logger));
    const res = await request(withFailingRoute).get('/boom');
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ status: 500, title: 'Internal Server Error' });
    expect(JSON.stringify(res.body)).not.toMatch(/secret/);
  });
});

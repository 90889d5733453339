/**
 * Logs carry no NHS numbers and every request has an id: an unhandled error on a URL naming a
 * child is logged with the request's id and the number masked — in the URL, the message and the
 * stack — by the real logger and the API's real error handler.
 */
import { Writable } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../api/error-handler';
import { requestId } from '../../api/request-id';
import { createLogger } from '../../core/logger';
import { NHS_NUMBER_MASK, redactNhsNumbers } from '../../core/redact';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger('info', 'test', stream) };
}

describe('NHS numbers in logs', () => {
  test('valid NHS numbers are masked however they are written; other numbers stay', () => {
    expect(redactNhsNumbers('GET /api/children/9434765919/timeline')).toBe(
      `GET /api/children/${NHS_NUMBER_MASK}/timeline`,
    );
    expect(redactNhsNumbers('NHS number: 943 476 5919, 943-476-5919.')).toBe(
      `NHS number: ${NHS_NUMBER_MASK}, ${NHS_NUMBER_MASK}.`,
    );
    // Not NHS numbers: a failing check digit, a longer number (a timestamp), an id.
    expect(redactNhsNumbers('9434765918 1765022400000 id 12345')).toBe('9434765918 1765022400000 id 12345');
  });

  test('a message, a logged value and an error are masked', () => {
    const { lines, logger } = capture();
    logger.warn({ child: { nhsNumber: '9434765919' }, note: ['seen 943 476 5919'] }, 'no record for 9434765919');
    logger.error({ err: new Error('child 9434765919 not found') }, 'failed');
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/9434765919|943 476 5919/);
    expect(lines[0]).toMatchObject({ msg: `no record for ${NHS_NUMBER_MASK}`, child: { nhsNumber: NHS_NUMBER_MASK } });
    expect(lines[1]).toMatchObject({ err: { message: `child ${NHS_NUMBER_MASK} not found` } });
    expect(String((lines[1]!.err as { stack: string }).stack)).toContain(NHS_NUMBER_MASK);
  });
});

describe('request ids', () => {
  function app() {
    const { lines, logger } = capture();
    const a = express();
    a.use(requestId);
    a.get('/api/children/:nhs', (req) => {
      throw new Error(`lookup of ${req.params.nhs} failed`);
    });
    a.get('/ok', (_req, res) => void res.json({ ok: true }));
    a.use(errorHandler(logger));
    return { a, lines };
  }

  test('an unhandled error is logged with the request id the caller sees, and no NHS number', async () => {
    const { a, lines } = app();
    const res = await request(a).get('/api/children/9434765919');
    expect(res.status).toBe(500);
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ requestId: id, url: `/api/children/${NHS_NUMBER_MASK}`, msg: 'unhandled error' });
    expect(JSON.stringify(lines)).not.toContain('9434765919');
  });

  test("a caller's well-formed X-Request-Id is kept; anything else is replaced", async () => {
    const { a } = app();
    const kept = await request(a).get('/ok').set('X-Request-Id', 'lb-7f3a2c91e4');
    expect(kept.headers['x-request-id']).toBe('lb-7f3a2c91e4');
    const replaced = await request(a).get('/ok').set('X-Request-Id', 'bad id <script>');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { STYLE_NONCE_PLACEHOLDER, UI_CONTENT_SECURITY_POLICY, uiContentSecurityPolicy } from '../../api/ui/serve-ui';
import { UI_DIST } from '../../system/ui-build';
import { readFileSync } from 'node:fs';

const logger = pino({ level: 'silent' });
const INDEX = '<!doctype html><title>CHIS Flow</title><script type="module" src="/assets/index-AbCdEf12.js"></script>';

async function distWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chis-ui-dist-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

describe('the web UI served by the API server', () => {
  test("each page gets its own style nonce, in the CSP and in the page (for the editor's one style element)", async () => {
    const page = `<!doctype html><meta name="chis-style-nonce" content="${STYLE_NONCE_PLACEHOLDER}"><title>x</title>`;
    const app = createApp({ logger, health: {}, ui: { distDir: await distWith({ 'index.html': page }) } });
    const nonces: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await request(app).get('/processes/new-birth-registration/edit');
      const inPage = /content="([^"]+)"/.exec(res.text)![1];
      expect(inPage).toMatch(/^[A-Za-z0-9+/=]{24}$/);
      expect(res.headers['content-security-policy']).toBe(uiContentSecurityPolicy(inPage));
      expect(res.headers['content-security-policy']).toMatch(`style-src 'self' 'nonce-${inPage}';`);
      nonces.push(inPage);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  test('every page path answers index.html with the CSP, never cached; /api stays the API', async () => {
    const distDir = await distWith({ 'index.html': INDEX, 'assets/index-AbCdEf12.js': 'console.log(1)' });
    const app = createApp({ logger, health: {}, ui: { distDir } });
    for (const path of [
      '/',
      '/my-work',
      '/tasks/7f1d1c9e-2f0a-4a53-9d0e-6a4f3f0b2c11',
      '/children/9990000018?tab=timeline',
    ]) {
      const res = await request(app).get(path);
      expect(res.status).toBe(200);
      expect(res.type).toBe('text/html');
      expect(res.text).toBe(INDEX);
      const nonce = /'nonce-([A-Za-z0-9+/=]{24})'/.exec(res.headers['content-security-policy'])?.[1];
      expect(res.headers['content-security-policy']).toBe(uiContentSecurityPolicy(nonce!));
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    expect(UI_CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'(;|$)/);
    expect(UI_CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*(unsafe|nonce)/);
    expect(UI_CONTENT_SECURITY_POLICY).toMatch(/frame-ancestors 'none'/);
    const api = await request(app).get('/api/no-such-route');
    expect(api.status).toBe(404);
    expect(api.type).toBe('application/problem+json');
    const head = await request(app).head('/my-work');
    expect(head.status).toBe(200);
  });

  test('hashed assets are cached for a year; a missing asset is a 404, not the page', async () => {
    const distDir = await distWith({ 'index.html': INDEX, 'assets/index-AbCdEf12.js': 'console.log(1)' });
    const app = createApp({ logger, health: {}, ui: { distDir } });
    const asset = await request(app).get('/assets/index-AbCdEf12.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.text).toBe('console.log(1)');
    const missing = await request(app).get('/assets/index-Gone1234.js');
    expect(missing.status).toBe(404);
    expect(missing.text).not.toContain('<title>');
    expect((await request(app).get('/robots.txt')).status).toBe(404);
  });

  test('without a build the pages say so (503) and the API still answers', async () => {
    const distDir = await distWith({});
    const app = createApp({ logger, health: {}, ui: { distDir } });
    const res = await request(app).get('/my-work');
    expect(res.status).toBe(503);
    expect(res.text).toContain('The web UI is not built');
    expect((await request(app).get('/api/health')).status).toBe(200);
  });

  test('the real build links the NHS stylesheet and one module script, and nothing inline', () => {
    const html = readFileSync(join(UI_DIST, 'index.html'), 'utf8');
    expect(html).toMatch(/<link rel="stylesheet" href="\/assets\/nhsuk-frontend-\d+\.\d+\.\d+\.min\.css"/);
    expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
    expect(html).not.toMatch(/style="/);
  });
});

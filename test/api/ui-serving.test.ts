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

  test("a page names its first API reads as preloads (who is signed in, My work's queue) only when a session cookie came", async () => {
    const page = `<!doctype html><head><meta charset="utf-8" /><title>x</title><script type="module" src="/assets/index-AbCdEf12.js"></script></head>`;
    const app = createApp({ logger, health: {}, ui: { distDir: await distWith({ 'index.html': page }) } });
    const preloads = async (path: string, cookie?: string) => {
      const req = request(app).get(path);
      const res = await (cookie ? req.set('Cookie', cookie) : req);
      expect(res.headers.vary).toMatch(/Cookie/);
      expect(res.text).toMatch(/<\/script>(<link rel="preload"[^>]*>)*<\/head>$/); // after the app's own files
      return [...res.text.matchAll(/<link rel="preload" as="fetch" crossorigin href="([^"]*)" \/>/g)].map((m) => m[1]);
    };
    const session = `other=1; chis_session=${'A'.repeat(43)}`;
    expect(await preloads('/my-work')).toEqual([]);
    expect(await preloads('/my-work', session)).toEqual(['/api/auth/me', '/api/tasks/queues/mine']);
    expect(await preloads('/my-work?queue=locality%3Acoventry', session)).toContain(
      '/api/tasks/queues/locality/coventry',
    );
    expect(await preloads('/my-work?queue=process%3Anew-birth-registration', session)).toContain(
      '/api/tasks/queues/process/new-birth-registration',
    );
    // A forged queue cannot break out of the attribute or point anywhere but the API.
    expect(await preloads('/my-work?queue=locality%3A%22%3E%3Cscript%3E', session)).toContain(
      '/api/tasks/queues/locality/%22%3E%3Cscript%3E',
    );
    expect(await preloads('/my-work?queue=..%2F..%2Fauth%2Flogout', session)).toContain('/api/tasks/queues/mine');
    expect(await preloads('/children/9990000018', session)).toEqual(['/api/auth/me']);
    expect(await preloads('/sign-in?returnTo=%2Fmy-work', session)).toEqual([]);
    // A malformed cookie is no session.
    expect(await preloads('/my-work', 'chis_session=short')).toEqual([]);
  });

  test("My work and the task page preload their screen's code from the build's manifest; other pages do not", async () => {
    const manifest = {
      'index.html': { file: 'assets/index-AbCdEf12.js', name: 'index', isEntry: true },
      '_MyWorkPage-Aa11Bb22.js': {
        file: 'assets/MyWorkPage-Aa11Bb22.js',
        name: 'MyWorkPage',
        imports: ['index.html', '_Tags-Cc33Dd44.js'],
      },
      '_Tags-Cc33Dd44.js': { file: 'assets/Tags-Cc33Dd44.js', name: 'Tags', imports: ['index.html'] },
      'src/pages/TaskPage.tsx': {
        file: 'assets/TaskPage-Ee55Ff66.js',
        name: 'TaskPage',
        imports: ['index.html', '_Tags-Cc33Dd44.js'],
      },
    };
    const page = '<!doctype html><head><title>x</title></head>';
    const distDir = await distWith({ 'index.html': page, '.vite/manifest.json': JSON.stringify(manifest) });
    const app = createApp({ logger, health: {}, ui: { distDir } });
    const modules = async (path: string) =>
      [
        ...(await request(app).get(path)).text.matchAll(/<link rel="modulepreload" crossorigin href="([^"]*)" \/>/g),
      ].map((m) => m[1]);
    expect(await modules('/my-work?queue=unclaimed')).toEqual([
      '/assets/MyWorkPage-Aa11Bb22.js',
      '/assets/Tags-Cc33Dd44.js',
    ]);
    expect(await modules('/tasks/7f1d1c9e-2f0a-4a53-9d0e-6a4f3f0b2c11')).toEqual([
      '/assets/TaskPage-Ee55Ff66.js',
      '/assets/Tags-Cc33Dd44.js',
    ]);
    expect(await modules('/children/9990000018')).toEqual([]);
    // The real build names files that exist.
    const real = createApp({ logger, health: {}, ui: { distDir: UI_DIST } });
    const built = [
      ...(await request(real).get('/my-work')).text.matchAll(/rel="modulepreload" crossorigin href="([^"]*)"/g),
    ];
    expect(built.length).toBeGreaterThan(0);
    for (const [, href] of built) expect((await request(real).get(href)).status).toBe(200);
  });

  test('the real build links the NHS stylesheet and one module script, and nothing inline', () => {
    const html = readFileSync(join(UI_DIST, 'index.html'), 'utf8');
    expect(html.match(/<\/head>/g)).toHaveLength(1); // where the server adds the first reads' preloads
    expect(html).toMatch(/<link rel="stylesheet" href="\/assets\/nhsuk-frontend-\d+\.\d+\.\d+\.min\.css"/);
    expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
    expect(html).not.toMatch(/style="/);
  });
});

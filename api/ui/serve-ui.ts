import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import express, { Router, type Request, type Response } from 'express';
import { sessionIdFrom } from '../auth/session-cookie';
import { firstReads, withPreloads } from './first-reads';
import { pageModules } from './page-modules';

/**
 * The pages' Content-Security-Policy. Scripts and styles come only from this origin (Vite
 * emits no inline script; React sets styles through the CSSOM, which CSP does not govern);
 * nhsuk-frontend's stylesheet loads the Frutiger font from assets.nhs.uk (Arial when offline).
 * `form-action 'self'` also covers the OIDC start, a same-origin link that redirects.
 *
 * The BPMN editor needs two exceptions for styles, never for scripts: its properties panel
 * builds markup with `style="..."` attributes (allowed: an attribute holds no selector, and a
 * url() in it is still bound by img-src/font-src), and its expression editor (CodeMirror)
 * writes one <style> element, allowed by the page's nonce (ui/src/bpmn/style-nonce.ts).
 */
export function uiContentSecurityPolicy(styleNonce: string): string {
  return UI_CONTENT_SECURITY_POLICY.replace("style-src 'self'", `style-src 'self' 'nonce-${styleNonce}'`);
}

/** Where index.html carries the page's style nonce (ui/index.html). */
export const STYLE_NONCE_PLACEHOLDER = '%CHIS_STYLE_NONCE%';

export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "font-src 'self' https://assets.nhs.uk",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function pageHeaders(res: Response, styleNonce: string): void {
  res.setHeader('Content-Security-Policy', uiContentSecurityPolicy(styleNonce));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('X-Frame-Options', 'DENY');
}

function firstReadsOf(req: Request): string[] {
  const search = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
  return firstReads(req.path, new URLSearchParams(search), sessionIdFrom(req) !== null);
}

/** index.html, read again only when the build replaced it. */
function indexPage(distDir: string): () => string | null {
  const file = join(distDir, 'index.html');
  let cached: { mtimeMs: number; html: string } | null = null;
  return () => {
    if (!existsSync(file)) return null;
    const { mtimeMs } = statSync(file);
    if (!cached || cached.mtimeMs !== mtimeMs) cached = { mtimeMs, html: readFileSync(file, 'utf8') };
    return cached.html;
  };
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CHIS Flow</title></head>
<body><h1>The web UI is not built</h1><p>Run <code>npm run ui:build</code> (or <code>npm start</code>, which builds it) and reload. The API is at <a href="/api/openapi.json">/api</a>.</p></body></html>`;

/**
 * Serves the built single-page app (ui/dist) at `/`: hashed files from /assets with a year's
 * caching, and every other GET outside /api answered with index.html (client-side routes), never cached.
 * A missing file with an extension (a stale asset URL) is a 404, not the page.
 */
export function uiRouter(distDir: string): Router {
  const router = Router();
  const page = indexPage(distDir);
  const modulesOf = pageModules(distDir);
  router.use(
    '/assets',
    express.static(join(distDir, 'assets'), {
      index: false,
      setHeaders: (res, path) => {
        res.setHeader('X-Content-Type-Options', 'nosniff');
        // Vite's outputs and the versioned NHS stylesheet never change under one name; icons might.
        const hashed =
          /-[A-Za-z0-9_-]{8,}\.(js|css)$/.test(path) || /nhsuk-frontend-\d+\.\d+\.\d+\.min\.css$/.test(path);
        res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'public, max-age=86400');
      },
    }),
    (_req, res) => void res.status(404).type('text').send('Not found'),
  );
  router.get(/^\/(?!api(\/|$)).*/, (req, res, next) => {
    if (extname(req.path) !== '') return next();
    const html = page();
    const styleNonce = randomBytes(18).toString('base64');
    pageHeaders(res, styleNonce);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Vary', 'Cookie'); // the preloads depend on whether a session cookie came
    if (html === null) res.status(503).type('html').send(NOT_BUILT);
    else
      res
        .status(200)
        .type('html')
        .send(
          withPreloads(html.replaceAll(STYLE_NONCE_PLACEHOLDER, styleNonce), firstReadsOf(req), modulesOf(req.path)),
        );
  });
  return router;
}

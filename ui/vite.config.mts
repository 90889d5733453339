import { createReadStream, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const uiRoot = dirname(fileURLToPath(import.meta.url));
const nhsukDist = resolve(uiRoot, '../node_modules/nhsuk-frontend/dist/nhsuk');
const nhsukVersion = (JSON.parse(readFileSync(resolve(nhsukDist, '../../package.json'), 'utf8')) as { version: string })
  .version;
/** Where index.html links the NHS stylesheet; the version in the name lets it be cached for a year. */
export const NHSUK_CSS = `/assets/nhsuk-frontend-${nhsukVersion}.min.css`;

/**
 * The nhsuk-frontend stylesheet and its images are served as they are published, not put
 * through the bundler: Vite's CSS minifier (lightningcss) refuses the stylesheet's old IE
 * hacks, and the stylesheet refers to its icons as /assets/images/*.
 */
function nhsukAssets(): Plugin {
  const images = readdirSync(join(nhsukDist, 'assets/images'));
  return {
    name: 'chis-nhsuk-assets',
    transformIndexHtml: (html) => html.replace('%NHSUK_CSS%', NHSUK_CSS),
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0];
        const file =
          path === NHSUK_CSS
            ? join(nhsukDist, 'nhsuk-frontend.min.css')
            : path.startsWith('/assets/images/') && images.includes(path.slice('/assets/images/'.length))
              ? join(nhsukDist, path.slice(1))
              : null;
        if (!file) return next();
        res.setHeader(
          'Content-Type',
          file.endsWith('.css') ? 'text/css' : file.endsWith('.svg') ? 'image/svg+xml' : 'application/octet-stream',
        );
        createReadStream(file).pipe(res);
      });
    },
    generateBundle() {
      this.emitFile({
        type: 'asset',
        fileName: NHSUK_CSS.slice(1),
        source: readFileSync(join(nhsukDist, 'nhsuk-frontend.min.css')),
      });
      for (const name of images) {
        const path = join(nhsukDist, 'assets/images', name);
        if (statSync(path).isFile())
          this.emitFile({ type: 'asset', fileName: `assets/images/${name}`, source: readFileSync(path) });
      }
    },
  };
}

export default defineConfig({
  root: uiRoot,
  base: '/',
  publicDir: false,
  plugins: [nhsukAssets()],
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: resolve(uiRoot, 'dist'),
    // dist/.vite/manifest.json: which files each screen needs (the server preloads the caseworker's screens).
    manifest: true,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // One chunk per lazily loaded screen; the first page loads the shell only.
    chunkSizeWarningLimit: 300,
  },
  server: {
    host: '127.0.0.1',
    port: Number(process.env.CHIS_UI_DEV_PORT ?? 5173),
    strictPort: true,
    // The API runs in `npm start`; the dev server forwards /api to it (same origin for the cookie).
    proxy: { '/api': `http://127.0.0.1:${process.env.CHIS_PORT ?? 3000}` },
  },
});

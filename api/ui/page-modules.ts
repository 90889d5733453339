import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The code of the screens people keep open all day, preloaded by the page itself: the screen's
 * chunk is otherwise found only once the app's main bundle has run (one more round trip before
 * the first row). Read from the build's manifest (ui/vite.config.mts: build.manifest).
 */
const SCREENS: ReadonlyArray<{ path: RegExp; chunk: string }> = [
  { path: /^\/my-work$/, chunk: 'MyWorkPage' },
  { path: /^\/tasks\/[^/]+$/, chunk: 'TaskPage' },
];

interface ManifestChunk {
  file: string;
  name?: string;
  isEntry?: boolean;
  imports?: string[];
}
type Manifest = Record<string, ManifestChunk>;

/** The files a page's screen needs beyond the main bundle (already in the page), read again only when the build changed. */
export function pageModules(distDir: string): (path: string) => string[] {
  const file = join(distDir, '.vite', 'manifest.json');
  let cached: { mtimeMs: number; manifest: Manifest } | null = null;
  const manifest = (): Manifest | null => {
    if (!existsSync(file)) return null;
    const { mtimeMs } = statSync(file);
    if (!cached || cached.mtimeMs !== mtimeMs)
      cached = { mtimeMs, manifest: JSON.parse(readFileSync(file, 'utf8')) as Manifest };
    return cached.manifest;
  };
  return (path) => {
    const screen = SCREENS.find((s) => s.path.test(path));
    const chunks = screen ? manifest() : null;
    if (!screen || !chunks) return [];
    const key = Object.keys(chunks).find((k) => chunks[k].name === screen.chunk && !chunks[k].isEntry);
    const files: string[] = [];
    const visit = (k: string) => {
      const chunk = chunks[k];
      if (!chunk || chunk.isEntry || files.includes(`/${chunk.file}`)) return;
      files.push(`/${chunk.file}`);
      chunk.imports?.forEach(visit);
    };
    if (key) visit(key);
    return files;
  };
}

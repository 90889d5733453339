/**
 * The API reads a page's first screen makes at once, known from its address alone. index.html
 * names them as preloads, so the browser asks for them while the app's code is still loading;
 * the app's own identical requests then take those answers instead of asking again. Without
 * this, "who is signed in" went out only once the whole bundle had run, and My work's queue
 * only once that answer was back: two round trips in a row before the first row.
 *
 * The paths must be the ones the app asks for, byte for byte (ui/src/pages/MyWorkPage.tsx,
 * ui/src/app/auth.tsx); test/ui/caseworker.test.ts checks that each is asked once.
 */

/** The API path of a My work queue (the `queue` parameter of /my-work), as MyWorkPage asks for it. */
export function queueApiPath(queueId: string): string {
  if (queueId.startsWith('locality:'))
    return `/api/tasks/queues/locality/${encodeURIComponent(queueId.slice('locality:'.length))}`;
  if (queueId.startsWith('process:'))
    return `/api/tasks/queues/process/${encodeURIComponent(queueId.slice('process:'.length))}`;
  if (['unclaimed', 'due-today', 'overdue'].includes(queueId)) return `/api/tasks/queues/${queueId}`;
  return '/api/tasks/queues/mine';
}

/**
 * Only what stands between the page and its first row: who is signed in and, on My work, the
 * queue shown. `signedIn`: the request carries a session cookie (without one nothing is asked
 * in vain). The queue counts are left to the page: counting takes longer than the rows, and
 * asked at the same time it slowed the app's own files and the rows on a busy machine
 * (bench/ui.ts measures both ways).
 */
export function firstReads(path: string, query: URLSearchParams, signedIn: boolean): string[] {
  if (!signedIn || path.startsWith('/sign-in')) return [];
  return path === '/my-work' ? ['/api/auth/me', queueApiPath(query.get('queue') ?? 'mine')] : ['/api/auth/me'];
}

const ATTRIBUTE_UNSAFE = /[&"<>]/g;
const escapeAttribute = (value: string) => value.replace(ATTRIBUTE_UNSAFE, (c) => `&#${c.charCodeAt(0)};`);

/**
 * `crossorigin` makes a read's preload a CORS-mode request with same-origin credentials: what
 * fetch() sends. Modules are preloaded as the app's dynamic import() asks for them.
 */
export function preloadLinks(reads: readonly string[], modules: readonly string[] = []): string {
  return [
    ...modules.map((href) => `<link rel="modulepreload" crossorigin href="${escapeAttribute(href)}" />`),
    ...reads.map((href) => `<link rel="preload" as="fetch" crossorigin href="${escapeAttribute(href)}" />`),
  ].join('');
}

/** The preloads go last in the head: the browser asks for the app's own files first. */
export function withPreloads(html: string, reads: readonly string[], modules: readonly string[] = []): string {
  return reads.length + modules.length === 0 ? html : html.replace('</head>', `${preloadLinks(reads, modules)}</head>`);
}

// Container healthcheck without curl in the image: exits 0 when GET <url> answers 2xx in time.
const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: node docker/http-probe.mjs <url>\n');
  process.exit(2);
}
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  process.stderr.write(`${url}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

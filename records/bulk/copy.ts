import type { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { finished } from 'node:stream/promises';

/** Streams chunks of ready-made COPY text (tab-separated, \N for null, newline-terminated rows) into a table. */
export async function copyRows(
  client: Client,
  table: string,
  columns: readonly string[],
  chunks: readonly string[],
): Promise<void> {
  if (chunks.length === 0) return;
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  const done = finished(stream);
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await done;
}

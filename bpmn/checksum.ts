import { createHash } from 'node:crypto';

/** sha256 (hex) of the XML with line endings normalised, so a CRLF checkout is "the same diagram". */
export function definitionChecksum(xml: string): string {
  return createHash('sha256').update(xml.replace(/\r\n?/g, '\n'), 'utf8').digest('hex');
}

import { useEffect, useState } from 'react';

/** A message for the next page (e.g. "Task completed" shown on My work after completing it). */
let pending: string | null = null;

export function setFlash(message: string): void {
  pending = message;
}

/**
 * The message for this page, and a setter for later notices. It is cleared once the page has
 * mounted, not when first read: a render React throws away (a lazy part still loading) reads
 * it again rather than losing it.
 */
export function useFlash(): [string | null, (notice: string | null) => void] {
  const [notice, setNotice] = useState<string | null>(() => pending);
  useEffect(() => {
    pending = null;
  }, []);
  return [notice, setNotice];
}

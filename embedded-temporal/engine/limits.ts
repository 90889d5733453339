import { invalidArgument } from '../errors';

/**
 * Limits a real server takes from its dynamic configuration, with the same defaults and keys, so
 * `--dynamic-config-value key=value` (as given to `temporal server start-dev`) sets them here too.
 */
export interface ServerLimits {
  /** WorkflowTaskStarted suggests continue-as-new once history holds this many events... */
  historyCountSuggestContinueAsNew: number;
  /** ...or this many bytes. */
  historySizeSuggestContinueAsNew: number;
  /** Largest payload blob (a command's or request's payloads) accepted, in bytes. */
  blobSizeLimitError: number;
  /** Largest memo accepted, in bytes. */
  memoSizeLimitError: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  historyCountSuggestContinueAsNew: 4 * 1024,
  historySizeSuggestContinueAsNew: 4 * 1024 * 1024,
  blobSizeLimitError: 2 * 1024 * 1024,
  memoSizeLimitError: 2 * 1024 * 1024,
};

const DYNAMIC_CONFIG_KEYS: Record<string, keyof ServerLimits> = {
  'limit.historyCount.suggestContinueAsNew': 'historyCountSuggestContinueAsNew',
  'limit.historySize.suggestContinueAsNew': 'historySizeSuggestContinueAsNew',
  'limit.blobSize.error': 'blobSizeLimitError',
  'limit.memoSize.error': 'memoSizeLimitError',
};

/**
 * Applies `key=value` settings (the dev server's --dynamic-config-value); returns the ones this
 * server does not know, so the caller can say so. A known key with a bad value throws.
 */
export function applyDynamicConfig(limits: ServerLimits, settings: string[]): string[] {
  const unknown: string[] = [];
  for (const setting of settings) {
    const eq = setting.indexOf('=');
    const key = eq > 0 ? setting.slice(0, eq) : setting;
    const field = DYNAMIC_CONFIG_KEYS[key];
    if (!field) {
      unknown.push(setting);
      continue;
    }
    // The dev server takes YAML values; a limit is a plain integer.
    const value = Number(setting.slice(eq + 1).trim());
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`--dynamic-config-value ${key} must be a positive integer, got "${setting.slice(eq + 1)}"`);
    limits[field] = value;
  }
  return unknown;
}

type Payload = { data?: Uint8Array | null; metadata?: Record<string, Uint8Array> | null } | null | undefined;

/** The encoded size of payloads, near enough to compare with a limit of megabytes (a few bytes of framing left out). */
export function payloadsSize(payloads: Payload[] | null | undefined): number {
  let size = 0;
  for (const p of payloads ?? []) {
    size += (p?.data?.length ?? 0) + 4;
    for (const [key, value] of Object.entries(p?.metadata ?? {})) size += key.length + (value?.length ?? 0) + 6;
  }
  return size;
}

/**
 * A real server's checks on what a client sends (frontend CheckEventBlobSizeLimit and the memo
 * check): payloads over limit.blobSize.error and a memo over limit.memoSize.error are refused.
 */
export function checkRequestSizes(
  limits: ServerLimits,
  sizes: { payloads?: (Payload[] | null | undefined)[]; memo?: Record<string, Payload> | null },
): void {
  for (const payloads of sizes.payloads ?? [])
    if (payloadsSize(payloads) > limits.blobSizeLimitError) throw invalidArgument('Blob data size exceeds limit.');
  if (sizes.memo && payloadsSize(Object.values(sizes.memo)) > limits.memoSizeLimitError)
    throw invalidArgument('Memo size exceeds limit.');
}

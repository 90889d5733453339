/**
 * Drafts of diagrams kept in this browser (localStorage) until they are deployed: a diagram
 * holds no personal data, and a draft is only ever the person's own work in progress.
 */
const PREFIX = 'chis-flow:draft:';

export interface DraftInfo {
  key: string;
  savedAt: string;
}

export function saveDraft(key: string, xml: string): void {
  window.localStorage.setItem(PREFIX + key, JSON.stringify({ xml, savedAt: new Date().toISOString() }));
}

export async function loadDraft(key: string): Promise<string | null> {
  const raw = window.localStorage.getItem(PREFIX + key);
  if (!raw) return null;
  try {
    return (JSON.parse(raw) as { xml: string }).xml;
  } catch {
    return null;
  }
}

export function deleteDraft(key: string): void {
  window.localStorage.removeItem(PREFIX + key);
}

export function listDrafts(): DraftInfo[] {
  const drafts: DraftInfo[] = [];
  for (let i = 0; i < window.localStorage.length; i++) {
    const name = window.localStorage.key(i);
    if (!name?.startsWith(PREFIX)) continue;
    try {
      const { savedAt } = JSON.parse(window.localStorage.getItem(name) ?? '{}') as { savedAt?: string };
      drafts.push({ key: name.slice(PREFIX.length), savedAt: savedAt ?? '' });
    } catch {
      // not ours to read
    }
  }
  return drafts.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
}

/** Built-in search attributes (IndexedValueType numbers) and the dev server's predefined custom ones. */
export const SYSTEM_SEARCH_ATTRIBUTES: Record<string, number> = {
  WorkflowId: 2,
  RunId: 2,
  WorkflowType: 2,
  ExecutionStatus: 2,
  TaskQueue: 2,
  StartTime: 6,
  CloseTime: 6,
  ExecutionTime: 6,
  HistoryLength: 3,
  TemporalScheduledStartTime: 6,
  TemporalScheduledById: 2,
  TemporalSchedulePaused: 5,
};

/**
 * Attributes only the server sets: a start that names one is refused, as by a real server. (The
 * Temporal* schedule attributes are predefined there, not system, so they are left out.)
 */
export const BUILT_IN_SEARCH_ATTRIBUTES = new Set([
  ...Object.keys(SYSTEM_SEARCH_ATTRIBUTES).filter((name) => !name.startsWith('Temporal')),
  'ExecutionDuration',
  'HistorySizeBytes',
  'StateTransitionCount',
  'ParentWorkflowId',
  'ParentRunId',
  'RootWorkflowId',
  'RootRunId',
]);

/** Predefined attributes a real server knows in every namespace (SDKs and tools set them). */
export const PREDEFINED_SEARCH_ATTRIBUTES: Record<string, number> = {
  TemporalChangeVersion: 7,
  BinaryChecksums: 7,
  BuildIds: 7,
  BatcherNamespace: 2,
  BatcherUser: 2,
};

/** System attributes a list query may name besides the custom ones (set by schedules on what they start). */
export const QUERYABLE_SYSTEM_ATTRIBUTES: [string, number][] = [
  ['TemporalScheduledStartTime', 6],
  ['TemporalScheduledById', 2],
  // Set by the server on every workflow task completion (engine/worker-versioning.ts updateBuildIds).
  ['BuildIds', 7],
];

export const PREDEFINED_CUSTOM_SEARCH_ATTRIBUTES: Record<string, number> = {
  CustomKeywordField: 2,
  CustomStringField: 1,
  CustomTextField: 1,
  CustomIntField: 3,
  CustomDoubleField: 4,
  CustomBoolField: 5,
  CustomDatetimeField: 6,
};

const TYPE_NAMES: Record<string, number> = {
  text: 1,
  keyword: 2,
  int: 3,
  double: 4,
  bool: 5,
  datetime: 6,
  keywordlist: 7,
};

/** Parses a CLI type name (Keyword, Int, KeywordList, ...) into an IndexedValueType number. */
export function searchAttributeType(name: string): number {
  const t = TYPE_NAMES[name.toLowerCase().replace(/[_\s]/g, '')];
  if (t === undefined)
    throw new Error(
      `unknown search attribute type "${name}" (expected one of Text, Keyword, Int, Double, Bool, Datetime, KeywordList)`,
    );
  return t;
}

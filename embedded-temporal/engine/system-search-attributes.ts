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

/** System attributes a list query may name besides the custom ones (set by schedules on what they start). */
export const QUERYABLE_SYSTEM_ATTRIBUTES: [string, number][] = [
  ['TemporalScheduledStartTime', 6],
  ['TemporalScheduledById', 2],
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

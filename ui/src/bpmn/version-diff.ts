/**
 * What changed between two versions of a diagram: bpmn-js-differ finds added, removed and
 * moved elements; the settings are compared here, because the differ reports an element
 * whose Zeebe extension changed with no attribute detail (a due date P14D → P12D shows as
 * "changed" with empty attrs). Each element's settings are flattened into labelled values
 * (name, documentation, every zeebe: extension, timers, messages, conditions, its form) and
 * the two versions compared value by value.
 */
import { diff } from 'bpmn-js-differ';

interface Moddle {
  $type: string;
  id?: string;
  name?: string;
  [key: string]: unknown;
}

export interface PropertyChange {
  property: string;
  before: string | null;
  after: string | null;
}

export type ChangeKind = 'added' | 'removed' | 'changed' | 'layout';

export interface ElementChange {
  id: string;
  name: string;
  type: string;
  kind: ChangeKind;
  properties: PropertyChange[];
}

const LABELS: Record<string, string> = {
  'TaskSchedule.dueDate': 'Due date',
  'TaskSchedule.followUpDate': 'Follow-up date',
  'AssignmentDefinition.assignee': 'Assignee',
  'AssignmentDefinition.candidateGroups': 'Candidate groups',
  'AssignmentDefinition.candidateUsers': 'Candidate users',
  'PriorityDefinition.priority': 'Priority',
  'TaskDefinition.type': 'Job type',
  'TaskDefinition.retries': 'Retries',
  'FormDefinition.formKey': 'Form key',
  'FormDefinition.formId': 'Linked form',
  'CalledElement.processId': 'Called process',
  'CalledElement.propagateAllChildVariables': 'Pass all child variables back',
  'Script.expression': 'Script',
  'Script.resultVariable': 'Result variable',
  'CalledDecision.decisionId': 'Decision',
  'CalledDecision.resultVariable': 'Result variable',
  'LoopCharacteristics.inputCollection': 'Input collection',
  'LoopCharacteristics.inputElement': 'Input element',
  'LoopCharacteristics.outputCollection': 'Output collection',
  'LoopCharacteristics.outputElement': 'Output element',
};

const local = (type: string) => type.replace(/^[a-z]+:/, '');
const text = (v: unknown): string | null =>
  v === undefined || v === null ? null : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** Plain attributes of a moddle element (not $-prefixed, not nested elements). */
function attributes(el: Moddle): Array<[string, unknown]> {
  return Object.entries(el).filter(([k, v]) => !k.startsWith('$') && (typeof v !== 'object' || v === null));
}

/** A form-js schema as one line per field: what a reader checks when a form changes. */
function formSummary(body: unknown): string {
  try {
    const schema = JSON.parse(String(body)) as { components?: Array<Record<string, unknown>> };
    const lines: string[] = [];
    const walk = (components: Array<Record<string, unknown>> = []) => {
      for (const c of components) {
        if (Array.isArray(c.components)) walk(c.components as Array<Record<string, unknown>>);
        if (!c.key) continue;
        const validate = c.validate as { required?: boolean } | undefined;
        const values = Array.isArray(c.values)
          ? ` [${(c.values as Array<{ value: string }>).map((v) => v.value).join(', ')}]`
          : '';
        lines.push(
          `${String(c.key)}: ${String(c.type)}${validate?.required ? ', required' : ''}${values} "${String(c.label ?? c.dateLabel ?? '')}"`,
        );
      }
    };
    walk(schema.components);
    return lines.join('; ');
  } catch {
    return String(body);
  }
}

function extensionValues(el: Moddle | undefined): Moddle[] {
  const ext = el?.extensionElements as Moddle | undefined;
  return ((ext?.values as Moddle[] | undefined) ?? []).filter(Boolean);
}

/** The labelled settings of one element. `forms` resolves a formKey to the form body. */
export function settingsOf(el: Moddle, forms: Map<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  const put = (label: string, value: unknown) => {
    const t = text(value);
    if (t !== null && t !== '') out.set(label, t);
  };
  put('Name', el.name);
  const docs = (el.documentation as Moddle[] | undefined) ?? [];
  put('Documentation', docs.map((d) => d.text).join('\n'));
  if (el.$type === 'bpmn:SequenceFlow') put('Condition', (el.conditionExpression as Moddle | undefined)?.body);
  if (typeof el.default === 'object' && el.default) put('Default flow', (el.default as Moddle).id);
  for (const [k, v] of attributes(el)) if (!['id', 'name'].includes(k)) put(k, v);
  for (const def of (el.eventDefinitions as Moddle[] | undefined) ?? []) {
    const kind = local(def.$type).replace('EventDefinition', '');
    for (const t of ['timeDate', 'timeDuration', 'timeCycle'])
      if (def[t]) put(`${kind} ${t.replace('time', '').toLowerCase()}`, (def[t] as Moddle).body);
    const message = def.messageRef as Moddle | undefined;
    if (message) {
      put('Message', message.name);
      const sub = extensionValues(message).find((v) => v.$type === 'zeebe:Subscription');
      put('Correlation key', sub?.correlationKey);
    }
    for (const ref of ['errorRef', 'escalationRef', 'signalRef']) {
      const r = def[ref] as Moddle | undefined;
      if (r) put(`${kind} code`, r.errorCode ?? r.escalationCode ?? r.name);
    }
  }
  const loop = el.loopCharacteristics as Moddle | undefined;
  if (loop) {
    put('Multi-instance', loop.isSequential ? 'sequential' : 'parallel');
    for (const v of extensionValues(loop))
      for (const [k, val] of attributes(v)) put(LABELS[`LoopCharacteristics.${k}`] ?? k, val);
  }
  for (const v of extensionValues(el)) {
    const type = local(v.$type);
    if (type === 'IoMapping') {
      for (const p of (v.inputParameters as Moddle[] | undefined) ?? []) put(`Input ${String(p.target)}`, p.source);
      for (const p of (v.outputParameters as Moddle[] | undefined) ?? []) put(`Output ${String(p.target)}`, p.source);
    } else if (type === 'TaskHeaders') {
      for (const h of (v.values as Moddle[] | undefined) ?? []) put(`Header ${String(h.key)}`, h.value);
    } else if (type === 'Properties') {
      for (const p of (v.properties as Moddle[] | undefined) ?? []) put(`Property ${String(p.name)}`, p.value);
    } else if (type === 'UserTaskForm') {
      put(`Form ${String(v.id)}`, formSummary(v.body));
    } else if (type === 'ExecutionListeners' || type === 'TaskListeners') {
      for (const l of (v.listeners as Moddle[] | undefined) ?? [])
        put(`${type.replace('s', '')} ${String(l.eventType)}`, l.type);
    } else {
      for (const [k, val] of attributes(v)) put(LABELS[`${type}.${k}`] ?? `${type} ${k}`, val);
      if (type === 'FormDefinition' && typeof v.formKey === 'string') {
        const body = forms.get(v.formKey.replace(/^camunda-forms:bpmn:/, ''));
        if (body !== undefined) put('Form fields', formSummary(body));
      }
    }
  }
  return out;
}

function elementsOf(definitions: Moddle): { byId: Map<string, Moddle>; forms: Map<string, string> } {
  const byId = new Map<string, Moddle>();
  const forms = new Map<string, string>();
  const visit = (el: Moddle) => {
    if (!el || typeof el !== 'object' || !el.$type) return;
    if (el.id && el.$type !== 'bpmn:Definitions' && !el.$type.startsWith('bpmndi:')) byId.set(el.id, el);
    for (const v of extensionValues(el)) if (v.$type === 'zeebe:UserTaskForm') forms.set(String(v.id), String(v.body));
    for (const key of ['rootElements', 'flowElements', 'participants', 'artifacts'])
      for (const child of (el[key] as Moddle[] | undefined) ?? []) visit(child);
  };
  visit(definitions);
  return { byId, forms };
}

/** Every element that was added, removed, changed (with its changed settings) or only moved. */
export function compareVersions(before: unknown, after: unknown): ElementChange[] {
  const result = diff(before, after);
  const a = elementsOf(before as Moddle);
  const b = elementsOf(after as Moddle);
  const changes = new Map<string, ElementChange>();
  const describe = (el: Moddle, kind: ChangeKind, properties: PropertyChange[] = []): ElementChange => ({
    id: el.id!,
    name: el.name ?? '',
    type: el.$type,
    kind,
    properties,
  });
  for (const id of Object.keys(result._added)) {
    const el = b.byId.get(id);
    if (el && !el.$type.startsWith('bpmndi:')) changes.set(id, describe(el, 'added'));
  }
  for (const id of Object.keys(result._removed)) {
    const el = a.byId.get(id);
    if (el && !el.$type.startsWith('bpmndi:')) changes.set(id, describe(el, 'removed'));
  }
  // Settings compared for every element in both versions (the differ misses extension changes' detail).
  for (const [id, elB] of b.byId) {
    const elA = a.byId.get(id);
    if (!elA) continue;
    const sa = settingsOf(elA, a.forms);
    const sb = settingsOf(elB, b.forms);
    const properties: PropertyChange[] = [];
    for (const label of new Set([...sa.keys(), ...sb.keys()])) {
      const before = sa.get(label) ?? null;
      const after = sb.get(label) ?? null;
      if (before !== after) properties.push({ property: label, before, after });
    }
    for (const [attr, values] of Object.entries(result._changed[id]?.attrs ?? {})) {
      if (attr === 'name' || sa.has(attr) || sb.has(attr) || typeof values.newValue === 'object') continue;
      properties.push({ property: attr, before: text(values.oldValue), after: text(values.newValue) });
    }
    if (properties.length > 0 || result._changed[id]) changes.set(id, describe(elB, 'changed', properties));
  }
  for (const id of Object.keys(result._layoutChanged)) {
    if (changes.has(id)) continue;
    const el = b.byId.get(id) ?? a.byId.get(id);
    if (el) changes.set(id, describe(el, 'layout'));
  }
  const order: Record<ChangeKind, number> = { changed: 0, added: 1, removed: 2, layout: 3 };
  return [...changes.values()].sort((x, y) => order[x.kind] - order[y.kind] || x.id.localeCompare(y.id));
}

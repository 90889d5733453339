/**
 * Camunda 8 element templates generated from the activity catalogue: in the editor a service
 * manager picks "Email the GP practice" and fills its inputs as fields, instead of typing
 * `notify.emailGpPractice` and writing input mappings by hand. The same JSON Camunda Modeler
 * reads (bpmn-js-element-templates, CloudElementTemplatesPropertiesProviderModule).
 */
import { z } from 'zod';
import { ACTIVITY_CATALOGUE, type ActivityType } from '../../activities/catalogue';
import { ACTIVITY_CATEGORIES, ACTIVITY_TITLES } from './activity-titles';

export const ELEMENT_TEMPLATE_SCHEMA =
  'https://unpkg.com/@camunda/zeebe-element-templates-json-schema/resources/schema.json';
/** Template ids are `chis.<activity type>`; the version changes when the generator's output does. */
export const TEMPLATE_ID_PREFIX = 'chis.';
export const TEMPLATE_VERSION = 1;

type Binding =
  | { type: 'zeebe:taskDefinition'; property: 'type' | 'retries' }
  | { type: 'zeebe:input'; name: string }
  | { type: 'zeebe:output'; source: string };

export interface TemplateProperty {
  id?: string;
  label?: string;
  description?: string;
  type: 'Hidden' | 'String' | 'Text' | 'Dropdown';
  value?: string;
  group?: string;
  optional?: boolean;
  feel?: 'optional' | 'required';
  choices?: Array<{ name: string; value: string }>;
  constraints?: { notEmpty?: boolean; pattern?: { value: string; message: string } };
  binding: Binding;
}

export interface ElementTemplate {
  $schema: string;
  id: string;
  name: string;
  description: string;
  version: number;
  appliesTo: string[];
  elementType: { value: string };
  category: { id: string; name: string };
  groups: Array<{ id: string; label: string }>;
  properties: TemplateProperty[];
}

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  items?: JsonSchema;
}

const WORDS: Record<string, string> = { gp: 'GP', nhs: 'NHS', pds: 'PDS', id: 'id', chis: 'CHIS', ods: 'ODS' };

/** `gpPracticeCode` → "GP practice code". */
export function fieldLabel(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/\s+/)
    .map((w) => WORDS[w.toLowerCase()] ?? w.toLowerCase());
  const first = words[0] ?? key;
  words[0] = WORDS[first.toLowerCase()] ?? first.charAt(0).toUpperCase() + first.slice(1);
  return words.join(' ');
}

/** The JSON Schema kinds a value may have (unions flattened; null dropped). */
function kinds(s: JsonSchema): string[] {
  if (s.anyOf) return s.anyOf.flatMap(kinds);
  if (s.enum) return ['enum'];
  const t = Array.isArray(s.type) ? s.type : s.type ? [s.type] : ['any'];
  return t.filter((k) => k !== 'null');
}

function enumValues(s: JsonSchema): string[] | null {
  if (s.enum && s.enum.every((v) => typeof v === 'string')) return s.enum as string[];
  if (s.anyOf) {
    const parts = s.anyOf.filter((p) => !(p.type === 'null'));
    if (parts.length === 1) return enumValues(parts[0]);
  }
  return null;
}

function inputProperty(key: string, s: JsonSchema, required: boolean): TemplateProperty {
  const binding: Binding = { type: 'zeebe:input', name: key };
  const values = enumValues(s);
  const hasDefault = s.default !== undefined;
  if (values && required && !hasDefault) {
    return {
      id: `input.${key}`,
      label: fieldLabel(key),
      type: 'Dropdown',
      group: 'inputs',
      choices: values.map((v) => ({ name: v, value: v })),
      constraints: { notEmpty: true },
      binding,
    };
  }
  const k = kinds(s);
  const structured = k.some((x) => x === 'object' || x === 'array');
  const plainText = k.every((x) => x === 'string' || x === 'enum');
  const description = [
    values ? `One of: ${values.join(', ')}.` : '',
    structured ? 'A FEEL expression (starts with =).' : '',
    required && !hasDefault
      ? `Required by the activity: when left empty, the process variable ${key} is used.`
      : hasDefault
        ? `When left empty: ${JSON.stringify(s.default)}.`
        : 'Optional.',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    id: `input.${key}`,
    label: fieldLabel(key),
    description,
    type: 'String',
    group: 'inputs',
    optional: true,
    // Text values may be typed as they are; numbers, lists and records need an expression.
    feel: plainText ? 'optional' : 'required',
    binding,
  };
}

function outputProperty(key: string): TemplateProperty {
  return {
    id: `output.${key}`,
    label: `Keep ${fieldLabel(key).toLowerCase()} as`,
    description: `Name of the process variable to keep the result's ${key} in (empty: not kept under its own name).`,
    type: 'String',
    group: 'outputs',
    optional: true,
    binding: { type: 'zeebe:output', source: `=${key}` },
  };
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  return z.toJSONSchema(schema, { unrepresentable: 'any', io }) as JsonSchema;
}

export function templateFor(type: ActivityType): ElementTemplate {
  const d = ACTIVITY_CATALOGUE[type];
  const input = jsonSchema(d.input, 'input');
  const output = jsonSchema(d.output, 'output');
  const required = new Set(input.required ?? []);
  const prefix = type.split('.')[0];
  return {
    $schema: ELEMENT_TEMPLATE_SCHEMA,
    id: `${TEMPLATE_ID_PREFIX}${type}`,
    name: ACTIVITY_TITLES[type],
    description: d.description,
    version: TEMPLATE_VERSION,
    appliesTo: ['bpmn:Task'],
    elementType: { value: 'bpmn:ServiceTask' },
    category: { id: prefix, name: ACTIVITY_CATEGORIES[prefix] ?? prefix },
    groups: [
      { id: 'inputs', label: 'Inputs' },
      { id: 'outputs', label: 'Results' },
      { id: 'job', label: 'Retries' },
    ],
    properties: [
      { type: 'Hidden', value: type, binding: { type: 'zeebe:taskDefinition', property: 'type' } },
      ...Object.entries(input.properties ?? {}).map(([key, s]) => inputProperty(key, s, required.has(key))),
      ...Object.keys(output.properties ?? {}).map(outputProperty),
      {
        id: 'job.retries',
        label: 'Retries',
        description: "Attempts before an incident is raised (empty: the catalogue's retry policy).",
        type: 'String',
        group: 'job',
        optional: true,
        constraints: { pattern: { value: '^([1-9][0-9]{0,2})?$', message: 'Enter a whole number from 1 to 999' } },
        binding: { type: 'zeebe:taskDefinition', property: 'retries' },
      },
    ],
  };
}

/** One template per catalogue activity, by category then name. */
export function catalogueElementTemplates(): ElementTemplate[] {
  return (Object.keys(ACTIVITY_CATALOGUE) as ActivityType[])
    .map(templateFor)
    .sort((a, b) => a.category.name.localeCompare(b.category.name) || a.name.localeCompare(b.name));
}

/** Minimal typed access to bpmn-moddle elements (moddle objects are untyped at runtime). */

export interface ModdleElement {
  readonly $type: string;
  readonly $parent?: ModdleElement;
  readonly id?: string;
  readonly name?: string;
  $instanceOf(type: string): boolean;
  readonly [property: string]: unknown;
}

export function isModdleElement(value: unknown): value is ModdleElement {
  return typeof value === 'object' && value !== null && typeof (value as { $type?: unknown }).$type === 'string';
}

/** `is(el, 'bpmn:Task')` is true for bpmn:Task and every subtype. */
export function is(el: ModdleElement | undefined, type: string): boolean {
  return !!el && el.$instanceOf(type);
}

export function isAny(el: ModdleElement | undefined, types: readonly string[]): boolean {
  return types.some((t) => is(el, t));
}

export function str(el: ModdleElement | undefined, property: string): string | undefined {
  const v = el?.[property];
  return typeof v === 'string' ? v : undefined;
}

export function bool(el: ModdleElement | undefined, property: string): boolean | undefined {
  const v = el?.[property];
  return typeof v === 'boolean' ? v : undefined;
}

export function child(el: ModdleElement | undefined, property: string): ModdleElement | undefined {
  const v = el?.[property];
  return isModdleElement(v) ? v : undefined;
}

export function children(el: ModdleElement | undefined, property: string): ModdleElement[] {
  const v = el?.[property];
  return Array.isArray(v) ? v.filter(isModdleElement) : [];
}

/** The zeebe:* (or other) extension elements of the given type on an element. */
export function extensions(el: ModdleElement | undefined, type: string): ModdleElement[] {
  return children(child(el, 'extensionElements'), 'values').filter((v) => is(v, type));
}

export function extension(el: ModdleElement | undefined, type: string): ModdleElement | undefined {
  return extensions(el, type)[0];
}

/** bpmn:FormalExpression body (conditions, timers, completion conditions). */
export function body(el: ModdleElement | undefined): string | undefined {
  return str(el, 'body');
}

/** The one event definition of an event, or undefined for a none event. */
export function eventDefinition(el: ModdleElement): ModdleElement | undefined {
  return children(el, 'eventDefinitions')[0];
}

/** Short type for messages: `bpmn:ServiceTask` → `service task`. */
export function describeType(type: string): string {
  return type
    .replace(/^\w+:/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

/**
 * The Camunda Form embedded for a user task, as the engine reads it: the task's
 * `zeebe:formDefinition formKey="camunda-forms:bpmn:<id>"` names a `zeebe:userTaskForm id="<id>"`
 * in the process's extension elements, whose body is the form-js JSON.
 */
interface Moddle {
  $type: string;
  id?: string;
  get(name: string): unknown;
  $parent?: unknown;
}
interface Shape {
  id: string;
  type: string;
  businessObject: Moddle & { name?: string; extensionElements?: Moddle };
}
interface Services {
  get(name: string): unknown;
}
interface BpmnFactory {
  create(type: string, attrs?: Record<string, unknown>): Moddle;
}
interface CommandStack {
  execute(command: string, context: unknown): void;
}
interface Canvas {
  getRootElement(): Shape;
}

export const FORM_KEY_PREFIX = 'camunda-forms:bpmn:';

const valuesOf = (ext: Moddle | undefined): Moddle[] => (ext?.get('values') as Moddle[] | undefined) ?? [];

export interface EmbeddedForm {
  formId: string;
  schema: Record<string, unknown>;
}

/** The task's embedded form, null when it has none (or a linked or custom one). */
export function embeddedFormOf(diagram: Services, task: Shape): EmbeddedForm | null {
  const definition = valuesOf(task.businessObject.extensionElements).find((v) => v.$type === 'zeebe:FormDefinition');
  const formKey = definition?.get('formKey') as string | undefined;
  if (!formKey?.startsWith(FORM_KEY_PREFIX)) return null;
  const formId = formKey.slice(FORM_KEY_PREFIX.length);
  const root = (diagram.get('canvas') as Canvas).getRootElement();
  const form = valuesOf(root.businessObject.extensionElements).find(
    (v) => v.$type === 'zeebe:UserTaskForm' && v.id === formId,
  );
  if (!form) return null;
  try {
    return { formId, schema: JSON.parse((form.get('body') as string) || '{}') as Record<string, unknown> };
  } catch {
    return { formId, schema: {} };
  }
}

/** An empty form-js schema for a task that has no form yet. */
export function emptyFormSchema(formId: string): Record<string, unknown> {
  return { type: 'default', id: formId, schemaVersion: 16, components: [] };
}

function ensureExtensionElements(
  factory: BpmnFactory,
  bo: Moddle & { extensionElements?: Moddle },
  commands: unknown[],
  element: Shape,
) {
  let ext = bo.extensionElements;
  if (!ext) {
    ext = factory.create('bpmn:ExtensionElements', { values: [] });
    ext.$parent = bo;
    commands.push({
      cmd: 'element.updateModdleProperties',
      context: { element, moddleElement: bo, properties: { extensionElements: ext } },
    });
  }
  return ext;
}

/**
 * Writes the schema as the task's embedded form (one undoable command): updates the
 * existing zeebe:userTaskForm, or creates it and points the task's form definition at it.
 */
export function saveEmbeddedForm(
  diagram: Services,
  task: Shape,
  formId: string,
  schema: Record<string, unknown>,
): void {
  const factory = diagram.get('bpmnFactory') as BpmnFactory;
  const commandStack = diagram.get('commandStack') as CommandStack;
  const root = (diagram.get('canvas') as Canvas).getRootElement();
  const body = JSON.stringify(schema);
  const commands: unknown[] = [];
  const rootExt = ensureExtensionElements(factory, root.businessObject, commands, root);
  let form = valuesOf(rootExt).find((v) => v.$type === 'zeebe:UserTaskForm' && v.id === formId);
  if (form) {
    commands.push({
      cmd: 'element.updateModdleProperties',
      context: { element: root, moddleElement: form, properties: { body } },
    });
  } else {
    form = factory.create('zeebe:UserTaskForm', { id: formId, body });
    form.$parent = rootExt;
    commands.push({
      cmd: 'element.updateModdleProperties',
      context: { element: root, moddleElement: rootExt, properties: { values: [...valuesOf(rootExt), form] } },
    });
  }
  const taskExt = ensureExtensionElements(factory, task.businessObject, commands, task);
  const definition = valuesOf(taskExt).find((v) => v.$type === 'zeebe:FormDefinition');
  const formKey = `${FORM_KEY_PREFIX}${formId}`;
  if (!definition) {
    const created = factory.create('zeebe:FormDefinition', { formKey });
    created.$parent = taskExt;
    commands.push({
      cmd: 'element.updateModdleProperties',
      context: { element: task, moddleElement: taskExt, properties: { values: [...valuesOf(taskExt), created] } },
    });
  } else if (definition.get('formKey') !== formKey) {
    commands.push({
      cmd: 'element.updateModdleProperties',
      context: { element: task, moddleElement: definition, properties: { formKey, formId: undefined } },
    });
  }
  commandStack.execute('properties-panel.multi-command-executor', commands);
}

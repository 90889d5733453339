/**
 * Additions to the Zeebe properties panel: the candidate groups of a user task offered as a
 * choice from the known teams (the child's locality team as an expression over `locality`,
 * any single team, or a role), next to the free-text "Candidate groups" field it fills.
 */
import { SelectEntry } from '@bpmn-io/properties-panel';
import { h } from '@bpmn-io/properties-panel/preact';
import { useService } from 'bpmn-js-properties-panel';
import type { CandidateGroups } from '../api/processes';

interface ModdleElement {
  $type: string;
  get(name: string): unknown;
}
interface DiagramElement {
  id: string;
  businessObject: ModdleElement & { extensionElements?: ModdleElement };
}
interface Group {
  id: string;
  entries: Array<Record<string, unknown>>;
}
interface BpmnFactory {
  create(type: string, attrs?: Record<string, unknown>): ModdleElement & { $parent?: unknown };
}
interface CommandStack {
  execute(command: string, context: unknown): void;
}

const ENTRY_ID = 'chisCandidateGroupChoice';
export const OTHER = '';

function assignmentOf(element: DiagramElement): ModdleElement | undefined {
  const values = (element.businessObject.extensionElements?.get('values') as ModdleElement[] | undefined) ?? [];
  return values.find((v) => v.$type === 'zeebe:AssignmentDefinition');
}

/** The choices, as [value, label]: what the select offers and writes into candidateGroups. */
export function candidateGroupChoices(groups: CandidateGroups): Array<{ value: string; label: string }> {
  return [
    { value: OTHER, label: 'Other (type it in Candidate groups)' },
    ...groups.localityTeams.map((t) => ({ value: t.expression, label: `The child's locality: ${t.label}` })),
    ...groups.teams.map((t) => ({ value: t.code, label: `Team: ${t.name}` })),
    ...groups.roles.map((r) => ({ value: r, label: `Role: ${r.replace(/_/g, ' ')}` })),
  ];
}

function CandidateGroupChoice(props: { element: DiagramElement }) {
  const { element } = props;
  const { candidateGroups: groups } = useService<{ candidateGroups: CandidateGroups }>('config.chis');
  const commandStack = useService<CommandStack>('commandStack');
  const bpmnFactory = useService<BpmnFactory>('bpmnFactory');
  const choices = candidateGroupChoices(groups);
  const getValue = () => {
    const current = (assignmentOf(element)?.get('candidateGroups') as string | undefined) ?? '';
    return choices.some((c) => c.value === current) ? current : OTHER;
  };
  const setValue = (value: string) => {
    if (value === OTHER) return;
    const bo = element.businessObject;
    const commands: unknown[] = [];
    let extensionElements = bo.extensionElements;
    if (!extensionElements) {
      extensionElements = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
      (extensionElements as { $parent?: unknown }).$parent = bo;
      commands.push({
        cmd: 'element.updateModdleProperties',
        context: { element, moddleElement: bo, properties: { extensionElements } },
      });
    }
    let assignment = assignmentOf(element);
    if (!assignment) {
      assignment = bpmnFactory.create('zeebe:AssignmentDefinition', {});
      (assignment as { $parent?: unknown }).$parent = extensionElements;
      commands.push({
        cmd: 'element.updateModdleProperties',
        context: {
          element,
          moddleElement: extensionElements,
          properties: { values: [...((extensionElements.get('values') as unknown[]) ?? []), assignment] },
        },
      });
    }
    commands.push({
      cmd: 'element.updateModdleProperties',
      context: { element, moddleElement: assignment, properties: { candidateGroups: value } },
    });
    commandStack.execute('properties-panel.multi-command-executor', commands);
  };
  return h(SelectEntry, {
    element,
    id: ENTRY_ID,
    label: 'Candidate groups from the known teams',
    description: 'Fills Candidate groups below; choose Other to write your own.',
    getValue,
    setValue,
    getOptions: () => choices,
  });
}

class ChisPropertiesProvider {
  static $inject = ['propertiesPanel', 'config.chis'];
  constructor(
    propertiesPanel: { registerProvider(priority: number, provider: unknown): void },
    private readonly config: { candidateGroups: CandidateGroups } | undefined,
  ) {
    propertiesPanel.registerProvider(400, this);
  }
  getGroups(element: DiagramElement) {
    return (groups: Group[]) => {
      const assignment = groups.find((g) => g.id === 'assignmentDefinition');
      if (assignment && element.businessObject.$type === 'bpmn:UserTask' && this.config) {
        const at = assignment.entries.findIndex((e) => e.id === 'assignmentDefinitionCandidateGroups');
        assignment.entries.splice(at < 0 ? assignment.entries.length : at, 0, {
          id: ENTRY_ID,
          element,
          component: CandidateGroupChoice,
          isEdited: () => false,
        });
      }
      return groups;
    };
  }
}

export const ChisPropertiesModule = {
  __init__: ['chisPropertiesProvider'],
  chisPropertiesProvider: ['type', ChisPropertiesProvider],
};

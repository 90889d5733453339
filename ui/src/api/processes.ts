/**
 * The process API as the service manager's screens read it (api/routes/process-*.ts):
 * definitions and versions, the editor's dry run and deployment, instances and their state.
 */
import { api, query } from './client';

export interface InstanceCounts {
  running: number;
  incident: number;
}

export interface DefinitionVersion {
  key: string;
  version: number;
  name: string | null;
  checksum: string;
  deployedAt: string;
  deployedBy: string | null;
}

export interface DefinitionSummary extends DefinitionVersion {
  instances: InstanceCounts & { byVersion: Array<InstanceCounts & { version: number }> };
}

export interface VersionRow extends DefinitionVersion {
  instances: InstanceCounts;
}

export type Severity = 'error' | 'warning';

export interface DiagramProblem {
  severity: Severity;
  elementId: string | null;
  rule: string;
  message: string;
  field: string;
}

export interface Validation {
  processId: string | null;
  deployable: boolean;
  errors: number;
  warnings: number;
  problems: DiagramProblem[];
}

export interface DeployResult {
  status: 'deployed' | 'unchanged';
  definition: DefinitionVersion;
  warnings: Array<{ elementId?: string; rule: string; message: string }>;
}

export interface CandidateGroups {
  localityTeams: Array<{ suffix: string; label: string; expression: string }>;
  teams: Array<{ code: string; name: string; locality: string | null }>;
  roles: string[];
}

export type InstanceStatus = 'running' | 'completed' | 'incident' | 'cancelled' | 'terminated' | 'failed';

export interface InstanceRow {
  id: string;
  key: string;
  version: number;
  definitionName: string | null;
  businessKey: string | null;
  status: InstanceStatus;
  startedBy: string | null;
  startedAt: string;
  endedAt: string | null;
  updatedAt: string;
}

export interface ActiveElement {
  elementInstanceId: string;
  elementId: string;
  parentId: string | null;
  kind: 'process' | 'node' | 'multiInstanceBody';
  startedAt: string | null;
  state: 'active' | 'incident';
  variables: Record<string, unknown>;
}

export interface CompletedElement {
  elementInstanceId: string;
  elementId: string;
  startedAt: string | null;
  endedAt: string | null;
  state: string;
}

export interface Incident {
  id: string;
  elementId: string;
  elementInstanceId: string;
  kind: string;
  message: string;
  createdAt: string | null;
}

export interface OpenUserTask {
  taskId: string;
  elementId: string;
  name: string;
  createdAt: string | null;
  taskStatus: string | null;
  assignee: string | null;
  dueAt: string | null;
}

export interface InstanceState {
  status: InstanceStatus;
  startedAt: string | null;
  endedAt: string | null;
  active: ActiveElement[];
  completed: CompletedElement[];
  completedDropped: number;
  variables: Record<string, unknown>;
  incidents: Incident[];
  openUserTasks: OpenUserTask[];
  failure?: { errorCode?: string; message: string };
}

export interface InstanceDetail extends InstanceRow {
  state: InstanceState | null;
  stateUnavailable?: string;
}

export interface ElementStats {
  key: string;
  version: number;
  running: number;
  counted: number;
  unavailable: number;
  elements: Array<{ elementId: string; active: number; incidents: number }>;
}

const enc = encodeURIComponent;

export const processApi = {
  definitions: () => api<{ definitions: DefinitionSummary[] }>('/process-definitions'),
  versions: (key: string) => api<{ key: string; versions: VersionRow[] }>(`/process-definitions/${enc(key)}/versions`),
  xml: (key: string, version?: number) =>
    api<string>(
      version === undefined
        ? `/process-definitions/${enc(key)}/xml`
        : `/process-definitions/${enc(key)}/versions/${version}/xml`,
      { text: true },
    ),
  validate: (xml: string, signal?: AbortSignal) =>
    api<Validation>('/process-definitions/validate', { body: { xml }, signal }),
  deploy: (xml: string) => api<DeployResult>('/process-definitions', { body: { xml } }),
  elementTemplates: () => api<{ templates: unknown[] }>('/process-definitions/element-templates'),
  candidateGroups: () => api<CandidateGroups>('/process-definitions/candidate-groups'),
  elementStats: (key: string, version: number) =>
    api<ElementStats>(`/process-definitions/${enc(key)}/versions/${version}/element-stats`),
  instances: (filters: Record<string, string | number | boolean | null | undefined>) =>
    api<{ instances: InstanceRow[]; next: string | null }>(`/process-instances${query(filters)}`),
  instance: (id: string) => api<InstanceDetail>(`/process-instances/${enc(id)}`),
  cancel: (id: string, reason: string) =>
    api<{ status: string }>(`/process-instances/${enc(id)}/cancel`, { body: { reason } }),
  message: (id: string, body: { name: string; correlationKey?: string | null; variables: Record<string, unknown> }) =>
    api<{ name: string }>(`/process-instances/${enc(id)}/messages`, { body }),
  retry: (id: string, incidentId: string, variables?: Record<string, unknown>) =>
    api<{ status: string }>(`/process-instances/${enc(id)}/incidents/${enc(incidentId)}/retry`, {
      body: variables ? { variables } : {},
    }),
};

/**
 * S12 The BPMN editor: the Zeebe properties panel, activities from the catalogue, candidate
 * groups from the known teams, the task form editor; the diagram checked by the server as the
 * person edits (problems on the elements and in a list); deploy with a confirmation.
 */
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { ApiProblem } from '../../api/client';
import { processApi, type DeployResult, type DiagramProblem, type VersionRow } from '../../api/processes';
import { diagramElements, type DiagramElementRow, type ShapeLike } from '../../bpmn/diagram-elements';
import { embeddedFormOf, emptyFormSchema, saveEmbeddedForm } from '../../bpmn/embedded-form';
import { createModeler, newDiagramXml, type Modeler } from '../../bpmn/modeler';
import { drawProblems, problemsFromDeployErrors } from '../../bpmn/problems';
import { TemplateChooser, type TemplateSummary } from '../../bpmn/TemplateChooser';
import { Link, useLocation, useParams } from '../../app/router';
import { Loading } from '../../app/App';
import { Dialog } from '../../manager/Dialog';
import { ElementsTable } from '../../manager/ElementsTable';
import { problemCounts, ProblemsList } from '../../manager/ProblemsList';
import { saveDraft, loadDraft } from '../../manager/drafts';
import '../../manager/manager.css';

const FormEditorDialog = lazy(() => import('../../bpmn/FormEditorDialog'));

const CHECK_DELAY_MS = 600;

interface Shape extends ShapeLike {
  businessObject: ShapeLike['businessObject'] & { $type: string; get(name: string): unknown };
}
interface Registry {
  get(id: string): Shape | undefined;
  getAll(): Shape[];
}

type Confirming = { processId: string; name: string; current: VersionRow | null; xml: string };
type Outcome =
  | { kind: 'deployed'; result: DeployResult }
  | { kind: 'refused'; detail: string }
  | { kind: 'failed'; detail: string }
  | { kind: 'draft'; savedAt: string };

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function processOf(modeler: Modeler): { id: string; name: string } | null {
  const definitions = modeler.getDefinitions() as {
    rootElements?: Array<{ $type: string; id: string; name?: string }>;
  };
  const process = definitions?.rootElements?.find((e) => e.$type === 'bpmn:Process');
  return process ? { id: process.id, name: process.name ?? process.id } : null;
}

export default function EditorPage() {
  const { key } = useParams<'key'>();
  const { search } = useLocation();
  const draftKey = search.get('draft') === 'yes';
  const canvasHost = useRef<HTMLDivElement>(null);
  const panelHost = useRef<HTMLDivElement>(null);
  const modelerRef = useRef<Modeler | null>(null);
  const check = useRef<{ timer: number | null; abort: AbortController | null }>({ timer: null, abort: null });
  const [status, setStatus] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [loadProblem, setLoadProblem] = useState<string | null>(null);
  const [problems, setProblems] = useState<DiagramProblem[] | null>(null);
  const [elements, setElements] = useState<DiagramElementRow[]>([]);
  const [selected, setSelected] = useState<Shape | null>(null);
  const [templates, setTemplates] = useState<TemplateSummary[]>([]);
  const [choosingFor, setChoosingFor] = useState<Shape | null>(null);
  const [editingForm, setEditingForm] = useState<{
    task: Shape;
    formId: string;
    schema: Record<string, unknown>;
  } | null>(null);
  const [confirming, setConfirming] = useState<Confirming | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const [dirty, setDirty] = useState(false);

  const registry = () => modelerRef.current?.get('elementRegistry') as Registry | undefined;

  const runCheck = useCallback(async () => {
    const modeler = modelerRef.current;
    if (!modeler) return;
    check.current.abort?.abort();
    const abort = new AbortController();
    check.current.abort = abort;
    try {
      const { xml } = await modeler.saveXML({ format: false });
      const result = await processApi.validate(xml!, abort.signal);
      if (abort.signal.aborted) return;
      setProblems(result.problems);
      drawProblems(modeler, result.problems);
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      setProblems([
        {
          severity: 'error',
          elementId: null,
          rule: 'check',
          message:
            error instanceof ApiProblem
              ? error.detail || error.title
              : `The diagram could not be checked: ${String(error)}`,
          field: 'body.xml',
        },
      ]);
    }
  }, []);

  const refreshElements = useCallback(() => {
    const r = registry();
    if (r) setElements(diagramElements(r.getAll()));
  }, []);

  const scheduleCheck = useCallback(() => {
    if (check.current.timer !== null) window.clearTimeout(check.current.timer);
    check.current.timer = window.setTimeout(() => {
      check.current.timer = null;
      refreshElements();
      void runCheck();
    }, CHECK_DELAY_MS);
  }, [refreshElements, runCheck]);

  const openXml = useCallback(
    async (xml: string) => {
      const modeler = modelerRef.current!;
      await modeler.importXML(xml);
      (modeler.get('canvas') as { zoom(level: string): void }).zoom('fit-viewport');
      setDirty(false);
      setSelected(null);
      refreshElements();
      setProblems(null);
      await runCheck();
    },
    [refreshElements, runCheck],
  );

  // Start-up: the panel's helpers and the diagram, then the first check.
  useEffect(() => {
    let cancelled = false;
    const timers = check.current;
    (async () => {
      try {
        const [groups, catalogue, xml] = await Promise.all([
          processApi.candidateGroups(),
          processApi.elementTemplates(),
          draftKey && key
            ? loadDraft(key).then((d) => d ?? processApi.xml(key))
            : key
              ? processApi.xml(key)
              : Promise.resolve(newDiagramXml(`process-${Date.now().toString(36)}`, 'New process')),
        ]);
        if (cancelled) return;
        const modeler = createModeler(canvasHost.current!, panelHost.current!, groups);
        modelerRef.current = modeler;
        (modeler.get('elementTemplates') as { set(t: unknown[]): void }).set(catalogue.templates);
        setTemplates(catalogue.templates as TemplateSummary[]);
        modeler.on('commandStack.changed', () => {
          setDirty(true);
          scheduleCheck();
        });
        modeler.on('selection.changed', (event: { newSelection: Shape[] }) =>
          setSelected(event.newSelection.length === 1 ? event.newSelection[0] : null),
        );
        modeler.on('elementTemplates.select', (event: { element: Shape }) => setChoosingFor(event.element));
        setStatus('ready');
        await openXml(xml);
      } catch (error) {
        if (cancelled) return;
        setStatus('failed');
        setLoadProblem(
          error instanceof ApiProblem
            ? error.status === 404
              ? `There is no process ${key}.`
              : error.detail || error.title
            : `The editor could not start: ${String(error)}`,
        );
      }
    })();
    return () => {
      cancelled = true;
      if (timers.timer !== null) window.clearTimeout(timers.timer);
      timers.abort?.abort();
      modelerRef.current?.destroy();
      modelerRef.current = null;
    };
  }, [key, draftKey, openXml, scheduleCheck]);

  // Leaving with unsaved changes asks first (reload, closing the tab).
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const selectElement = (id: string) => {
    const modeler = modelerRef.current;
    const element = registry()?.get(id);
    if (!modeler || !element) return;
    (modeler.get('selection') as { select(e: unknown): void }).select(element);
    (modeler.get('canvas') as { scrollToElement(e: unknown): void }).scrollToElement(element);
  };
  const nameOf = (id: string) => elements.find((e) => e.id === id)?.name || null;

  const startDeploy = async () => {
    const modeler = modelerRef.current;
    if (!modeler) return;
    setOutcome(null);
    const process = processOf(modeler);
    if (!process) {
      setOutcome({ kind: 'refused', detail: 'The diagram has no process to deploy.' });
      return;
    }
    setBusy(true);
    try {
      const { xml } = await modeler.saveXML({ format: true });
      let current: VersionRow | null = null;
      try {
        current = (await processApi.versions(process.id)).versions[0] ?? null;
      } catch (error) {
        if (!(error instanceof ApiProblem && error.status === 404)) throw error;
      }
      setConfirming({ processId: process.id, name: process.name, current, xml: xml! });
    } catch (error) {
      setOutcome({ kind: 'failed', detail: error instanceof ApiProblem ? error.detail || error.title : String(error) });
    } finally {
      setBusy(false);
    }
  };

  const deploy = async (c: Confirming) => {
    setConfirming(null);
    setBusy(true);
    try {
      const result = await processApi.deploy(c.xml);
      setOutcome({ kind: 'deployed', result });
      setDirty(false);
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 422 && error.errors.length) {
        const refused = problemsFromDeployErrors(error.errors);
        setProblems(refused);
        if (modelerRef.current) drawProblems(modelerRef.current, refused);
        setOutcome({ kind: 'refused', detail: error.detail });
      } else {
        setOutcome({
          kind: 'failed',
          detail: error instanceof ApiProblem ? error.detail || error.title : String(error),
        });
      }
    } finally {
      setBusy(false);
    }
  };

  const download = async () => {
    const modeler = modelerRef.current;
    if (!modeler) return;
    const { xml } = await modeler.saveXML({ format: true });
    const name = `${processOf(modeler)?.id ?? 'diagram'}.bpmn`;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([xml!], { type: 'application/xml' }));
    link.download = name;
    link.click();
    URL.revokeObjectURL(link.href);
  };

  const upload = async (file: File | undefined) => {
    if (!file) return;
    setOutcome(null);
    try {
      await openXml(await file.text());
      setDirty(true);
    } catch (error) {
      setOutcome({ kind: 'failed', detail: `${file.name} could not be opened as a BPMN diagram: ${String(error)}` });
    }
  };

  const storeDraft = async () => {
    const modeler = modelerRef.current;
    const process = modeler && processOf(modeler);
    if (!modeler || !process) return;
    const { xml } = await modeler.saveXML({ format: true });
    saveDraft(process.id, xml!);
    setOutcome({ kind: 'draft', savedAt: new Date().toISOString() });
  };

  const editForm = () => {
    const modeler = modelerRef.current;
    if (!modeler || !selected) return;
    const form = embeddedFormOf(modeler, selected as never);
    const formId = form?.formId ?? `Form_${selected.id}`;
    setEditingForm({ task: selected, formId, schema: form?.schema ?? emptyFormSchema(formId) });
  };

  const isUserTask = selected?.type === 'bpmn:UserTask';
  const problemsById = new Map<string, DiagramProblem[]>();
  for (const p of problems ?? [])
    if (p.elementId) problemsById.set(p.elementId, [...(problemsById.get(p.elementId) ?? []), p]);

  return (
    <div className="chis-wide">
      <span className="nhsuk-caption-l">{key ? 'Edit process' : 'New process'}</span>
      <h1 className="nhsuk-heading-l">{key ?? 'New process'}</h1>
      {status === 'failed' && (
        <div className="nhsuk-error-summary" role="alert" tabIndex={-1}>
          <h2 className="nhsuk-error-summary__heading">The diagram could not be opened</h2>
          <div className="nhsuk-error-summary__body">
            <p>{loadProblem}</p>
            <p>
              <Link to="/processes">Back to processes</Link>
            </p>
          </div>
        </div>
      )}
      <OutcomeMessage outcome={outcome} problems={problems} />
      <div className="chis-toolbar" role="toolbar" aria-label="Diagram actions" hidden={status !== 'ready'}>
        <button type="button" className="nhsuk-button" onClick={() => void startDeploy()} disabled={busy}>
          Deploy
        </button>
        <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={() => void runCheck()}>
          Check now
        </button>
        <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={() => void storeDraft()}>
          Save draft
        </button>
        <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={() => void download()}>
          Download .bpmn
        </button>
        <label className="nhsuk-button nhsuk-button--secondary" htmlFor="upload-bpmn">
          Upload .bpmn
        </label>
        <input
          id="upload-bpmn"
          className="nhsuk-u-visually-hidden"
          type="file"
          accept=".bpmn,.xml,application/xml"
          onChange={(e) => void upload(e.target.files?.[0])}
        />
        {isUserTask && (
          <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={editForm}>
            Edit the task's form
          </button>
        )}
        {key && (
          <button
            type="button"
            className="nhsuk-button nhsuk-button--secondary"
            onClick={() => void processApi.xml(key).then(openXml)}
          >
            Revert to the deployed version
          </button>
        )}
      </div>
      {status === 'loading' && <Loading />}
      <div className="chis-editor" hidden={status === 'failed'}>
        <div
          ref={canvasHost}
          className="chis-editor__canvas"
          role="application"
          aria-label="Diagram editor. The elements table below the diagram lists every element; select one there to edit it in the properties panel."
          data-testid="canvas"
        />
        <div
          ref={panelHost}
          className="chis-editor__panel"
          role="region"
          aria-label="Properties of the selected element"
          data-testid="properties-panel"
        />
      </div>
      <p className="nhsuk-body-s" role="status" aria-live="polite" data-testid="check-status">
        {problems === null ? 'Checking the diagram…' : `Checked: ${problemCounts(problems)}.`}
        {dirty && ' Changes not deployed yet.'}
      </p>
      <div className="chis-two-columns">
        <ProblemsList problems={problems} nameOf={nameOf} onSelect={selectElement} />
        <ElementsTable
          caption="Elements of the diagram"
          rows={elements}
          onSelect={selectElement}
          selectedId={selected?.id ?? null}
          columns={[
            {
              header: 'Problems',
              cell: (row) => {
                const list = problemsById.get(row.id);
                return list
                  ? list.map((p) => `${p.severity === 'error' ? 'Error' : 'Warning'}: ${p.message}`).join(' ')
                  : 'None';
              },
            },
          ]}
        />
      </div>
      {choosingFor && (
        <TemplateChooser
          templates={templates}
          taskName={choosingFor.businessObject?.name || choosingFor.id}
          onCancel={() => setChoosingFor(null)}
          onChoose={(template) => {
            const modeler = modelerRef.current!;
            const full = (modeler.get('elementTemplates') as { get(id: string): unknown }).get(template.id);
            (modeler.get('elementTemplates') as { applyTemplate(e: unknown, t: unknown): void }).applyTemplate(
              choosingFor,
              full,
            );
            setChoosingFor(null);
          }}
        />
      )}
      {editingForm && (
        <Suspense fallback={<Loading />}>
          <FormEditorDialog
            taskName={editingForm.task.businessObject?.name || editingForm.task.id}
            schema={editingForm.schema}
            onCancel={() => setEditingForm(null)}
            onSave={(schema) => {
              saveEmbeddedForm(modelerRef.current!, editingForm.task as never, editingForm.formId, schema);
              setEditingForm(null);
            }}
          />
        </Suspense>
      )}
      {confirming && (
        <DeployConfirmation confirming={confirming} onDeploy={deploy} onCancel={() => setConfirming(null)} />
      )}
    </div>
  );
}

function DeployConfirmation({
  confirming,
  onDeploy,
  onCancel,
}: {
  confirming: Confirming;
  onDeploy(c: Confirming): void;
  onCancel(): void;
}) {
  const { current, processId, name } = confirming;
  const next = (current?.version ?? 0) + 1;
  return (
    <Dialog title={`Deploy ${name} as version ${next}?`} onCancel={onCancel}>
      {current ? (
        <>
          <p className="nhsuk-body" data-testid="deploy-running">
            {current.instances.running === 0
              ? `No instances are running on version ${current.version}.`
              : `${plural(current.instances.running, 'instance is', 'instances are')} running on version ${current.version}${
                  current.instances.incident ? ` (${current.instances.incident} held by an incident)` : ''
                }.`}
          </p>
          <p className="nhsuk-body">
            Instances already running stay on version {current.version} until they end. Only instances started after
            this deployment use version {next}.
          </p>
        </>
      ) : (
        <p className="nhsuk-body">
          {processId} is a new process: it will be deployed as version 1 and can start instances straight away.
        </p>
      )}
      <div className="nhsuk-button-group">
        <button type="button" className="nhsuk-button" onClick={() => onDeploy(confirming)} autoFocus>
          Deploy version {next}
        </button>
        <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}

function OutcomeMessage({ outcome, problems }: { outcome: Outcome | null; problems: DiagramProblem[] | null }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), [outcome]);
  if (!outcome) return null;
  if (outcome.kind === 'deployed') {
    const d = outcome.result.definition;
    return (
      <div className="nhsuk-inset-text" ref={ref} tabIndex={-1} role="status" data-testid="deploy-outcome">
        <span className="nhsuk-u-visually-hidden">Information: </span>
        {outcome.result.status === 'deployed' ? (
          <p>
            <strong>Deployed as version {d.version}.</strong> New instances of {d.key} start on version {d.version}.{' '}
            {d.version > 1 && (
              <Link to={`/processes/${encodeURIComponent(d.key)}/compare?from=${d.version - 1}&to=${d.version}`}>
                Compare with version {d.version - 1}
              </Link>
            )}
          </p>
        ) : (
          <p>Nothing changed: this diagram is already version {d.version}.</p>
        )}
        {outcome.result.warnings.length > 0 && (
          <p>Deployed with {plural(outcome.result.warnings.length, 'warning', 'warnings')}: see the problems list.</p>
        )}
      </div>
    );
  }
  if (outcome.kind === 'draft')
    return (
      <div className="nhsuk-inset-text" ref={ref} tabIndex={-1} role="status">
        <p>Draft saved in this browser. Open it again from the process page.</p>
      </div>
    );
  return (
    <div className="nhsuk-error-summary" ref={ref} tabIndex={-1} role="alert" data-testid="deploy-outcome">
      <h2 className="nhsuk-error-summary__heading">
        {outcome.kind === 'refused' ? 'The diagram was not deployed' : 'Something went wrong'}
      </h2>
      <div className="nhsuk-error-summary__body">
        <p>{outcome.detail}</p>
        {outcome.kind === 'refused' && problems && problems.length > 0 && (
          <p>Fix the problems marked on the diagram and listed below, then deploy again.</p>
        )}
      </div>
    </div>
  );
}

/**
 * The form editor for a user task's embedded Camunda Form (@bpmn-io/form-js-editor, the
 * schema the engine validates completions against), with a preview as the form-js viewer
 * draws it. Loaded only when a service manager opens it.
 */
import { FormEditor } from '@bpmn-io/form-js-editor';
import { Form } from '@bpmn-io/form-js-viewer';
import '@bpmn-io/form-js-editor/dist/assets/form-js-editor.css';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import '@bpmn-io/form-js-editor/dist/assets/properties-panel.css';
import { useEffect, useRef, useState } from 'react';
import { Dialog } from '../manager/Dialog';
import { allowEditorStyles } from './style-nonce';

allowEditorStyles();

export default function FormEditorDialog({
  taskName,
  schema,
  onSave,
  onCancel,
}: {
  taskName: string;
  schema: Record<string, unknown>;
  onSave(schema: Record<string, unknown>): void;
  onCancel(): void;
}) {
  const editorHost = useRef<HTMLDivElement>(null);
  const previewHost = useRef<HTMLDivElement>(null);
  const editor = useRef<FormEditor | null>(null);
  const [tab, setTab] = useState<'edit' | 'preview'>('edit');
  const [problem, setProblem] = useState<string | null>(null);
  const [current, setCurrent] = useState(schema);

  useEffect(() => {
    if (!editorHost.current) return;
    const e = new FormEditor({ container: editorHost.current });
    editor.current = e;
    e.importSchema(schema).catch((error: Error) => setProblem(`The form could not be opened: ${error.message}`));
    return () => {
      e.destroy();
      editor.current = null;
    };
  }, [schema]);

  useEffect(() => {
    if (tab !== 'preview' || !previewHost.current) return;
    const form = new Form({ container: previewHost.current });
    form.importSchema(current).catch((error: Error) => setProblem(`The preview failed: ${error.message}`));
    return () => form.destroy();
  }, [tab, current]);

  const showPreview = () => {
    if (editor.current) setCurrent(editor.current.saveSchema() as Record<string, unknown>);
    setTab('preview');
  };

  return (
    <Dialog title={`Form of "${taskName}"`} onCancel={onCancel} wide>
      {problem && (
        <div className="nhsuk-error-summary" role="alert">
          <p className="nhsuk-body nhsuk-u-margin-bottom-0">{problem}</p>
        </div>
      )}
      <div className="chis-toolbar" role="group" aria-label="Form view">
        <button
          type="button"
          className={`nhsuk-button${tab === 'edit' ? '' : ' nhsuk-button--secondary'}`}
          aria-pressed={tab === 'edit'}
          onClick={() => setTab('edit')}
        >
          Edit
        </button>
        <button
          type="button"
          className={`nhsuk-button${tab === 'preview' ? '' : ' nhsuk-button--secondary'}`}
          aria-pressed={tab === 'preview'}
          onClick={showPreview}
        >
          Preview
        </button>
      </div>
      <div ref={editorHost} className="chis-form-editor" hidden={tab !== 'edit'} data-testid="form-editor" />
      {tab === 'preview' && (
        <div className="chis-form-preview" data-testid="form-preview">
          <p className="nhsuk-body">
            This is how the form-js viewer shows the form. The task page shows the same fields in the NHS style.
          </p>
          <div ref={previewHost} />
        </div>
      )}
      <div className="nhsuk-button-group">
        <button
          type="button"
          className="nhsuk-button"
          onClick={() => onSave((editor.current?.saveSchema() as Record<string, unknown> | undefined) ?? current)}
        >
          Keep these changes
        </button>
        <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}

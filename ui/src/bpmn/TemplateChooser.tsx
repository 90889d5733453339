import { useState } from 'react';
import { Dialog } from '../manager/Dialog';

export interface TemplateSummary {
  id: string;
  name: string;
  description?: string;
  category?: { id: string; name: string };
}

/**
 * Picks an activity from the catalogue for a task (the element template chooser Camunda
 * Modeler has): grouped radios, so it works by keyboard and screen reader.
 */
export function TemplateChooser({
  templates,
  taskName,
  onChoose,
  onCancel,
}: {
  templates: TemplateSummary[];
  taskName: string;
  onChoose(template: TemplateSummary): void;
  onCancel(): void;
}) {
  const [chosen, setChosen] = useState<string>('');
  const [error, setError] = useState<string | null>(null);
  const categories = [...new Set(templates.map((t) => t.category?.name ?? 'Other'))];
  const submit = () => {
    const template = templates.find((t) => t.id === chosen);
    if (!template) setError('Select what this step does');
    else onChoose(template);
  };
  return (
    <Dialog title={`What does "${taskName}" do?`} onCancel={onCancel} wide>
      <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
        <fieldset className="nhsuk-fieldset" aria-describedby={error ? 'template-error' : 'template-hint'}>
          <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">
            Choose an activity from the catalogue
          </legend>
          <div className="nhsuk-hint" id="template-hint">
            The step runs this activity; its inputs become fields in the properties panel.
          </div>
          {error && (
            <span className="nhsuk-error-message" id="template-error">
              <span className="nhsuk-u-visually-hidden">Error: </span>
              {error}
            </span>
          )}
          <div className="chis-scroll">
            {categories.map((category) => (
              <div key={category}>
                <h3 className="nhsuk-heading-xs nhsuk-u-margin-top-3 nhsuk-u-margin-bottom-2">{category}</h3>
                <div className="nhsuk-radios nhsuk-radios--small">
                  {templates
                    .filter((t) => (t.category?.name ?? 'Other') === category)
                    .map((t) => (
                      <div className="nhsuk-radios__item" key={t.id}>
                        <input
                          className="nhsuk-radios__input"
                          id={`template-${t.id}`}
                          name="template"
                          type="radio"
                          value={t.id}
                          checked={chosen === t.id}
                          aria-describedby={`template-${t.id}-hint`}
                          onChange={() => (setChosen(t.id), setError(null))}
                        />
                        <label className="nhsuk-label nhsuk-radios__label" htmlFor={`template-${t.id}`}>
                          {t.name}
                        </label>
                        <div className="nhsuk-hint nhsuk-radios__hint" id={`template-${t.id}-hint`}>
                          {t.description}
                        </div>
                      </div>
                    ))}
                </div>
              </div>
            ))}
          </div>
        </fieldset>
      </div>
      <div className="nhsuk-button-group">
        <button type="button" className="nhsuk-button" onClick={submit}>
          Use this activity
        </button>
        <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}

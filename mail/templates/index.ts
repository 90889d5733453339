/** Every mail template by name, and rendering with model validation. */
import { familyReminder } from './family-reminder';
import { gpImmunisationOverdue } from './gp-immunisation-overdue';
import { gpMoverIn, gpMoverOut } from './gp-mover';
import { gpNewBirth } from './gp-new-birth';
import { gpNipeDue } from './gp-nipe-due';
import { GP_PRACTICE_TEMPLATE_NAMES } from './names';
import type { MailTemplate, RenderedMail } from './types';

export type { MailTemplate, RenderedMail } from './types';
export { reminderText } from './family-reminder';

export const MAIL_TEMPLATES = {
  'gp-new-birth': gpNewBirth,
  'gp-mover-in': gpMoverIn,
  'gp-mover-out': gpMoverOut,
  'gp-immunisation-overdue': gpImmunisationOverdue,
  'gp-nipe-due': gpNipeDue,
  'family-reminder': familyReminder,
} as const;

export type TemplateName = keyof typeof MAIL_TEMPLATES;
/** Names of the templates addressed to GP practices (what notify.emailGpPractice accepts). */
export const GP_PRACTICE_TEMPLATES = GP_PRACTICE_TEMPLATE_NAMES;
export type GpPracticeTemplateName = (typeof GP_PRACTICE_TEMPLATES)[number];

/** Bad template name or model: the message names the template and every field at fault. */
export class TemplateModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateModelError';
  }
}

export function isTemplateName(name: string): name is TemplateName {
  return Object.prototype.hasOwnProperty.call(MAIL_TEMPLATES, name);
}

export function renderTemplate(name: string, model: unknown): RenderedMail {
  if (!isTemplateName(name))
    throw new TemplateModelError(`unknown mail template "${name}"; known: ${Object.keys(MAIL_TEMPLATES).join(', ')}`);
  const template = MAIL_TEMPLATES[name] as MailTemplate<unknown>;
  const parsed = template.model.safeParse(model);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(model)'}: ${i.message}`);
    throw new TemplateModelError(`mail template "${name}": ${problems.join('; ')}`);
  }
  return template.render(parsed.data);
}

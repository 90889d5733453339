/**
 * Template names, without the templates: the activity catalogue (which workflow code may
 * import) validates against these lists without pulling rendering code into workflows.
 */
export const GP_PRACTICE_TEMPLATE_NAMES = [
  'gp-new-birth',
  'gp-mover-in',
  'gp-mover-out',
  'gp-immunisation-overdue',
  'gp-nipe-due',
] as const;
export const FAMILY_REMINDERS = ['immunisation-due', 'immunisation-overdue', 'appointment'] as const;

/** Deadline-heap keys of schedules start with this (run keys never do: a namespace name has no NUL). */
export const SCHEDULE_KEY_PREFIX = 'schedule\u0000';

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIVITY_TYPES } from '../../../activities/catalogue';
import type { CompileContext } from '../../../bpmn';

export const FIXTURES = join(__dirname, '..', 'fixtures');

export function readFixture(...parts: string[]): string {
  return readFileSync(join(FIXTURES, ...parts), 'utf8');
}

export function fixtureFiles(folder: string): string[] {
  return readdirSync(join(FIXTURES, folder))
    .filter((f) => f.endsWith('.bpmn'))
    .sort();
}

/** Element ids an invalid fixture declares it must be reported for: `<!-- expect: A, B -->`. */
export function expectedIds(xml: string): string[] {
  const m = /<!-- expect: ([^>]*) -->/.exec(xml);
  if (!m) throw new Error('invalid fixture without an <!-- expect: ... --> comment');
  return m[1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .sort();
}

export const VISIT_FORM = {
  components: [{ type: 'textfield', key: 'outcome', label: 'Outcome', validate: { required: true } }],
};

/** The installation the fixtures are written against. */
export const CONTEXT: CompileContext = {
  activityTypes: ACTIVITY_TYPES,
  candidateGroups: new Set(['health-visitors', 'safeguarding-leads', 'birmingham-hv']),
  forms: new Map([['visit-form', VISIT_FORM]]),
};

/**
 * The house rules of issue 12, checked on the source itself:
 * - SQL lives only in records/ (the one door to each table), db/migrations/ and
 *   embedded-temporal/ (which keeps its own store). Tests and benches are harness code.
 * - api/ holds HTTP only: it imports nothing from activities/.
 * - No import circles, except the BPMN engine's intended mutual recursion (workflows/engine/).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { importCircles, importGraph, ROOT, sourceFiles } from './source-graph';

const PRODUCTION = sourceFiles().filter((f) => !f.startsWith('test/') && !f.startsWith('bench/'));

/** SQL keywords in a statement's shape (also one whose columns are interpolated), or a query run with a literal statement. */
const SQL =
  /\b(SELECT\s[\s\S]{0,200}?\sFROM\s|SELECT\s+\$\{|INSERT\s+INTO\s|UPDATE\s+[a-z_]+\s+SET\s|DELETE\s+FROM\s|CREATE\s+(TABLE|INDEX|DATABASE)\s|TRUNCATE\s)|\.query(<[^>]*>)?\(\s*['"`]/;
/** Pieces of a statement built elsewhere and handed over (a WHERE fragment, an ORDER BY, a COPY). */
const SQL_FRAGMENT =
  /=\s*ANY\(|\bIS\s+DISTINCT\s+FROM\b|\bIS\s+(NOT\s+)?NULL\b|\bWHERE\s|\bORDER\s+BY\s|\bON\s+CONFLICT\b|\bCOPY\s[\s\S]{0,200}?\sFROM\s+STDIN\b/;
const SQL_HOMES = ['records/', 'db/migrations/', 'embedded-temporal/'];

const holdsSql = (file: string) => {
  const text = readFileSync(resolve(ROOT, file), 'utf8');
  return SQL.test(text) || SQL_FRAGMENT.test(text);
};

test('SQL only in records/, db/migrations/ and embedded-temporal/', () => {
  const elsewhere = PRODUCTION.filter((f) => !SQL_HOMES.some((home) => f.startsWith(home)) && holdsSql(f));
  expect(elsewhere).toEqual([]);
});

test('api/ imports nothing from activities/', () => {
  const graph = importGraph(PRODUCTION);
  const sideways = [...graph].flatMap(([file, targets]) =>
    file.startsWith('api/') ? targets.filter((t) => t.startsWith('activities/')).map((t) => `${file} → ${t}`) : [],
  );
  expect(sideways).toEqual([]);
});

/** Circles still to open (issue 12), each named by its files; the list only shrinks. */
const CIRCLES_NOT_OPENED_YET = [
  'embedded-temporal/engine/close.ts embedded-temporal/engine/start.ts',
  'embedded-temporal/engine/engine.ts embedded-temporal/engine/execution.ts embedded-temporal/engine/time-skipping.ts',
  'embedded-temporal/engine/updates.ts embedded-temporal/engine/workflow-task.ts',
];

test('no import circles outside the BPMN engine', () => {
  const circles = importCircles(importGraph(PRODUCTION))
    .filter((c) => !c.every((f) => f.startsWith('workflows/engine/')))
    .map((c) => c.join(' '));
  expect(circles.filter((c) => !CIRCLES_NOT_OPENED_YET.includes(c))).toEqual([]);
  expect(CIRCLES_NOT_OPENED_YET.filter((c) => !circles.includes(c))).toEqual([]);
});

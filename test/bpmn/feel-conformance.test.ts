/**
 * FEEL conformance: every Camunda FEEL built-in (the list Camunda publishes as
 * @camunda/feel-builtins, with each function's documentation) against its documented results.
 * Each documented example `expression // result` is a row: the expression evaluated in the
 * Camunda dialect must equal the documented result evaluated the same way. Nothing is copied by
 * hand: the rows come from the package, so a new version of it brings its new examples.
 *
 * Rows that cannot hold by their nature (the clock, random values, results written as prose,
 * misprints in the documentation) and CHIS Flow's known differences are listed in EXCEPTIONS
 * with the reason; an exception that starts to hold fails the test, so the list stays true.
 */
import { camundaBuiltins } from '@camunda/feel-builtins';
import { evaluateFeel } from '../../bpmn/feel';

interface Row {
  builtin: string;
  expression: string;
  documented: string;
}

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** The documented examples: code blocks of the documentation whose paragraphs read `expression\n// result`. */
function rows(): Row[] {
  const out: Row[] = [];
  for (const b of camundaBuiltins) {
    for (const block of b.info.matchAll(/<pre><code class="language-feel">([\s\S]*?)<\/code><\/pre>/g)) {
      for (const paragraph of decode(block[1]).split(/\n\s*\n/)) {
        const m = /^([\s\S]*?)\n\/\/ ?([\s\S]*)$/.exec(paragraph.trim());
        if (m) out.push({ builtin: b.name, expression: m[1].trim(), documented: m[2].trim() });
      }
    }
  }
  return out;
}

/** Expression → why the documented result is not expected here. */
const EXCEPTIONS: Record<string, string> = {
  'now()': 'the documented result is the clock at the time of writing',
  'today()': 'the documented result is the clock at the time of writing',
  'random number()': 'the documented result is one random draw',
  'uuid()': 'the documented result is one random draw',
  'abs(duration("-PT5H"))': 'misprint in the documentation (the result is quoted)',
  'abs(duration("PT5H"))': 'misprint in the documentation (the result is quoted)',
  'last day of month(date("2022-10-01"))': 'misprint in the documentation (an extra parenthesis)',
  'last day of month(date and time("2022-10-16T12:00:00"))': 'misprint in the documentation (an extra parenthesis)',
  'is defined(x)': 'the documented result is prose ("false - if no variable x exists")',
  'is defined(x.y)': 'the documented result is prose',
  'assert(x, x != null)': 'the documented result depends on a variable named in prose',
  'assert(x, x >= 0)': 'the documented result depends on a variable named in prose',
  'assert(x, x != null, "\'x\' should not be null")': 'the documented result depends on a variable named in prose',
  'assert(x, x >= 0, "\'x\' should be positive")': 'the documented result depends on a variable named in prose',
  'is defined()': 'known difference: Camunda fails on a missing argument; here it is false',
  'date and time("2018-04-29T09:30:00+02:00[Europe/Berlin]")':
    'known difference: the zone id in brackets is read in upper case',
  'date and time(date("2012-12-24"),time("T23:59:00"))': 'known difference: time("T23:59:00") (a leading T) is null',
  'date and time(date and time("2012-12-25T11:00:00"),time("T23:59:00"))':
    'known difference: time("T23:59:00") (a leading T) is null',
  'date and time(@"2020-07-31T14:27:30", "Z")':
    "known difference: a local date-time is taken as UTC rather than the engine clock's zone",
};

const table = rows();

test('the documented examples are read: at least 250 rows over the built-ins', () => {
  expect(table.length).toBeGreaterThanOrEqual(250);
  expect(new Set(table.map((r) => r.builtin)).size).toBeGreaterThanOrEqual(100);
  for (const expression of Object.keys(EXCEPTIONS)) expect(table.map((r) => r.expression)).toContain(expression);
});

describe.each([...new Set(table.map((r) => r.builtin))])('%s', (builtin) => {
  const own = table.filter((r) => r.builtin === builtin);
  test.each(own.map((r) => [r.expression, r.documented, r] as const))('%s → %s', (_e, _d, row) => {
    const got = evaluateFeel(row.expression, {}, 'camunda');
    const want = evaluateFeel(row.documented, {}, 'camunda');
    const holds = got.ok && want.ok && JSON.stringify(got.value) === JSON.stringify(want.value);
    if (Object.hasOwn(EXCEPTIONS, row.expression)) {
      expect({ holds, reason: EXCEPTIONS[row.expression] }).toEqual({ holds: false, reason: expect.any(String) });
      return;
    }
    expect(want.ok).toBe(true);
    expect(got).toEqual(want);
  });
});

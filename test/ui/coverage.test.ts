/**
 * The coverage report in the browser, on the real stack: a service manager opens Coverage,
 * sees each birthday's vaccines as a chart with the same figures in a table beside it, narrows
 * it to one locality and cohort (kept in the address), and downloads it as CSV; a safeguarding
 * lead sees only their own localities. The figures themselves are checked against known
 * histories in test/api/coverage-report.test.ts; here the screen must show what the API says.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { checkScreen, describeInBrowser, signIn, uiStackPerFile, type UiStack } from './support/browser';

interface Figures {
  eligible: number;
  immunised: number;
  percent: number | null;
}
interface Report {
  quarter: { id: string };
  localities: { code: string; name: string }[];
  cohorts: {
    milestone: string;
    bornFrom: string;
    bornTo: string;
    measures: { id: string; label: string; total: Figures; localities: (Figures & { code: string })[] }[];
  }[];
}

const percentText = (p: number | null) => (p === null ? '–no children' : `${p.toFixed(1)}%`);

/** The rows of a measure's table as the screen shows them: locality, children, immunised, coverage. */
async function tableRows(page: Page, cohort: string, label: string): Promise<string[][]> {
  const section = page.getByRole('region', { name: new RegExp(`^By ${cohort}`) }).getByRole('region', { name: label });
  return section
    .getByTestId('coverage-table')
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((r) =>
        Array.from(r.querySelectorAll('th, td') as ArrayLike<{ textContent: string | null }>).map((c) =>
          (c.textContent ?? '').trim(),
        ),
      ),
    );
}

function expectedRows(report: Report, measure: Report['cohorts'][number]['measures'][number]): string[][] {
  const names = new Map(report.localities.map((l) => [l.code, l.name]));
  const row = (name: string, f: Figures) => [
    name,
    f.eligible.toLocaleString('en-GB'),
    f.immunised.toLocaleString('en-GB'),
    percentText(f.percent),
  ];
  const rows = measure.localities.map((l) => row(names.get(l.code)!, l));
  return measure.localities.length > 1 ? [...rows, row('All shown', measure.total)] : rows;
}

describeInBrowser('coverage report', () => {
  let ui: UiStack;
  uiStackPerFile({ children: 400 }, (started) => (ui = started));

  test('a service manager reads coverage by locality as charts and tables, narrows it, and downloads it as CSV', async () => {
    const { page, problems } = await ui.newPage();
    await signIn(page, 'manager', '/processes');
    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Coverage' }).click();
    await page.waitForURL('**/coverage');
    await page.getByTestId('coverage-period').waitFor();
    const quarter = await page.getByLabel('Birthdays in').inputValue();
    const api = (await (await page.request.get(`/api/reports/coverage?quarter=${quarter}`)).json()) as Report;
    expect(api.quarter.id).toBe(quarter);
    expect(await page.getByRole('main').getByRole('heading', { level: 2 }).allInnerTexts()).toEqual([
      'By 12 months (first birthday)',
      'By 24 months (second birthday)',
      'By 5 years (fifth birthday)',
    ]);
    // Every measure: a chart with a bar per locality and one for all, and the API's figures in its table.
    for (const [cohort, heading] of [
      ['12m', '12 months'],
      ['5y', '5 years'],
    ] as const) {
      const measures = api.cohorts.find((c) => c.milestone === cohort)!.measures;
      expect(measures.length).toBeGreaterThan(2);
      for (const m of measures) expect(await tableRows(page, heading, m.label)).toEqual(expectedRows(api, m));
    }
    const dtap = api.cohorts[0]!.measures[0]!;
    const firstChart = page
      .getByRole('region', { name: /^By 12 months/ })
      .getByRole('region', { name: dtap.label })
      .getByRole('img');
    expect(await firstChart.locator('rect').count()).toBe(api.localities.length + 1);
    expect(api.localities.length).toBe(14);
    await checkScreen(page, 'coverage-region');

    await page.getByLabel('Cohort', { exact: true }).selectOption('12m');
    await page.getByLabel('Locality', { exact: true }).selectOption({ label: 'Birmingham' });
    await page.getByRole('button', { name: 'Show coverage' }).click();
    await page.waitForURL(`**/coverage?quarter=${quarter}&cohort=12m&locality=birmingham`);
    await page.getByTestId('coverage-period').waitFor();
    expect(await page.getByRole('main').getByRole('heading', { level: 2 }).allInnerTexts()).toEqual([
      'By 12 months (first birthday)',
    ]);
    const one = (await (
      await page.request.get(`/api/reports/coverage?quarter=${quarter}&cohort=12m&locality=birmingham`)
    ).json()) as Report;
    const rows = await tableRows(page, '12 months', one.cohorts[0]!.measures[0]!.label);
    expect(rows).toEqual(expectedRows(one, one.cohorts[0]!.measures[0]!));
    expect(rows).toHaveLength(1);
    await checkScreen(page, 'coverage-locality');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download as CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`coverage-${quarter}.csv`);
    const csv = (await readFile((await download.path())!, 'utf8')).trim().split('\r\n');
    expect(csv[0]).toBe(
      '"Quarter","Birthday","Born from","Born to","Vaccine","Locality","Children","Immunised","Coverage %"',
    );
    const c = one.cohorts[0]!;
    const m = c.measures[0]!;
    const bham = m.localities[0]!;
    expect(csv).toContain(
      `"${quarter}","12 months","${c.bornFrom}","${c.bornTo}","${m.label}","Birmingham",${bham.eligible},${bham.immunised},${bham.percent ?? ''}`,
    );
    expect(csv).toHaveLength(1 + one.cohorts[0]!.measures.length * 2);
    expect(problems).toEqual([]);
  });

  test('a safeguarding lead sees coverage for their own localities only', async () => {
    const { page, problems } = await ui.newPage();
    await signIn(page, 'sl.coventry', '/coverage?cohort=24m');
    await page.getByTestId('coverage-period').waitFor();
    const choices = await page.getByLabel('Locality', { exact: true }).locator('option').allInnerTexts();
    expect(choices).toEqual(['All my localities', 'Coventry']);
    const api = (await (await page.request.get(`/api/reports/coverage?cohort=24m`)).json()) as Report;
    expect(api.localities).toEqual([{ code: 'coventry', name: 'Coventry' }]);
    for (const m of api.cohorts[0]!.measures) {
      expect(await tableRows(page, '24 months', m.label)).toEqual(expectedRows(api, m));
    }
    await checkScreen(page, 'coverage-lead');
    expect(problems).toEqual([]);
  });

  test('caseworkers have no coverage item in their menu', async () => {
    const { page } = await ui.newPage();
    await signIn(page, 'cw.birmingham.hv');
    await page.getByRole('navigation', { name: 'Menu' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Menu' }).getByRole('link').allInnerTexts()).not.toContain(
      'Coverage',
    );
  });
});

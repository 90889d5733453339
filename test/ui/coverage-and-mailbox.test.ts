/**
 * The service manager's coverage report and mailbox in the browser, on one real stack.
 *
 * Coverage: a service manager opens Coverage,
 * sees each birthday's vaccines as a chart with the same figures in a table beside it, narrows
 * it to one locality and cohort (kept in the address), and downloads it as CSV; a safeguarding
 * lead sees only their own localities. The figures themselves are checked against known
 * histories in test/api/coverage-report.test.ts; here the screen must show what the API says.
 *
 * Mailbox: a birth notified in Coventry sends its GP practice an email through the embedded mail
 * server; the manager finds it by the practice's ODS code and by the baby's NHS number, and
 * reads it as the practice would (HTML in a sandboxed frame, and the plain text).
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { formatNhsNumber } from '../../core/nhs-number';
import { checkScreen, describeInBrowser, notifyBirth, signIn, uiStackPerFile, type UiStack } from './support/browser';

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

describeInBrowser('coverage report and mailbox', () => {
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

  test('a service manager finds the email a GP practice got about a new baby, by practice and by NHS number, and reads it', async () => {
    const birth = await notifyBirth(ui.stack, {
      locality: 'coventry',
      postcode: 'CV1 2AB',
      daysAgo: 1,
      givenName: 'Maya',
      familyName: 'Mistry',
    });
    const practice = await ui.stack.practiceOf('coventry');
    await ui.stack.waitFor(
      async () => (await ui.stack.receivedMail()).find((m) => m.textBody?.includes(formatNhsNumber(birth.nhsNumber))),
      'the GP practice email',
      60_000,
    );
    const { page, problems } = await ui.newPage();
    await signIn(page, 'manager', '/processes');
    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Mailbox' }).click();
    await page.getByTestId('mail-count').waitFor();
    await checkScreen(page, 'mailbox');

    await page.getByLabel('GP practice').fill(practice.odsCode.toLowerCase());
    await page.getByRole('button', { name: 'Find email' }).click();
    await page.waitForURL(`**/mailbox?practice=${practice.odsCode}`);
    await page.getByTestId('mail-count').waitFor();
    const practiceRows = page.getByTestId('mailbox').locator('tbody tr');
    expect(await practiceRows.count()).toBeGreaterThan(0);
    for (const to of await practiceRows.locator('td:nth-child(2)').allInnerTexts()) expect(to).toBe(practice.email);

    await page.getByRole('link', { name: 'Show all' }).click();
    await page.getByLabel('NHS number').fill(formatNhsNumber(birth.nhsNumber));
    await page.getByRole('button', { name: 'Find email' }).click();
    await page.waitForURL(`**/mailbox?nhsNumber=${birth.nhsNumber}`);
    await page.getByTestId('mail-count').waitFor();
    const rows = page.getByTestId('mailbox').locator('tbody tr');
    expect(await rows.count()).toBe(1);
    await rows.getByRole('link').click();
    await page.getByRole('heading', { level: 2, name: 'As the practice sees it' }).waitFor();
    expect(await page.getByTestId('mail-text').innerText()).toContain(
      `NHS number: ${formatNhsNumber(birth.nhsNumber)}`,
    );
    const frame = page.getByTestId('mail-html');
    expect(await frame.getAttribute('sandbox')).toBe('');
    expect(await page.frameLocator('[data-testid="mail-html"]').locator('body').innerText()).toContain(
      formatNhsNumber(birth.nhsNumber),
    );
    // The message and its frame are on the page (awaited above); the email itself is not the application's.
    await checkScreen(page, 'mailbox-message', { settled: 'awaited', exclude: ['[data-testid="mail-html"]'] });

    await page.goto('/mailbox?practice=ZZZ999');
    await page.getByRole('alert').getByText('GP practice is not a GP practice on record').waitFor();
    expect(problems).toEqual([]);
  });
});

/**
 * The safeguarding lead's screens in the browser, on the real stack: the dashboard with an
 * escalated new birth visit and how long it has waited, reassigning it to a named colleague
 * (only people who may see the child are offered), team workload, and a concern from raising
 * to closing with an outcome.
 */
import { select } from '../../records/sql';
import { checkScreen, describeInBrowser, notifyBirth, signIn, uiStackPerFile, type UiStack } from './support/browser';

describeInBrowser('safeguarding lead screens', () => {
  let ui: UiStack;
  uiStackPerFile({ children: 30 }, (started) => (ui = started));

  test('a lead sees an escalated task on the dashboard and gives it to a colleague who may see the child', async () => {
    // Born 16 days ago: the new birth visit was due by day 14, so it is escalated to coventry-safeguarding at once.
    const birth = await notifyBirth(ui.stack, {
      locality: 'coventry',
      postcode: 'CV1 2AB',
      daysAgo: 16,
      givenName: 'Isla',
      familyName: 'Iqbal',
    });
    await ui.stack.waitFor(
      async () =>
        (await ui.stack.tasksFor(birth.nhsNumber)).find(
          (t) => t.id === birth.taskId && t.candidateGroups.includes('coventry-safeguarding'),
        ),
      'the escalated visit',
      60_000,
    );
    const { page, problems } = await ui.newPage();
    await signIn(page, 'sl.coventry');
    await page.waitForURL('**/safeguarding');
    const escalated = page.getByTestId('escalated-tasks');
    const row = escalated.locator('tr', { hasText: 'IQBAL, Isla' });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/New birth visit not recorded by day 14/);
    expect(await row.innerText()).toMatch(/Waiting .*, \d+ days? over its deadline/);
    await checkScreen(page, 'safeguarding-dashboard-escalated');

    await row.getByRole('link', { name: 'New birth visit' }).click();
    await page.waitForURL(`**/tasks/${birth.taskId}`);
    const picker = page.getByRole('group', { name: 'Colleague' });
    await picker.waitFor();
    const offered = await picker
      .getByRole('radio')
      .evaluateAll((inputs) => inputs.map((i) => i.getAttribute('value') ?? ''));
    expect(offered).toContain('cw.coventry.hv');
    expect(offered).toContain('sl.coventry');
    expect(offered.filter((u) => !/\.coventry(\.|$)/.test(u))).toEqual([]); // nobody from another locality
    await checkScreen(page, 'task-assign');
    await picker.getByRole('radio', { name: /Coventry health visiting caseworker/ }).check();
    await page.getByRole('button', { name: 'Assign task' }).click();
    await page.getByText('The task is now assigned to Coventry health visiting caseworker.').waitFor();
    await page.getByText('Claimed by cw.coventry.hv').waitFor();
    const [task] = await select<{ assignee: string; status: string }>(
      ui.stack.db,
      'SELECT assignee, status FROM human_tasks WHERE id = $1',
      [birth.taskId],
    );
    expect(task).toEqual({ assignee: 'cw.coventry.hv', status: 'claimed' });

    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Team workload' }).click();
    const people = page.getByTestId('workload-people');
    await people.waitFor();
    const worker = people.locator('tr', { hasText: 'Coventry health visiting caseworker' });
    expect(await worker.locator('td').nth(2).innerText()).toBe('1');
    await checkScreen(page, 'team-workload');
    expect(problems).toEqual([]);
  });

  test('a concern: a caseworker raises it from the record; the lead adds a note, escalates and closes it with an outcome', async () => {
    const [child] = await select<{ nhsNumber: string; familyName: string; givenName: string }>(
      ui.stack.db,
      `SELECT c.nhs_number, c.family_name, c.given_name FROM children c JOIN localities l ON l.id = c.locality_id
       WHERE l.code = 'coventry' AND c.safeguarding_alert = 'none' ORDER BY c.id DESC LIMIT 1`,
    );
    const caseworker = await ui.newPage();
    await signIn(caseworker.page, 'cw.coventry.hv', `/children/${child.nhsNumber}?tab=concerns`);
    await caseworker.page
      .getByLabel('What is the concern?')
      .fill('Bruising seen on the forearm at the 6-8 week review; mother gave no explanation.');
    await caseworker.page.getByRole('button', { name: 'Raise a concern' }).click();
    await caseworker.page.waitForURL('**/concerns/*');
    await caseworker.page.getByText('Concern raised.').waitFor();
    await checkScreen(caseworker.page, 'concern-raised');

    const { page, problems } = await ui.newPage();
    await signIn(page, 'sl.coventry', '/concerns');
    const list = page.getByTestId('concerns-table');
    const row = list.locator('tr', { hasText: 'Bruising seen on the forearm' });
    await row.waitFor();
    await checkScreen(page, 'concerns');
    await row.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: /Bruising seen/ }).waitFor();
    await page.getByLabel('Add a note').fill('Spoke to the health visitor; home visit booked for tomorrow.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('Note added.').waitFor();
    await page.getByLabel('Escalate this concern').fill('Second unexplained injury this month.');
    await page.getByRole('button', { name: 'Escalate concern' }).click();
    await page.getByText('Concern escalated.').waitFor();
    await page.getByRole('button', { name: 'Close concern' }).click();
    await page.getByRole('alert').getByText('Select the outcome').waitFor();
    await checkScreen(page, 'concern-close-errors');
    await page.getByRole('radio', { name: "Referred to children's social care" }).check();
    await page.getByLabel('Closing note').fill('Referred to MASH; strategy meeting set.');
    await page.getByRole('button', { name: 'Close concern' }).click();
    await page.getByText('Concern closed.').waitFor();
    await checkScreen(page, 'concern-closed');
    const [concern] = await select<{ status: string; outcome: string }>(
      ui.stack.db,
      'SELECT k.status, k.outcome FROM safeguarding_concerns k JOIN children c ON c.id = k.child_id WHERE c.nhs_number = $1 ORDER BY k.id DESC LIMIT 1',
      [child.nhsNumber],
    );
    expect(concern).toEqual({ status: 'closed', outcome: 'referred_to_childrens_social_care' });
    expect([...problems, ...caseworker.problems]).toEqual([]);
  });
});

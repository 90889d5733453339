/**
 * A record that another record of the same child was merged into (after PDS superseded that
 * record's NHS number, records/children/merge.ts) says so on the child's record, in the browser:
 * which number, when, by whom and why; and the merged record's number opens the surviving record,
 * saying that PDS replaced it.
 */
import { formatNhsNumber } from '../../core/nhs-number';
import { processActor } from '../../records/actor';
import { mergeChildRecords } from '../../records/children/merge';
import { select } from '../../records/sql';
import { checkScreen, describeInBrowser, signIn, uiStackPerFile, type UiStack } from './support/browser';

describeInBrowser('a merged record', () => {
  let ui: UiStack;
  uiStackPerFile({ children: 30 }, (started) => (ui = started));

  test('the surviving record names the record merged into it', async () => {
    const [survivor, duplicate] = await select<{ id: string; nhsNumber: string }>(
      ui.stack.db,
      `SELECT c.id, c.nhs_number FROM children c JOIN localities l ON l.id = c.locality_id
       WHERE l.code = 'coventry' AND c.status = 'active' ORDER BY c.id LIMIT 2`,
    );
    // PDS answered the duplicate's number with the survivor's (pds.lookupPatient links it so).
    await ui.stack.db.sequelize.query(
      'INSERT INTO superseded_nhs_numbers (nhs_number, child_id, current_nhs_number) VALUES ($1, $2, $3)',
      { bind: [duplicate.nhsNumber, survivor.id, survivor.nhsNumber] },
    );
    await ui.stack.db.sequelize.query('DELETE FROM immunisation_events WHERE child_id = $1', { bind: [duplicate.id] });
    await mergeChildRecords(ui.stack.db, processActor('records-team-test'), {
      mergedNhsNumber: duplicate.nhsNumber,
      intoNhsNumber: survivor.nhsNumber,
      reason: 'Same child: PDS superseded the number',
    });

    const caseworker = await ui.newPage();
    await signIn(caseworker.page, 'cw.coventry.records', `/children/${survivor.nhsNumber}`);
    await caseworker.page.getByRole('heading', { name: 'Merged records' }).waitFor();
    const note = await caseworker.page.locator('.app-merged-from').innerText();
    expect(note).toContain(`Merged from the record of NHS number ${formatNhsNumber(duplicate.nhsNumber)}`);
    expect(note).toContain('by records-team-test: Same child: PDS superseded the number');
    await checkScreen(caseworker.page, 'merged-record');

    // The merged record's number (a letter, an old referral) still opens the child, and says it was replaced.
    await caseworker.page.goto(`/children/${duplicate.nhsNumber}`);
    const replaced = caseworker.page.locator('.app-superseded-number');
    await replaced.waitFor();
    expect(await replaced.innerText()).toContain(
      `NHS number ${formatNhsNumber(duplicate.nhsNumber)} was replaced by ${formatNhsNumber(survivor.nhsNumber)}`,
    );
    await caseworker.page.getByRole('link', { name: 'Timeline' }).click();
    await caseworker.page.getByRole('heading', { name: 'Merged records' }).waitFor();
    await checkScreen(caseworker.page, 'superseded-number-record');
    expect(caseworker.problems).toEqual([]);
  });
});

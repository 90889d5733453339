/**
 * A record restricted on PDS ("S-flagged", sensitive) in the browser, on the real stack: the
 * record says so (a tag in the banner and a warning), a caseworker sees no address or contact
 * details, and only a safeguarding lead (api/access/policy.ts RESTRICTED_DETAILS_ROLES) sees them,
 * told to keep them confidential, the read audited. PDS: a patient flagged "S" (sensitive) has
 * their address and contact details withheld from users without a need to see them (NHS
 * England, "Personal Demographics Service – restricted (sensitive) patient records").
 */
import { formatNhsNumber } from '../../core/nhs-number';
import { select } from '../../records/sql';
import { checkScreen, describeInBrowser, signIn, uiStackPerFile, type UiStack } from './support/browser';

describeInBrowser('a restricted record', () => {
  let ui: UiStack;
  uiStackPerFile({ children: 30 }, (started) => (ui = started));

  test('flagged on the record; withheld for a caseworker; shown to the safeguarding lead with a warning, and audited', async () => {
    const [child, other] = await select<{ id: string; nhsNumber: string; addressLine1: string; postcode: string }>(
      ui.stack.db,
      `SELECT c.id, c.nhs_number, c.address_line1, c.postcode FROM children c JOIN localities l ON l.id = c.locality_id
       WHERE l.code = 'coventry' AND c.status = 'active' ORDER BY c.id LIMIT 2`,
    );
    // PDS answered with the S flag (pds.lookupPatient sets it; here set as it would be).
    await ui.stack.db.sequelize.query('UPDATE children SET restricted = true WHERE id = $1', { bind: [child.id] });
    await ui.stack.db.sequelize.query('DELETE FROM contacts WHERE child_id = $1', { bind: [child.id] });
    await ui.stack.db.sequelize.query(
      `INSERT INTO contacts (child_id, relationship, name, phone, email, preferred_method, is_primary)
       VALUES ($1, 'mother', 'Morag Restricted', '07700900456', NULL, 'sms', true)`,
      { bind: [child.id] },
    );

    const caseworker = await ui.newPage();
    await signIn(caseworker.page, 'cw.coventry.hv', `/children/${child.nhsNumber}`);
    const banner = caseworker.page.getByRole('region', { name: 'Child' });
    await banner.getByText('Restricted record', { exact: true }).waitFor();
    const warning = caseworker.page.getByRole('heading', { name: 'Restricted record (S-flagged on PDS)' });
    await warning.waitFor();
    const body = await caseworker.page.locator('main').innerText();
    expect(body).toContain("The child's address and the family's contact details are withheld");
    expect(body).toContain('Withheld: restricted record (PDS)');
    const summary = await caseworker.page.locator('.nhsuk-summary-list').first().innerText();
    expect(summary.split('Withheld: restricted record (PDS)')).toHaveLength(2); // said once, not per address line
    expect(body).not.toContain(child.addressLine1);
    expect(body).not.toContain(child.postcode);
    // The family's phone and email read "Withheld", not "Not known" (there is a phone; there is no email).
    const contactRow = caseworker.page
      .getByRole('table', { name: 'Contacts' })
      .getByRole('row', { name: /Morag Restricted/ });
    expect((await contactRow.getByRole('cell').allInnerTexts()).slice(2, 4)).toEqual(['Withheld', 'Withheld']);
    expect(body).not.toContain('07700900456');
    await checkScreen(caseworker.page, 'restricted-record-caseworker');
    expect(caseworker.problems).toEqual([]);

    // Another child's record carries no flag.
    await caseworker.page.goto(`/children/${other.nhsNumber}`);
    await caseworker.page.getByRole('region', { name: 'Child' }).getByText(formatNhsNumber(other.nhsNumber)).waitFor();
    expect(await caseworker.page.getByText('Restricted record', { exact: true }).count()).toBe(0);
    expect(await caseworker.page.getByText('Restricted record (S-flagged on PDS)').count()).toBe(0);

    const lead = await ui.newPage();
    await signIn(lead.page, 'sl.coventry', `/children/${child.nhsNumber}`);
    await lead.page.getByRole('heading', { name: 'Restricted record (S-flagged on PDS)' }).waitFor();
    const leadBody = await lead.page.locator('main').innerText();
    expect(leadBody).toContain('because you are a safeguarding lead');
    expect(leadBody).toContain(child.addressLine1);
    expect(leadBody).not.toContain('Withheld: restricted record (PDS)');
    const leadRow = lead.page.getByRole('table', { name: 'Contacts' }).getByRole('row', { name: /Morag Restricted/ });
    expect((await leadRow.getByRole('cell').allInnerTexts()).slice(2, 4)).toEqual(['07700900456', 'Not known']);
    await checkScreen(lead.page, 'restricted-record-lead');
    expect(lead.problems).toEqual([]);

    const audits = await select<{ actorUsername: string }>(
      ui.stack.db,
      "SELECT actor_username FROM audit_events WHERE action = 'child.restricted_details_read' AND child_id = $1",
      [child.id],
    );
    expect(audits).toEqual([{ actorUsername: 'sl.coventry' }]);
  });
});

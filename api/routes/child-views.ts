import type { ChildDetails, ChildSummary } from '../../records/children/child-rows';
import { practiceByCode } from '../../records/localities';
import type { Db } from '../../records/sql';

/** What every list row and banner shows about a child (the summary of childSummarySchema). */
export const childSummaryView = (c: ChildSummary) => ({
  nhsNumber: c.nhsNumber,
  givenName: c.givenName,
  familyName: c.familyName,
  dateOfBirth: c.dateOfBirth,
  sex: c.sex,
  postcode: c.postcode,
  locality: c.localityCode,
  localityName: c.localityName,
  status: c.status,
  safeguardingAlert: c.safeguardingAlert,
  restricted: c.restricted,
});

/** The banner: the summary and the GP practice's name. */
export async function childBannerView(db: Db, c: ChildDetails) {
  const practice = c.gpPracticeOds ? await practiceByCode(db, c.gpPracticeOds) : null;
  return { ...childSummaryView(c), gpPractice: practice ? { odsCode: practice.odsCode, name: practice.name } : null };
}

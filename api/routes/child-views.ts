import { gpPracticeOf, type ChildDetails, type ChildSummary } from '../../db/repositories/children';
import type { Db } from '../../db/repositories/sql';

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
});

/** The banner: the summary and the GP practice's name. */
export async function childBannerView(db: Db, c: ChildDetails) {
  return { ...childSummaryView(c), gpPractice: await gpPracticeOf(db, c.gpPracticeOds) };
}

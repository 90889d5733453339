import type { Client } from 'pg';
import { insertPracticesBulk, practiceCodes, type PracticeRow } from '../../records/bulk/practices';
import { PRACTICE_NAME_KINDS, PRACTICE_NAME_STEMS } from './names';
import { Rng, streamKey } from './prng';
import { LOCALITY_PROFILES, practiceTarget, postTown } from './region-profile';

/**
 * Synthetic GP practices: about one per 1,500 children, at least two per locality, with
 * ODS-like codes (M85001) and emails on a reserved example domain. A practice's name
 * depends only on its code, so re-running or appending adds practices without changing any.
 */

export type SyntheticPractice = PracticeRow;

export function practiceFor(localityIndex: number, number: number): SyntheticPractice {
  const locality = LOCALITY_PROFILES[localityIndex];
  const odsCode = `${locality.odsPrefix}${String(number).padStart(3, '0')}`;
  const rng = new Rng(streamKey(locality.id, number));
  const town = postTown(rng.pick(locality.districts));
  return {
    odsCode,
    name: `${rng.pick(PRACTICE_NAME_STEMS)} ${rng.pick(PRACTICE_NAME_KINDS)}, ${town}`,
    email: `practice.${odsCode.toLowerCase()}@gp.example.nhs.uk`,
    localityId: locality.id,
  };
}

/** Creates the practices a region of `totalChildren` needs (keeping existing ones); returns how many were new. */
export async function ensurePractices(client: Client, totalChildren: number): Promise<number> {
  const practices = LOCALITY_PROFILES.flatMap((profile, index) =>
    Array.from({ length: practiceTarget(profile, totalChildren) }, (_, i) => practiceFor(index, i + 1)),
  );
  return insertPracticesBulk(client, practices);
}

/** The practices children can be registered with, per locality in LOCALITY_PROFILES order, sorted by code. */
export async function practicesByLocality(client: Client): Promise<string[][]> {
  const rows = await practiceCodes(client);
  const byLocality = LOCALITY_PROFILES.map((profile) =>
    rows.filter((r) => r.locality_id === profile.id).map((r) => r.ods_code),
  );
  const empty = LOCALITY_PROFILES.filter((_, i) => byLocality[i].length === 0).map((l) => l.code);
  if (empty.length > 0) throw new Error(`no GP practices for ${empty.join(', ')}`);
  return byLocality;
}

import type { Client } from 'pg';
import { insertStaffBulk, insertTeamsBulk, linkStaffBulk, staffIdsByUsername } from '../../records/bulk/staff';
import { LOCALITY_PROFILES } from './region-profile';

/**
 * Teams and demo staff accounts: per locality a records, health visiting, immunisation and
 * safeguarding team, a caseworker in each caseworker team and a safeguarding lead; a
 * regional management team with a service manager and an administrator. Every statement
 * skips what already exists, so this can run on a live database.
 */

/** Development-only password of every demo account; real sign-in is NHS CIS2. */
export const DEMO_PASSWORD = 'demo-password';

export type StaffRole = 'caseworker' | 'safeguarding_lead' | 'service_manager' | 'administrator' | 'integration';
type TeamKind = 'records' | 'health_visiting' | 'immunisation' | 'safeguarding' | 'management';

export interface DemoLogin {
  username: string;
  displayName: string;
  role: StaffRole;
  /** Locality code, or 'region' for regional accounts (members of every locality). */
  locality: string;
  /** Team code, or null for an account in no team (the integration feed works no queue). */
  team: string | null;
  password: string;
}

interface TeamSpec {
  code: string;
  name: string;
  kind: TeamKind;
  localityId: number | null;
}

const LOCALITY_TEAMS: { suffix: string; kind: TeamKind; label: string; user: string | null }[] = [
  { suffix: 'records', kind: 'records', label: 'child health records', user: 'records' },
  { suffix: 'health-visiting', kind: 'health_visiting', label: 'health visiting', user: 'hv' },
  { suffix: 'immunisation', kind: 'immunisation', label: 'immunisation', user: 'imms' },
  { suffix: 'safeguarding', kind: 'safeguarding', label: 'safeguarding', user: null },
];

export const REGION_TEAM = 'region-management';

export function teamSpecs(): TeamSpec[] {
  return [
    ...LOCALITY_PROFILES.flatMap((l) =>
      LOCALITY_TEAMS.map((t) => ({
        code: `${l.code}-${t.suffix}`,
        name: `${l.name} ${t.label}`,
        kind: t.kind,
        localityId: l.id,
      })),
    ),
    { code: REGION_TEAM, name: 'Regional management', kind: 'management', localityId: null },
  ];
}

/** The demo accounts, in a stable order (locality by locality, then the regional ones). */
export function demoLogins(): DemoLogin[] {
  const logins: DemoLogin[] = [];
  for (const l of LOCALITY_PROFILES) {
    for (const t of LOCALITY_TEAMS) {
      if (t.user === null) continue;
      logins.push({
        username: `cw.${l.code}.${t.user}`,
        displayName: `${l.name} ${t.label} caseworker`,
        role: 'caseworker',
        locality: l.code,
        team: `${l.code}-${t.suffix}`,
        password: DEMO_PASSWORD,
      });
    }
    logins.push({
      username: `sl.${l.code}`,
      displayName: `${l.name} safeguarding lead`,
      role: 'safeguarding_lead',
      locality: l.code,
      team: `${l.code}-safeguarding`,
      password: DEMO_PASSWORD,
    });
  }
  logins.push(
    {
      username: 'manager',
      displayName: 'Regional service manager',
      role: 'service_manager',
      locality: 'region',
      team: REGION_TEAM,
      password: DEMO_PASSWORD,
    },
    {
      username: 'admin',
      displayName: 'Regional administrator',
      role: 'administrator',
      locality: 'region',
      team: REGION_TEAM,
      password: DEMO_PASSWORD,
    },
    // Posts inbound events (births, address changes, immunisations...) as the maternity/PDS feeds would.
    {
      username: 'feed',
      displayName: 'Maternity and PDS feed',
      role: 'integration',
      locality: 'region',
      team: null,
      password: DEMO_PASSWORD,
    },
  );
  return logins;
}

export interface StaffResult {
  teamsCreated: number;
  staffCreated: number;
  logins: DemoLogin[];
}

/**
 * Creates the missing teams and demo accounts. `hashPassword` is called at most once
 * (argon2 is deliberately slow) and only when some account is missing.
 */
export async function ensureStaff(
  client: Client,
  hashPassword: (plain: string) => Promise<string>,
): Promise<StaffResult> {
  const teamsCreated = await insertTeamsBulk(client, teamSpecs());
  const logins = demoLogins();
  const existing = await staffIdsByUsername(
    client,
    logins.map((l) => l.username),
  );
  let staffCreated = 0;
  if (existing.length < logins.length)
    staffCreated = await insertStaffBulk(client, logins, await hashPassword(DEMO_PASSWORD));
  await linkStaffBulk(client, logins);
  return { teamsCreated, staffCreated, logins };
}

/** Staff ids per locality (LOCALITY_PROFILES order) who raise the seeded safeguarding concerns. */
export async function concernRaisersByLocality(client: Client): Promise<number[][]> {
  const rows = await staffIdsByUsername(
    client,
    demoLogins().map((l) => l.username),
  );
  return LOCALITY_PROFILES.map((l) => {
    const ids = rows
      .filter((r) => r.username === `sl.${l.code}` || r.username.startsWith(`cw.${l.code}.`))
      .map((r) => r.id);
    if (ids.length === 0) throw new Error(`no staff in ${l.code} to raise safeguarding concerns`);
    return ids;
  });
}

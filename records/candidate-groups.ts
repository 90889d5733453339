import { QueryTypes, type Sequelize } from 'sequelize';
import { ROLES } from './staff';

/**
 * Team codes and role names a user task may name as candidate groups: what deployment checks
 * static candidate groups against (start-up, the deploy API and the test stacks).
 */
export async function knownCandidateGroups(sequelize: Sequelize): Promise<Set<string>> {
  const rows = await sequelize.query<{ code: string }>('SELECT code FROM teams', { type: QueryTypes.SELECT });
  return new Set<string>([...rows.map((r) => r.code), ...ROLES]);
}

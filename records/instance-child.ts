/**
 * The child a process instance (alias `i`) is about, joined as alias `c` (null when the business
 * key is no NHS number of ours): the child holding the key, else the child a number PDS
 * superseded leads to (superseded_nhs_numbers; a process started under the old number, its record
 * perhaps merged since). Without the second step such an instance would have no child and so
 * pass every locality rule. Only a 10-digit key is cast, so a longer key is never truncated into
 * a match.
 */
const KEY = `(CASE WHEN i.business_key ~ '^[0-9]{10}$' THEN i.business_key END)::char(10)`;

export const INSTANCE_CHILD_JOIN = `
  LEFT JOIN children held ON held.nhs_number = ${KEY}
  LEFT JOIN superseded_nhs_numbers sn ON held.id IS NULL AND sn.nhs_number = ${KEY}
  LEFT JOIN children c ON c.id = COALESCE(held.id, sn.child_id)`;

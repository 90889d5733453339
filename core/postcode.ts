/** UK postcode, outward and inward code, optional single space (normalised: upper case, one space). */
const UK_POSTCODE = /^([A-Z]{1,2}[0-9][0-9A-Z]?) ?([0-9][A-Z]{2})$/;

export function normalisePostcode(value: string): string | null {
  const m = UK_POSTCODE.exec(value.trim().toUpperCase().replace(/\s+/g, ' '));
  return m ? `${m[1]} ${m[2]}` : null;
}

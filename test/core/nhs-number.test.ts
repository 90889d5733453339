import { formatNhsNumber, isValidNhsNumber, nhsCheckDigit, nhsNumberProblem } from '../../core/nhs-number';

describe('NHS number', () => {
  test('accepts the documented example and numbers from the synthetic 999 range', () => {
    expect(nhsNumberProblem('9434765919')).toBeNull();
    expect(nhsNumberProblem('943 476 5919')).toBeNull();
    expect(isValidNhsNumber('9990000018')).toBe(true);
  });

  test('computes the Modulus 11 check digit, mapping 11 to 0', () => {
    expect(nhsCheckDigit('943476591')).toBe(9);
    // 999000001: 9*10+9*9+9*8+1*2 = 245; 245 mod 11 = 3; 11-3 = 8
    expect(nhsCheckDigit('999000001')).toBe(8);
    // 100000001: 10 + 2 = 12; 12 mod 11 = 1; check 10 → no valid number
    expect(nhsCheckDigit('100000001')).toBeNull();
    // 100000010: 10 + 3 = 13 mod 11 = 2 → 9; 000000000 → sum 0 → 11 → 0
    expect(nhsCheckDigit('000000000')).toBe(0);
  });

  test('refuses a wrong check digit', () => {
    expect(nhsNumberProblem('9434765918')).toBe('has a wrong check digit');
  });

  test('refuses numbers whose check value is 10', () => {
    expect(nhsNumberProblem('1000000010')).toBe('is not a valid NHS number (its check value is 10)');
  });

  test('refuses wrong lengths and non-digits', () => {
    expect(nhsNumberProblem('943476591')).toBe('must be 10 digits long, got 9');
    expect(nhsNumberProblem('94347659190')).toBe('must be 10 digits long, got 11');
    expect(nhsNumberProblem('94347A5919')).toBe('must contain digits only');
    expect(nhsNumberProblem('')).toBe('must contain digits only');
    expect(nhsNumberProblem(9434765919)).toBe('must be a string of 10 digits');
  });

  test('formats as 3-3-4', () => {
    expect(formatNhsNumber('9434765919')).toBe('943 476 5919');
  });
});

// Realistic, varied and seedable identities and document fields for finished sessions.
import { integerBetween, pick, type Random } from './random.js';
import { isoInstant } from './time-limits.js';

export interface Identity {
  countryCode: string;
  firstName: string;
  lastName: string;
  fullName: string;
  personalNumber: string | null;
  dateOfBirth: string;
  gender: 'Male' | 'Female';
  identificationDate: string;
}

export interface PersonPool {
  countryCode: string;
  nationality: string;
  maleNames: string[];
  femaleNames: string[];
  lastNames: string[];
}

export interface DocumentFields {
  Document_Number: string;
  Document_Type: string;
  Issuing_Country: string;
  Nationality: string;
  First_Name: string;
  Last_Name: string;
  Date_Of_Birth: string;
  Sex: 'M' | 'F';
  Personal_Number: string | null;
  Date_Of_Issue: string;
  Expiry_Date: string;
}

const isoDate = (ms: number) => isoInstant(ms).slice(0, 10);
const DAY = 86_400_000;

/** Luhn check digit over the 9 digits YYMMDDNNN, as in Swedish personal identity numbers. */
export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** Finnish check characters, indexed by the 9-digit number DDMMYYZZZ mod 31 (G, I, O, Q and Z are never used). */
const FINNISH_CHECK_CHARACTERS = '0123456789ABCDEFHJKLMNPRSTUVWXY';

/** The Finnish check character of a birth date DDMMYY and an individual number ZZZ. */
function finnishCheckCharacter(ddmmyy: string, individual: string): string {
  return FINNISH_CHECK_CHARACTERS[Number(`${ddmmyy}${individual}`) % 31];
}

/** Sum of digits times weights. */
const weighted = (digits: string, weights: readonly number[]) => weights.reduce((sum, weight, i) => sum + weight * Number(digits[i]), 0);

/** Norwegian fødselsnummer check digit over the digits before it: 11 - sum mod 11, 11 meaning 0; null when it would be 10 (no valid number). */
function norwegianCheckDigit(digits: string, weights: readonly number[]): number | null {
  const digit = (11 - (weighted(digits, weights) % 11)) % 11;
  return digit === 10 ? null : digit;
}

/** The two check digits K1 and K2 of a Norwegian fødselsnummer's first 9 digits, or null when the individual number cannot be used. */
function norwegianCheckDigits(nineDigits: string): string | null {
  const k1 = norwegianCheckDigit(nineDigits, [3, 7, 6, 1, 8, 9, 4, 5, 2]);
  if (k1 === null) return null;
  const k2 = norwegianCheckDigit(`${nineDigits}${k1}`, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
  return k2 === null ? null : `${k1}${k2}`;
}

/** The first candidate, walking up from a random start and wrapping around, that `accept` turns into a number. */
function firstFrom(random: Random, min: number, max: number, accept: (candidate: number) => string | null): string {
  const size = max - min + 1;
  const start = integerBetween(random, 0, size - 1);
  for (let k = 0; k < size; k++) {
    const found = accept(min + ((start + k) % size));
    if (found !== null) return found;
  }
  throw new Error(`no valid personal number between ${min} and ${max}`);
}

/** The sex a national number encodes (its gender digit). */
export type Sex = 'female' | 'male';

/**
 * A valid personal identity number for the country, written without separators except where the
 * separator is part of the number (the Finnish century sign):
 * - SE personnummer YYYYMMDDNNNC: Luhn check digit; the third serial digit is odd for men.
 * - NO fødselsnummer DDMMYYIIIKK: individual number in the range of the birth century, its last digit
 *   odd for men, and two mod-11 check digits.
 * - DK CPR-nummer DDMMYYSSSS: the first serial digit encodes the century, the last one is odd for men;
 *   the serial also passes the mod-11 test (not required since 2007, but older validators apply it).
 * - FI henkilötunnus DDMMYYCZZZQ: century sign (+ 1800s, - 1900s, A 2000s), individual number 002-899,
 *   odd for men, and the mod-31 check character.
 */
export function personalNumberFor(countryCode: string, dateOfBirth: string, sex: Sex, random: Random): string | null {
  const female = sex === 'female';
  const [yyyy, mm, dd] = dateOfBirth.split('-');
  const year = Number(yyyy);
  const yy = yyyy.slice(2);
  const ddmmyy = `${dd}${mm}${yy}`;
  const sexMatches = (digit: number) => (digit % 2 === 0) === female;
  if (countryCode === 'SE') {
    // Serial digit 3 (the second-to-last) is even for women and odd for men.
    let serial = integerBetween(random, 0, 99) * 10 + integerBetween(random, 0, 4) * 2 + (female ? 0 : 1);
    if (serial < 2) serial += 2;
    const core = `${yy}${mm}${dd}${String(serial).padStart(3, '0')}`;
    return `${yyyy}${mm}${dd}${String(serial).padStart(3, '0')}${luhnCheckDigit(core)}`;
  }
  if (countryCode === 'NO') {
    // 000-499 for 1900-1999, 500-749 for 1854-1899, 500-999 for 2000-2039.
    const [min, max] = year >= 2000 ? [500, 999] : year >= 1900 ? [0, 499] : [500, 749];
    return firstFrom(random, min, max, (individual) => {
      if (!sexMatches(individual)) return null;
      const nine = `${ddmmyy}${String(individual).padStart(3, '0')}`;
      const check = norwegianCheckDigits(nine);
      return check === null ? null : `${nine}${check}`;
    });
  }
  if (countryCode === 'DK') {
    // The first serial digit with the two-digit year gives the century: 0-3 for 1900-1999,
    // 4 for 2000-2036, 5-8 for 2000-2057 and 1858-1899.
    const centuryDigit = year >= 1900 && year <= 1999 ? integerBetween(random, 0, 3) : year >= 2000 && year <= 2036 ? 4 : 5 + integerBetween(random, 0, 3);
    return firstFrom(random, 0, 99, (middle) => {
      const nine = `${ddmmyy}${centuryDigit}${String(middle).padStart(2, '0')}`;
      const last = (11 - (weighted(nine, [4, 3, 2, 7, 6, 5, 4, 3, 2]) % 11)) % 11;
      return last <= 9 && sexMatches(last) ? `${nine}${last}` : null;
    });
  }
  if (countryCode === 'FI') {
    const centurySign = year >= 2000 ? 'A' : year >= 1900 ? '-' : '+';
    // Individual numbers 002-899 (900-999 are temporary numbers); odd for men, even for women.
    const individual = String(integerBetween(random, 1, 449) * 2 + (female ? 0 : 1)).padStart(3, '0');
    return `${ddmmyy}${centurySign}${individual}${finnishCheckCharacter(ddmmyy, individual)}`;
  }
  return null;
}

/** A person and the document that was read: `documentType` is what the document was captured as (Passport, IdentityCard, ...). */
export function generateIdentity(random: Random, pools: readonly PersonPool[], now: number, documentType: string): { identity: Identity; document: DocumentFields } {
  const pool = pick(random, pools);
  const female = random() < 0.5;
  const firstName = pick(random, female ? pool.femaleNames : pool.maleNames);
  const lastName = pick(random, pool.lastNames);
  // Adults between 18 and 80 years old at "now".
  const dateOfBirth = isoDate(now - integerBetween(random, 18 * 365, 80 * 365) * DAY);
  const issued = now - integerBetween(random, 30, 9 * 365) * DAY;
  const identity: Identity = {
    countryCode: pool.countryCode,
    firstName,
    lastName,
    fullName: `${firstName} ${lastName}`,
    personalNumber: personalNumberFor(pool.countryCode, dateOfBirth, female ? 'female' : 'male', random),
    dateOfBirth,
    gender: female ? 'Female' : 'Male',
    identificationDate: isoInstant(now),
  };
  const document: DocumentFields = {
    Document_Number: `${String.fromCharCode(65 + integerBetween(random, 0, 25))}${integerBetween(random, 10_000_000, 99_999_999)}`,
    Document_Type: documentType,
    Issuing_Country: pool.nationality,
    Nationality: pool.nationality,
    First_Name: firstName.toUpperCase(),
    Last_Name: lastName.toUpperCase(),
    Date_Of_Birth: dateOfBirth,
    Sex: female ? 'F' : 'M',
    Personal_Number: identity.personalNumber,
    Date_Of_Issue: isoDate(issued),
    Expiry_Date: isoDate(issued + 10 * 365 * DAY),
  };
  return { identity, document };
}

/** Moves the document's validity into the past, for the document_expired outcome. */
export function expireDocument(document: DocumentFields, random: Random, now: number): DocumentFields {
  const expired = now - integerBetween(random, 1, 3 * 365) * DAY;
  return { ...document, Expiry_Date: isoDate(expired), Date_Of_Issue: isoDate(expired - 10 * 365 * DAY) };
}

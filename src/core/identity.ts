// Realistic, varied and seedable identities and document fields for finished sessions.
import { integerBetween, pick, type Random } from './random.js';

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

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
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

function personalNumberFor(countryCode: string, dateOfBirth: string, female: boolean, random: Random): string | null {
  const [yyyy, mm, dd] = dateOfBirth.split('-');
  if (countryCode === 'SE') {
    // Serial digit 3 (the second-to-last) is even for women and odd for men.
    let serial = integerBetween(random, 0, 99) * 10 + integerBetween(random, 0, 4) * 2 + (female ? 0 : 1);
    if (serial < 2) serial += 2;
    const core = `${yyyy.slice(2)}${mm}${dd}${String(serial).padStart(3, '0')}`;
    return `${yyyy}${mm}${dd}${String(serial).padStart(3, '0')}${luhnCheckDigit(core)}`;
  }
  if (countryCode === 'NO' || countryCode === 'DK' || countryCode === 'FI') {
    return `${dd}${mm}${yyyy.slice(2)}${String(integerBetween(random, 10000, 99999))}`;
  }
  return null;
}

export function generateIdentity(random: Random, pools: readonly PersonPool[], now: number): { identity: Identity; document: DocumentFields } {
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
    personalNumber: personalNumberFor(pool.countryCode, dateOfBirth, female, random),
    dateOfBirth,
    gender: female ? 'Female' : 'Male',
    identificationDate: new Date(now).toISOString(),
  };
  const document: DocumentFields = {
    Document_Number: `${String.fromCharCode(65 + integerBetween(random, 0, 25))}${integerBetween(random, 10_000_000, 99_999_999)}`,
    Document_Type: 'Passport',
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

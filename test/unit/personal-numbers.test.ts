// Generated personal identity numbers are valid by each country's own rule. The validators here are
// written independently of src/core/identity.ts and are first checked against published examples.
import t from 'tap';
import { generateIdentity, personalNumberFor, type Identity, type PersonPool } from '../../src/core/identity.js';
import { seededRandom } from '../../src/core/random.js';
import people from '../../fixtures/people.json' with { type: 'json' };

const NOW = Date.UTC(2026, 0, 1);
const pool = (code: string): PersonPool[] => people.pools.filter((p) => p.countryCode === code);
const peopleOf = (code: string, count = 100): Identity[] =>
  Array.from({ length: count }, (_, i) => generateIdentity(seededRandom(`${code}-${i}`), pool(code), NOW, 'Passport').identity);
const digitsOf = (text: string) => [...text].map(Number);

/** Swedish: Luhn over the 10 digits YYMMDDNNNC, doubling every other digit from the first. */
function swedishValid(tenDigits: string): boolean {
  const sum = digitsOf(tenDigits).reduce((acc, d, i) => {
    const v = i % 2 === 0 ? d * 2 : d;
    return acc + Math.floor(v / 10) + (v % 10);
  }, 0);
  return /^\d{10}$/.test(tenDigits) && sum % 10 === 0;
}

/** Norwegian: both check digits by mod 11; returns the birth year the individual number implies, or null. */
function norwegianBirthYear(number: string): number | null {
  if (!/^\d{11}$/.test(number)) return null;
  const d = digitsOf(number);
  const control = (weights: number[]) => {
    const r = 11 - (weights.reduce((acc, w, i) => acc + w * d[i], 0) % 11);
    return r === 11 ? 0 : r;
  };
  if (control([3, 7, 6, 1, 8, 9, 4, 5, 2]) !== d[9]) return null;
  if (control([5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) !== d[10]) return null;
  const yy = Number(number.slice(4, 6));
  const individual = Number(number.slice(6, 9));
  if (individual <= 499) return 1900 + yy;
  if (individual >= 900 && yy >= 40) return 1900 + yy;
  if (yy <= 39) return 2000 + yy;
  if (individual <= 749 && yy >= 54) return 1800 + yy;
  return null;
}

/** Danish: the table of the 7th digit and the year gives the century; weighted sum 4,3,2,7,6,5,4,3,2,1 divisible by 11. */
function danishBirthYear(number: string): number | null {
  if (!/^\d{10}$/.test(number)) return null;
  const d = digitsOf(number);
  if ([4, 3, 2, 7, 6, 5, 4, 3, 2, 1].reduce((acc, w, i) => acc + w * d[i], 0) % 11 !== 0) return null;
  const yy = Number(number.slice(4, 6));
  const seventh = d[6];
  if (seventh <= 3) return 1900 + yy;
  if (seventh === 4 || seventh === 9) return yy <= 36 ? 2000 + yy : 1900 + yy;
  return yy <= 57 ? 2000 + yy : 1800 + yy;
}

/** Finnish: DDMMYYCZZZQ with Q = "0123456789ABCDEFHJKLMNPRSTUVWXY"[DDMMYYZZZ mod 31]; returns the birth year or null. */
function finnishBirthYear(number: string): number | null {
  const match = /^(\d{6})([-+A])(\d{3})([0-9A-Y])$/.exec(number);
  if (!match) return null;
  const [, date, sign, individual, check] = match;
  if ('0123456789ABCDEFHJKLMNPRSTUVWXY'.charAt(Number(date + individual) % 31) !== check) return null;
  return { '+': 1800, '-': 1900, A: 2000 }[sign as '+' | '-' | 'A'] + Number(date.slice(4, 6));
}

t.test('the validators accept published examples and reject altered ones', async (t) => {
  t.ok(swedishValid('8112189876'), 'SE 811218-9876');
  t.notOk(swedishValid('8112189875'));
  t.equal(norwegianBirthYear('15076500565'), 1965, 'NO 150765 00565');
  t.equal(norwegianBirthYear('15076500566'), null);
  t.equal(danishBirthYear('0707614285'), 1961, 'DK 070761-4285');
  t.equal(danishBirthYear('1111111118'), 1911, 'DK 111111-1118');
  t.equal(danishBirthYear('0707614286'), null);
  t.equal(finnishBirthYear('131052-308T'), 1952, 'FI 131052-308T');
  t.equal(finnishBirthYear('010101-123N'), 1901, 'FI 010101-123N');
  t.equal(finnishBirthYear('131052-308V'), null);
  t.equal(finnishBirthYear('131052308T'), null, 'the century sign is part of the number');
});

/** DDMMYY of an ISO date. */
const ddmmyy = (iso: string) => `${iso.slice(8, 10)}${iso.slice(5, 7)}${iso.slice(2, 4)}`;

t.test('Swedish numbers: YYYYMMDDNNNC with a Luhn digit and the serial parity of the gender', async (t) => {
  for (const person of peopleOf('SE')) {
    const number = person.personalNumber!;
    t.match(number, /^\d{12}$/);
    t.ok(swedishValid(number.slice(2)), `${number} passes Luhn`);
    t.equal(number.slice(0, 8), person.dateOfBirth.replace(/-/g, ''));
    t.equal(Number(number[10]) % 2 === 0, person.gender === 'Female', 'serial parity follows gender');
  }
});

t.test('Norwegian numbers: DDMMYYIIIKK with two mod-11 check digits, the century in the individual number', async (t) => {
  for (const person of peopleOf('NO')) {
    const number = person.personalNumber!;
    t.match(number, /^\d{11}$/);
    t.equal(number.slice(0, 6), ddmmyy(person.dateOfBirth));
    t.equal(norwegianBirthYear(number), Number(person.dateOfBirth.slice(0, 4)), `${number} is valid for ${person.dateOfBirth}`);
    t.equal(Number(number[8]) % 2 === 0, person.gender === 'Female', 'the third individual digit follows gender');
  }
});

t.test('Danish numbers: DDMMYYSSSS, 10 digits, century digit, mod 11 and the last digit\'s gender parity', async (t) => {
  for (const person of peopleOf('DK')) {
    const number = person.personalNumber!;
    t.match(number, /^\d{10}$/);
    t.equal(number.slice(0, 6), ddmmyy(person.dateOfBirth));
    t.equal(danishBirthYear(number), Number(person.dateOfBirth.slice(0, 4)), `${number} is valid for ${person.dateOfBirth}`);
    t.equal(Number(number[9]) % 2 === 0, person.gender === 'Female', 'the last digit follows gender');
  }
});

t.test('Finnish numbers: DDMMYYCZZZQ with the century sign and the mod-31 check character', async (t) => {
  for (const person of peopleOf('FI')) {
    const number = person.personalNumber!;
    t.match(number, /^\d{6}[-A]\d{3}[0-9A-Y]$/);
    t.equal(number.slice(0, 6), ddmmyy(person.dateOfBirth));
    t.equal(finnishBirthYear(number), Number(person.dateOfBirth.slice(0, 4)), `${number} is valid for ${person.dateOfBirth}`);
    const individual = Number(number.slice(7, 10));
    t.ok(individual >= 2 && individual <= 899, 'an individual number, not a temporary one');
    t.equal(individual % 2 === 0, person.gender === 'Female', 'the individual number follows gender');
  }
});

t.test('every century a country encodes gives a valid number', async (t) => {
  const cases = [
    ['NO', '1899-12-31'], ['NO', '1905-02-28'], ['NO', '1999-06-15'], ['NO', '2000-01-01'], ['NO', '2024-02-29'],
    ['DK', '1870-03-04'], ['DK', '1911-11-11'], ['DK', '1961-07-07'], ['DK', '2005-05-05'], ['DK', '2040-10-10'],
    ['FI', '1852-10-13'], ['FI', '1952-10-13'], ['FI', '2001-01-01'],
  ] as const;
  const validators = { NO: norwegianBirthYear, DK: danishBirthYear, FI: finnishBirthYear };
  for (const [country, date] of cases) {
    for (const female of [true, false]) {
      for (let i = 0; i < 10; i++) {
        const number = personalNumberFor(country, date, female ? 'female' : 'male', seededRandom(`${country}${date}${female}${i}`))!;
        t.equal(validators[country](number), Number(date.slice(0, 4)), `${country} ${date} ${number}`);
        const genderDigit = country === 'NO' ? number[8] : number[9];
        t.equal(Number(genderDigit) % 2 === 0, female, `${number} gender`);
      }
    }
  }
  t.equal(personalNumberFor('FI', '1852-10-13', 'female', seededRandom('x'))![6], '+');
  t.equal(personalNumberFor('FI', '2001-01-01', 'female', seededRandom('x'))![6], 'A');
  t.equal(personalNumberFor('DE', '1990-01-01', 'female', seededRandom('x')), null, 'countries without a national number have none');
});

t.test('the same seed gives the same numbers', async (t) => {
  for (const code of ['SE', 'NO', 'DK', 'FI']) {
    t.strictSame(peopleOf(code, 20), peopleOf(code, 20), code);
  }
});

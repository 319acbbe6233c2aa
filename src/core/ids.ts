// Random ids and secrets (sessions, documents, one-time links, cookies, deliveries), from the
// operating system's CSPRNG. Every random id of the emulator is made here.
//
// crypto.randomUUID() and nanoid() assemble their strings piece by piece, which V8 keeps as a tree of
// fragments until something flattens it: several hundred bytes of short-lived garbage per id, and
// more per stored id. Here each id is written as ASCII into a buffer and read out as one flat
// string, so creating a session allocates each of its ids once.
//
// Drawing random bytes costs about the same for 16 bytes as for 4 KB (microseconds per call on a
// busy machine), so code that makes ids on a hot path (the session store: two per session) owns a
// RandomIds with a pool of its own. The functions below draw what one id needs, for rare ids.
// Nothing is kept at module level: apps in one process share no state through this module.
import { randomFillSync } from 'node:crypto';

const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** Where the 16 bytes of a UUID go in its 36 characters (the dashes sit at 8, 13, 18 and 23). */
const UUID_BYTE_POSITIONS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** The base64url alphabet: 64 symbols, so each random byte's low 6 bits pick one evenly. */
export const URL_SAFE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
export const LOWERCASE_ALPHANUMERIC = '0123456789abcdefghijklmnopqrstuvwxyz';
export const HEX_DIGITS = '0123456789abcdef';

/** Tokens are short: a longer one is a mistake, not a need. */
const MAX_TOKEN_LENGTH = 64;
/** Enough for a few hundred ids between two draws. */
const POOL_BYTES = 4096;

/** Random ids drawn from a pool of random bytes owned by this instance. */
export class RandomIds {
  private readonly pool: Buffer;
  private offset: number;
  private readonly text = Buffer.allocUnsafe(MAX_TOKEN_LENGTH);

  constructor(poolBytes = POOL_BYTES) {
    this.pool = Buffer.allocUnsafe(poolBytes);
    this.offset = poolBytes;
  }

  /** The next random byte, drawing the pool afresh when it is used up. */
  private nextByte(): number {
    if (this.offset === this.pool.length) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    return this.pool[this.offset++];
  }

  /** A random (version 4, RFC 9562) UUID in lower case, like crypto.randomUUID(). */
  uuidV4(): string {
    const text = this.text;
    for (let i = 0; i < 16; i++) {
      let byte = this.nextByte();
      if (i === 6) byte = (byte & 0x0f) | 0x40; // version 4
      else if (i === 8) byte = (byte & 0x3f) | 0x80; // variant 10xx
      const position = UUID_BYTE_POSITIONS[i];
      text[position] = HEX[byte >> 4];
      text[position + 1] = HEX[byte & 0x0f];
    }
    text[8] = text[13] = text[18] = text[23] = 0x2d; // '-'
    return text.toString('latin1', 0, 36);
  }

  /**
   * `length` characters drawn evenly from `alphabet` (at most 256 symbols). A byte picks a symbol by
   * its remainder; bytes past the last whole multiple of the alphabet's size are drawn again, so no
   * symbol is likelier than another. With the URL-safe alphabet every byte counts (22 characters carry 132 bits).
   */
  token(length: number, alphabet: string = URL_SAFE_ALPHABET): string {
    if (length > MAX_TOKEN_LENGTH) throw new RangeError(`tokens are at most ${MAX_TOKEN_LENGTH} characters`);
    const usable = 256 - (256 % alphabet.length);
    const text = this.text;
    for (let filled = 0; filled < length; ) {
      const byte = this.nextByte();
      if (byte < usable) text[filled++] = alphabet.charCodeAt(byte % alphabet.length);
    }
    return text.toString('latin1', 0, length);
  }
}

/** One UUID, from a draw of its own 16 bytes (see RandomIds for ids on a hot path). */
export function uuidV4(): string {
  return new RandomIds(16).uuidV4();
}

/** One token of `length` characters from `alphabet`, from a draw of its own (see RandomIds for ids on a hot path). */
export function randomToken(length: number, alphabet: string = URL_SAFE_ALPHABET): string {
  // Room for the bytes rejection sampling throws away: a pool refill covers any shortfall.
  return new RandomIds(Math.min(length * 2, POOL_BYTES)).token(length, alphabet);
}

/** `length` characters from the URL-safe alphabet (links, cookie secrets, portal tokens). */
export function urlSafeToken(length: number): string {
  return randomToken(length, URL_SAFE_ALPHABET);
}

/** A GUID as text, the way session and analysis ids are written (read in any letter case). */
const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** The whole text is a GUID. */
export const guidPattern = new RegExp(`^${GUID}$`, 'i');
/** The first GUID somewhere in a text (a path). */
export const guidInText = new RegExp(GUID, 'i');

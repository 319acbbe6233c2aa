// Random ids for sessions and one-time links, from the operating system's CSPRNG.
//
// crypto.randomUUID() and nanoid() assemble their strings piece by piece, which V8 keeps as a tree of
// fragments until something flattens it: several hundred bytes of short-lived garbage per id, and
// more per stored id. Here each id is written as ASCII into a scratch buffer and read out as one
// flat string, so creating a session allocates each of its ids once.
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolOffset = POOL_BYTES;

/** `count` fresh random bytes, as an offset into the pool (valid until the next call). */
function takeRandom(count: number): number {
  if (poolOffset + count > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const offset = poolOffset;
  poolOffset += count;
  return offset;
}

const scratch = Buffer.allocUnsafe(64);
const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** Where the 16 bytes of a UUID go in its 36 characters (the dashes sit at 8, 13, 18 and 23). */
const UUID_BYTE_POSITIONS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** A random (version 4, RFC 9562) UUID in lower case, like crypto.randomUUID(). */
export function uuidV4(): string {
  const at = takeRandom(16);
  for (let i = 0; i < 16; i++) {
    let byte = pool[at + i];
    if (i === 6) byte = (byte & 0x0f) | 0x40; // version 4
    else if (i === 8) byte = (byte & 0x3f) | 0x80; // variant 10xx
    const position = UUID_BYTE_POSITIONS[i];
    scratch[position] = HEX[byte >> 4];
    scratch[position + 1] = HEX[byte & 0x0f];
  }
  scratch[8] = scratch[13] = scratch[18] = scratch[23] = 0x2d; // '-'
  return scratch.toString('latin1', 0, 36);
}

/** The base64url alphabet: 64 symbols, so each random byte's low 6 bits pick one evenly. */
const URL_SAFE = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', 'latin1');

/** `length` characters from the URL-safe alphabet, 6 random bits each (22 characters carry 132 bits). */
export function urlSafeToken(length: number): string {
  if (length > scratch.length) throw new RangeError(`tokens are at most ${scratch.length} characters`);
  const at = takeRandom(length);
  for (let i = 0; i < length; i++) scratch[i] = URL_SAFE[pool[at + i] & 63];
  return scratch.toString('latin1', 0, length);
}

// Random ids for sessions and one-time links, from the operating system's CSPRNG.
//
// One-time link tokens are written as ASCII into a scratch buffer and read out as one flat string.
// nanoid() assembles its string a character at a time, which V8 keeps as a tree of fragments for as
// long as the session holds the link: with nanoid(22) in urlSafeToken, `npm run bench -- --only memory`
// measured heapUsed +13.8 MB per 10,000 sessions instead of +10.9 MB (+27 %; six runs each, every run
// within 0.2 MB of its median). Session ids use crypto.randomUUID(): a hand-written UUID measured the
// same +10.9 MB, so it was not worth its code.
import { randomFillSync, randomUUID } from 'node:crypto';

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

/** A random (version 4, RFC 9562) UUID in lower case. */
export const uuidV4 = (): string => randomUUID();

/** The base64url alphabet: 64 symbols, so each random byte's low 6 bits pick one evenly. */
const URL_SAFE = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', 'latin1');

/** `length` characters from the URL-safe alphabet, 6 random bits each (22 characters carry 132 bits). */
export function urlSafeToken(length: number): string {
  if (length > scratch.length) throw new RangeError(`tokens are at most ${scratch.length} characters`);
  const at = takeRandom(length);
  for (let i = 0; i < length; i++) scratch[i] = URL_SAFE[pool[at + i] & 63];
  return scratch.toString('latin1', 0, length);
}

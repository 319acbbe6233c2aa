// Path globs (`*` within one segment, `**` across segments, letter case ignored) matched in linear
// time: the glob is simulated as a set of states kept as bits, one pass over the path, so no glob
// and no path can make matching backtrack (a regex of `.*` runs can take exponential time to fail).

/** Longest glob accepted (journal filters, fault rules): at most this many tokens, a few machine words of state. */
export const MAX_GLOB_CHARS = 256;

const STAR = -1;
const GLOBSTAR = -2;

/**
 * The glob as tokens: a character code (lowercased), STAR or GLOBSTAR. A run of two or more stars
 * is one GLOBSTAR and a lone star one STAR, so two star tokens never follow each other.
 */
function tokensOf(glob: string): number[] {
  const tokens: number[] = [];
  const text = glob.toLowerCase();
  for (let i = 0; i < text.length; ) {
    if (text.charCodeAt(i) !== 42 /* * */) {
      tokens.push(text.charCodeAt(i++));
      continue;
    }
    let run = 0;
    while (text.charCodeAt(i) === 42) {
      run++;
      i++;
    }
    tokens.push(run === 1 ? STAR : GLOBSTAR);
  }
  return tokens;
}

const SLASH = 47;

export type PathMatcher = (path: string) => boolean;

/**
 * Compiles a glob into a matcher. State i means "the first i tokens are matched"; one step per path
 * character moves every live state at once (Shift-And over 32-bit words), so a match costs
 * O(path length x glob length / 32) whatever the glob holds.
 */
export function compileGlob(glob: string): PathMatcher {
  if (glob.length > MAX_GLOB_CHARS) throw new RangeError(`a glob is at most ${MAX_GLOB_CHARS} characters long`);
  const tokens = tokensOf(glob);
  const states = tokens.length + 1;
  const words = Math.ceil(states / 32);
  const starMask = new Uint32Array(words);
  const globstarMask = new Uint32Array(words);
  /** Per character of the glob: the states whose token is that character. */
  const literalMasks = new Map<number, Uint32Array>();
  tokens.forEach((token, state) => {
    const word = state >>> 5;
    const bit = 1 << (state & 31);
    if (token === STAR) starMask[word] |= bit;
    else if (token === GLOBSTAR) globstarMask[word] |= bit;
    else {
      let mask = literalMasks.get(token);
      if (!mask) literalMasks.set(token, (mask = new Uint32Array(words)));
      mask[word] |= bit;
    }
  });
  const acceptWord = tokens.length >>> 5;
  const acceptBit = 1 << (tokens.length & 31);
  const NONE = new Uint32Array(words);

  let current = new Uint32Array(words);
  let next = new Uint32Array(words);

  /** A star may match nothing: a live star state also makes the state after it live (stars never follow stars). */
  const closeOverStars = (set: Uint32Array) => {
    let carry = 0;
    for (let w = 0; w < words; w++) {
      const stars = set[w] & (starMask[w] | globstarMask[w]);
      const shifted = ((stars << 1) | carry) >>> 0;
      carry = stars >>> 31;
      set[w] = (set[w] | shifted) >>> 0;
    }
  };

  return (path: string) => {
    const text = path.toLowerCase();
    current.fill(0);
    current[0] = 1;
    closeOverStars(current);
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      const literal = literalMasks.get(code) ?? NONE;
      const staysOnStar = code !== SLASH;
      let carry = 0;
      let live = 0;
      for (let w = 0; w < words; w++) {
        const here = current[w];
        // A literal state that matches moves one state on; a star state keeps matching.
        const moved = here & literal[w];
        const stays = here & (globstarMask[w] | (staysOnStar ? starMask[w] : 0));
        next[w] = (((moved << 1) | carry) | stays) >>> 0;
        carry = moved >>> 31;
        live |= next[w];
      }
      if (live === 0) return false;
      closeOverStars(next);
      [current, next] = [next, current];
    }
    return (current[acceptWord] & acceptBit) !== 0;
  };
}

/** A character a request path can hold as the matchers see it: printable ASCII, the query already cut off. */
const isPathCharacter = (code: number) => code >= 0x21 && code <= 0x7e && code !== 63 /* ? */ && code !== 35; /* # */

/** Why no path could ever match `glob`, or undefined when some path can. */
export type UnmatchableReason = 'character' | 'prefix';

/**
 * Whether some request path that starts with `prefix` can match `glob`, and if not why: a glob
 * character no path holds (a space, `?`, `#`, a non-ASCII letter), or a glob that parts from every
 * path under the prefix (fault rules see only `/v3/…`). The glob's states are run over the prefix;
 * from any state still live the rest of the glob can be met, since its literals are path characters
 * and its stars may match nothing.
 */
export function unmatchableUnder(glob: string, prefix: string): UnmatchableReason | undefined {
  const tokens = tokensOf(glob);
  if (tokens.some((token) => token >= 0 && !isPathCharacter(token))) return 'character';
  let live = new Set<number>([0]);
  const close = (states: Set<number>) => {
    for (const state of [...states]) if (tokens[state] === STAR || tokens[state] === GLOBSTAR) states.add(state + 1);
    return states;
  };
  close(live);
  for (const code of prefix.toLowerCase().split('').map((ch) => ch.charCodeAt(0))) {
    const next = new Set<number>();
    for (const state of live) {
      const token = tokens[state];
      if (token === GLOBSTAR || (token === STAR && code !== SLASH)) next.add(state);
      else if (token === code) next.add(state + 1);
    }
    live = close(next);
    if (live.size === 0) return 'prefix';
  }
  return undefined;
}

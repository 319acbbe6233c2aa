// Stored JSON shown back to people and tools (journal bodies, session requests, webhook bodies):
// parsed only when it is shallow enough to parse, render and serialize without deep recursion.
// Anything deeper is shown as the text it was, so a caller's body can never make a read overflow
// the stack or a page balloon through indentation.

/** Deepest nesting shown as JSON; real requests and results nest 5 levels or fewer. */
export const MAX_VIEW_DEPTH = 16;

/**
 * How deeply `text` nests arrays and objects, counted without recursion and stopping as soon as it
 * passes `limit` (so a hostile body costs one pass at most). Strings, escapes included, are skipped.
 */
export function jsonNestingDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 92 /* \ */) i++;
      else if (code === 34 /* " */) inString = false;
    } else if (code === 34) inString = true;
    else if (code === 91 /* [ */ || code === 123 /* { */) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (code === 93 /* ] */ || code === 125 /* } */) depth--;
  }
  return deepest;
}

/** JSON text as a value to show: parsed when it is valid and at most MAX_VIEW_DEPTH deep, the text itself otherwise. */
export function jsonForView(text: string): unknown {
  if (jsonNestingDepth(text, MAX_VIEW_DEPTH) > MAX_VIEW_DEPTH) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** How deeply a value nests, walked with an explicit stack and abandoned once past `limit`. */
function valueDepthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(item)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * A value pretty-printed for a page: indented when it is at most MAX_VIEW_DEPTH deep; deeper
 * values (which jsonForView never produces, but a page must not trust its callers) are summarised.
 */
export function prettyJson(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (valueDepthExceeds(value, MAX_VIEW_DEPTH)) return `[nested deeper than ${MAX_VIEW_DEPTH} levels: not shown]`;
  return JSON.stringify(value, null, 2);
}

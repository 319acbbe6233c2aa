// Reads the two figures bench/run.ts reports from the output of bench/scenarios.ts (run as a child):
// the wall time of one happy-path journey and of the whole scenario catalogue.
//
// Preferred: a result line `BENCH_RESULT {json}` (RESULT_MARKER, as bench/memory-child.ts prints),
// whose keys name the figures, e.g. {"journeyMs": 812, "catalogueMs": 14210} or
// {"happy_path": {"ms": 812}, "catalogue_s": 14.2}: a key path containing "journey"/"happy" or
// "catalog", in ms unless it ends in s/sec/seconds. Otherwise the printed lines: the first duration
// ("812 ms", "14.2 s", "1,204ms") on the last line naming the journey ("happy", "journey") or the
// catalogue ("catalog", "catalogue"), as summaries come after any per-scenario lines; when one line
// names both, each takes the duration nearest after its word.
import { RESULT_MARKER } from './support.js';

export interface ScenarioFigures {
  journeyMs?: number;
  catalogueMs?: number;
  /** Where the figures came from: the result line or the printed text. */
  source: 'result line' | 'text' | 'none';
}

const isJourney = (text: string) => /happy|journey/i.test(text);
const isCatalogue = (text: string) => /catalog/i.test(text);

/** A key that holds a time: a unit (812 in `ms`, `wallMs`, `catalogue_s`) or a word for one (`time`, `wall`, `elapsed`). */
const timeKey = (last: string) =>
  /^(ms|s|sec|secs|seconds|millis|time|duration|wall|elapsed|took)$/i.test(last) ||
  /(Ms|MS|_ms|Millis|_millis|[a-z]S|_s|Sec|_sec|Secs|_secs|Seconds|_seconds|Time|_time|Duration|_duration|Wall|_wall|Elapsed|_elapsed)$/.test(last);

/** The value of a time key in ms; undefined when the key does not hold a time. */
function keyToMs(path: string, value: number): number | undefined {
  const last = path.split('.').pop() ?? path;
  const named = isJourney(last) || isCatalogue(last);
  if (!timeKey(last) && !named) return undefined;
  if (/^(s|sec|secs|seconds)$/i.test(last) || /([a-z]S|_s|Sec|_sec|Secs|_secs|Seconds|_seconds)$/.test(last)) return value * 1000;
  return value;
}

function fromResultLine(stdout: string): ScenarioFigures | undefined {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(RESULT_MARKER));
  if (!line) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.slice(RESULT_MARKER.length));
  } catch {
    return undefined;
  }
  const figures: ScenarioFigures = { source: 'result line' };
  const visit = (value: unknown, path: string) => {
    if (typeof value === 'number' && Number.isFinite(value)) {
      const ms = keyToMs(path, value);
      if (ms === undefined) return;
      if (figures.journeyMs === undefined && isJourney(path)) figures.journeyMs = ms;
      else if (figures.catalogueMs === undefined && isCatalogue(path) && !isJourney(path)) figures.catalogueMs = ms;
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) visit(inner, path ? `${path}.${key}` : key);
    }
  };
  visit(parsed, '');
  return figures.journeyMs === undefined && figures.catalogueMs === undefined ? undefined : figures;
}

const durationPattern = /(\d[\d,]*(?:\.\d+)?)\s*(ms|msec|milliseconds?|s|secs?|seconds?)(?![a-z])/gi;

function durations(text: string): { index: number; ms: number }[] {
  return [...text.matchAll(durationPattern)].map((match) => {
    const value = Number(match[1].replace(/,/g, ''));
    return { index: match.index ?? 0, ms: /^m/i.test(match[2]) ? value : value * 1000 };
  });
}

function fromText(stdout: string): ScenarioFigures {
  const figures: ScenarioFigures = { source: 'text' };
  for (const line of stdout.split('\n')) {
    if (line.startsWith(RESULT_MARKER)) continue;
    const found = durations(line);
    if (found.length === 0) continue;
    const journey = isJourney(line);
    const catalogue = isCatalogue(line);
    if (journey && catalogue) {
      const after = (keyword: RegExp) => {
        const at = line.search(keyword);
        return (found.find((d) => d.index > at) ?? found[found.length - 1]).ms;
      };
      figures.journeyMs = after(/happy|journey/i);
      figures.catalogueMs = after(/catalog/i);
    } else if (journey) figures.journeyMs = found[0].ms;
    else if (catalogue) figures.catalogueMs = found[0].ms;
  }
  if (figures.journeyMs === undefined && figures.catalogueMs === undefined) figures.source = 'none';
  return figures;
}

export function parseScenarioFigures(stdout: string): ScenarioFigures {
  return fromResultLine(stdout) ?? fromText(stdout);
}

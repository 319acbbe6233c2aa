// Loads and validates the data files: merchants, outcome presets, name pools, the result template and
// the wire details. Any problem is a FixtureError naming the file and the field, and stops startup.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Config } from '../config.js';
import { packageRoot } from '../config.js';
import type { PersonPool } from '../core/identity.js';
import { renderResult, resultContext, unknownPlaceholders, type Template } from '../core/result.js';
import type { Session } from '../core/session.js';
import { envelopeContext } from '../core/webhook-body.js';
import { MerchantsFile, OutcomePreset, WireFile, WireOverrides } from '../schemas/fixtures.js';
import { SessionResult } from '../schemas/public.js';

/** The settings that name fixture files; a FixtureError says which one it came through. */
export type FixtureSetting = 'MERCHANTS_FILE' | 'OUTCOMES_DIR' | 'RESULT_TEMPLATE_FILE' | 'WIRE_FILE';

export class FixtureError extends Error {
  override name = 'FixtureError';
  /** The setting that named the file (none for the package's own files, such as people.json). */
  setting?: FixtureSetting;
}

/** Runs a loading step, marking any FixtureError it throws with the setting that named the file. */
function loadNamingSetting<T>(setting: FixtureSetting, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof FixtureError) error.setting ??= setting;
    throw error;
  }
}

export interface Fixtures {
  merchants: MerchantsFile;
  outcomes: Map<string, OutcomePreset & { source: 'built-in' | 'custom' }>;
  pools: PersonPool[];
  resultTemplate: Template;
  /** fixtures/wire.json, with WIRE_FILE laid over it. */
  wire: WireFile;
}

export type CataloguedPreset = Fixtures['outcomes'] extends Map<string, infer P> ? P : never;

/** A preset as the catalogue shows it (GET /__mock/outcomes, the portal's outcomes page): what a session with it ends as. */
export function outcomeSummaryOf(p: CataloguedPreset) {
  return {
    name: p.name,
    description: p.description,
    source: p.source,
    session_status: p.session_status,
    analyses: p.analyses,
    redirect: p.redirect,
    analysis_duration_ms: p.analysis_duration_ms,
    api_flow_waits: p.api_flow_waits,
    never_finishes: p.never_finishes,
    failed_document_fields: p.failed_document_fields,
    reason: p.reason,
  };
}
export type OutcomeSummaryView = ReturnType<typeof outcomeSummaryOf>;

const PeopleFile = z.object({
  $comment: z.string().optional(),
  pools: z
    .array(
      z.object({
        countryCode: z.string().length(2),
        nationality: z.string().min(1),
        maleNames: z.array(z.string().min(1)).min(1),
        femaleNames: z.array(z.string().min(1)).min(1),
        lastNames: z.array(z.string().min(1)).min(1),
      }),
    )
    .min(1),
});

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FixtureError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FixtureError(`${file}: is not valid JSON (${(error as Error).message})`);
  }
}

export function parseFixture<T extends z.ZodType>(file: string, schema: T, data: unknown): z.infer<T> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(file)'}: ${issue.message}`);
  throw new FixtureError(`${file}: invalid\n${problems.join('\n')}`);
}

function loadOutcomeDir(dir: string, source: 'built-in' | 'custom', into: Fixtures['outcomes']): void {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    throw new FixtureError(`${dir}: outcome folder cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  for (const name of names) {
    const file = join(dir, name);
    const preset = parseFixture(file, OutcomePreset, readJson(file));
    into.set(preset.name, { ...preset, source });
  }
}

/** A finished sample session, used to prove at startup that the result template renders a valid result. */
function sampleSession(): Session {
  return {
    id: '00000000-0000-4000-8000-000000000000',
    apiKey: 'sample',
    flow: 'liveness',
    sequence: 1,
    providerFolderId: 'sample',
    analysisId: '00000000-0000-4000-8000-000000000001',
    status: 'Accepted',
    createdAt: 0,
    updatedAt: 0,
    finishedAt: 0,
    expiresAt: 0,
    requestJson: '{}',
    settings: {
      relay_state: 'sample', target: '', target_error: '', cancel_url: '', webhook: '', options: 'FrontSide', action: 'Smile',
      available_actions: [], analysis_types: [], css: [], locale: 'en', ignore_errors_in_fields: [], mobile_flow: true,
    },
    chosenAction: 'Smile',
    analyses: { document: 'Accepted', liveness: 'Accepted', face_match: 'Accepted', fraud: 'Accepted' },
    documents: [],
    link: null,
    events: [],
    findings: null,
    analysisDueAt: null,
    outcome: { name: 'approved', rule: 'default' },
  };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** `over` laid over `base`: objects merged key by key, anything else (lists, values) replaced; `whole` keys replaced as they are. */
function layOver(base: unknown, over: unknown, whole: ReadonlySet<string>): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = whole.has(key) ? value : layOver(base[key], value, whole);
  return merged;
}

/** The envelope template is data, replaced whole, like the result template. */
const replacedWhole = new Set(['event_envelope']);

function parseWire(file: string, data: unknown): WireFile {
  const wire = parseFixture(file, WireFile, data);
  const sample = envelopeContext({ event: 'session_updated', sessionId: 'sample', integrationId: 'sample', relayState: 'sample', status: 'Accepted', errors: [], resultJson: '{}' });
  const missing = unknownPlaceholders(wire.webhook.event_envelope, sample);
  if (missing.length > 0) throw new FixtureError(`${file}: webhook.event_envelope: unknown placeholders ${missing.map((m) => `{{${m}}}`).join(', ')}`);
  return wire;
}

/** The built-in wire details, and a WIRE_FILE's laid over them (checked as a whole, problems named in that file). */
function loadWire(overridesFile: string | undefined): WireFile {
  const builtInFile = join(packageRoot, 'fixtures', 'wire.json');
  const builtIn = readJson(builtInFile);
  const wire = parseWire(builtInFile, builtIn);
  if (!overridesFile) return wire;
  return loadNamingSetting('WIRE_FILE', () => {
    const overrides = parseFixture(overridesFile, WireOverrides, readJson(overridesFile));
    return parseWire(overridesFile, layOver(builtIn, overrides, replacedWhole));
  });
}

export function loadFixtures(config: Pick<Config, 'MERCHANTS_FILE' | 'OUTCOMES_DIR' | 'RESULT_TEMPLATE_FILE' | 'WIRE_FILE'>): Fixtures {
  const merchants = loadNamingSetting('MERCHANTS_FILE', () => parseFixture(config.MERCHANTS_FILE, MerchantsFile, readJson(config.MERCHANTS_FILE)));
  const outcomes: Fixtures['outcomes'] = new Map();
  loadOutcomeDir(join(packageRoot, 'fixtures', 'outcomes'), 'built-in', outcomes);
  if (config.OUTCOMES_DIR) loadNamingSetting('OUTCOMES_DIR', () => loadOutcomeDir(config.OUTCOMES_DIR!, 'custom', outcomes));

  const peopleFile = join(packageRoot, 'fixtures', 'people.json');
  const pools = parseFixture(peopleFile, PeopleFile, readJson(peopleFile)).pools;

  const resultTemplate = loadNamingSetting('RESULT_TEMPLATE_FILE', () => {
    const template = readJson(config.RESULT_TEMPLATE_FILE);
    const sample = sampleSession();
    const missing = unknownPlaceholders(template, resultContext(sample));
    if (missing.length > 0) throw new FixtureError(`${config.RESULT_TEMPLATE_FILE}: unknown placeholders ${missing.map((m) => `{{${m}}}`).join(', ')}`);
    parseFixture(config.RESULT_TEMPLATE_FILE, SessionResult, renderResult(template, sample));
    return template;
  });

  loadNamingSetting('MERCHANTS_FILE', () => {
    for (const [key, merchant] of Object.entries({ default: merchants.default, ...merchants.merchants })) {
      if (merchant.default_outcome && !outcomes.has(merchant.default_outcome)) {
        throw new FixtureError(
          `${config.MERCHANTS_FILE}: merchants.${key}.default_outcome: unknown outcome "${merchant.default_outcome}" (known: ${[...outcomes.keys()].join(', ')})`,
        );
      }
    }
  });
  return { merchants, outcomes, pools, resultTemplate, wire: loadWire(config.WIRE_FILE) };
}

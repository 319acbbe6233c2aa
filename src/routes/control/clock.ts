// The virtual clocks: read one, advance it (running everything due in the window), freeze and
// unfreeze it, reset it. Without a scope these are the global clock's controls; with `api_key` (or a
// `session_id`, meaning its key) they are that key's own clock's. Every move goes through the
// due-work scheduler, one at a time per clock.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseDuration } from '../../config.js';
import { ApiError } from '../../http/error-catalogue.js';
import { isoInstant } from '../../core/time-limits.js';
import { maskKey } from '../../http/auth.js';
import { ErrorBody } from '../../schemas/common.js';
import { AdvanceBody, AdvanceResult, ClockBody, ClockQuery, ClockState, ControlErrorResponses } from '../../schemas/control.js';

const tags = ['Control: clock'];
const TooMany = { 429: ErrorBody };

type Scope = { api_key?: string; session_id?: string } | null | undefined;

export const clockRoutes: FastifyPluginAsyncZod = async (app) => {
  const { clock, clocks, dueWork, sessions } = app.emulator;

  /** The key a scope names (undefined: the global clock); a session that is not there is a 404. */
  const keyOf = (scope: Scope): string | undefined => {
    if (scope?.api_key !== undefined) return scope.api_key;
    if (scope?.session_id === undefined) return undefined;
    const key = sessions.ownerOf(scope.session_id.toLowerCase());
    if (key === undefined) throw new ApiError('SESSION_NOT_FOUND', `No session with id ${JSON.stringify(scope.session_id.slice(0, 64))} was found.`);
    return key;
  };

  const state = (apiKey: string | undefined): z.infer<typeof ClockState> => {
    // One reading of the global clock, so that the offsets add up exactly while time runs.
    const globalNow = clock.now();
    const offset = clock.offset;
    if (apiKey === undefined) return { now: isoInstant(globalNow), now_ms: globalNow, frozen: clock.frozen, offset_ms: offset, keys_with_own_clock: clocks.count };
    const now = clocks.nowAt(apiKey, globalNow);
    return {
      now: isoInstant(now),
      now_ms: now,
      frozen: clocks.frozen(apiKey),
      offset_ms: now - globalNow + offset,
      api_key: maskKey(apiKey),
      own_clock: clocks.ownClock(apiKey) !== undefined,
      offset_from_global_ms: now - globalNow,
    };
  };
  const response = { 200: ClockState, ...ControlErrorResponses, ...TooMany };
  const scoped = 'Without a body: the global clock (keys that never moved their own follow it). With {"api_key"} or {"session_id"}: that key\'s own clock.';

  app.get(
    '/__mock/clock',
    { schema: { tags, summary: 'Current domain time: of the global clock, or (?api_key= or ?session_id=) of one API key', querystring: ClockQuery, response } },
    async (request) => state(keyOf(request.query)),
  );
  app.post(
    '/__mock/clock/advance',
    {
      schema: {
        tags,
        summary: 'Move a clock forward (at most 30 days a call), running everything that falls due in the window, in order; answers once it has run',
        description: `${scoped} A key's advance runs that key's work only; a global one runs every key's that follows the global clock, frozen keys excepted.`,
        body: AdvanceBody,
        response: { 200: AdvanceResult, ...ControlErrorResponses, ...TooMany },
      },
    },
    async (request) => {
      const apiKey = keyOf(request.body);
      const ms = request.body.ms ?? parseDuration(request.body.duration!);
      if (ms === undefined) throw new ApiError('INVALID_REQUEST', 'duration must look like 90s, 30m, 48h or 250ms.');
      const report = await dueWork.advance(ms, apiKey);
      return { ...state(apiKey), ...report };
    },
  );
  /** freeze, unfreeze and reset: a body naming the scope (or none), and the clock's state after. */
  const clockOperation = (path: string, summary: string, description: string, operation: (apiKey: string | undefined) => Promise<void>) =>
    app.post(path, { schema: { tags, summary, description, body: ClockBody, response } }, async (request) => {
      const apiKey = keyOf(request.body);
      await operation(apiKey);
      return state(apiKey);
    });
  clockOperation('/__mock/clock/freeze', 'Stop a clock (it moves only when advanced)', scoped, (apiKey) => dueWork.freeze(apiKey));
  clockOperation(
    '/__mock/clock/unfreeze',
    'Let a clock run again from where it stands',
    `${scoped} A key that follows a frozen global clock stays frozen with it.`,
    (apiKey) => dueWork.unfreeze(apiKey),
  );
  clockOperation(
    '/__mock/clock/reset',
    'The global clock back to real time (keys with a clock of their own keep it), or a key back on the global clock',
    scoped,
    (apiKey) => dueWork.reset(apiKey),
  );
};

// The virtual clock: read it, advance it (running everything due in the window), freeze and
// unfreeze it, reset it to real time. Every move goes through the due-work scheduler, one at a time.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { parseDuration } from '../../config.js';
import { ApiError } from '../../core/errors.js';
import { isoInstant } from '../../core/time-limits.js';
import { AdvanceBody, AdvanceResult, ClockState, ControlErrorResponses } from '../../schemas/control.js';

const tags = ['Control: clock'];

export const clockRoutes: FastifyPluginAsyncZod = async (app) => {
  const { clock, dueWork } = app.emulator;
  const state = () => ({ now: isoInstant(clock.now()), now_ms: clock.now(), frozen: clock.frozen, offset_ms: clock.offset });
  const response = { 200: ClockState, ...ControlErrorResponses };

  app.get('/__mock/clock', { schema: { tags, summary: 'Current domain time', response } }, async () => state());
  app.post(
    '/__mock/clock/advance',
    {
      schema: {
        tags,
        summary: 'Move time forward (at most 30 days a call), running everything that falls due in the window, in order; answers once it has run',
        body: AdvanceBody,
        response: { 200: AdvanceResult, ...ControlErrorResponses },
      },
    },
    async (request) => {
      const ms = request.body.ms ?? parseDuration(request.body.duration!);
      if (ms === undefined) throw new ApiError('INVALID_REQUEST', 'duration must look like 90s, 30m, 48h or 250ms.');
      const report = await dueWork.advance(ms);
      return { ...state(), ...report };
    },
  );
  app.post('/__mock/clock/freeze', { schema: { tags, summary: 'Stop time (it moves only when advanced)', response } }, async () => {
    await dueWork.exclusive(() => clock.freeze());
    return state();
  });
  app.post('/__mock/clock/unfreeze', { schema: { tags, summary: 'Let time run again from where it stands', response } }, async () => {
    await dueWork.exclusive(() => clock.unfreeze());
    return state();
  });
  app.post('/__mock/clock/reset', { schema: { tags, summary: 'Back to real time', response } }, async () => {
    await dueWork.exclusive(() => clock.reset());
    return state();
  });
};

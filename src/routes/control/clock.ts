// The virtual clock: read it, advance it, freeze and unfreeze it, reset it to real time.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { parseDuration } from '../../config.js';
import { ApiError } from '../../core/errors.js';
import { AdvanceBody, ClockState, ControlErrorResponses } from '../../schemas/control.js';

const tags = ['Control: clock'];

export const clockRoutes: FastifyPluginAsyncZod = async (app) => {
  const { clock } = app.emulator;
  const state = () => ({ now: new Date(clock.now()).toISOString(), now_ms: clock.now(), frozen: clock.frozen, offset_ms: clock.offset });
  const response = { 200: ClockState, ...ControlErrorResponses };

  app.get('/__mock/clock', { schema: { tags, summary: 'Current domain time', response } }, async () => state());
  app.post('/__mock/clock/advance', { schema: { tags, summary: 'Move time forward; due timeouts, analyses and retries run at once', body: AdvanceBody, response } }, async (request) => {
    const ms = request.body.ms ?? parseDuration(request.body.duration!);
    if (ms === undefined) throw new ApiError('INVALID_REQUEST', 'duration must look like 90s, 30m, 48h or 250ms.');
    clock.advance(ms);
    return state();
  });
  app.post('/__mock/clock/freeze', { schema: { tags, summary: 'Stop time (it moves only when advanced)', response } }, async () => {
    clock.freeze();
    return state();
  });
  app.post('/__mock/clock/unfreeze', { schema: { tags, summary: 'Let time run again from where it stands', response } }, async () => {
    clock.unfreeze();
    return state();
  });
  app.post('/__mock/clock/reset', { schema: { tags, summary: 'Back to real time', response } }, async () => {
    clock.reset();
    return state();
  });
};

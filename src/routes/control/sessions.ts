// Sessions through the control API: list, inspect, delete, reset, arm an outcome, complete without a browser.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../http/error-catalogue.js';
import type { Session } from '../../core/session.js';
import { ArmBody, CompleteBody, ControlErrorResponses, ResetQuery, SessionIdParam, SessionListQuery, SessionView } from '../../schemas/control.js';
import { sessionView } from './session-view.js';
import { deliveryView } from './webhooks.js';

const tags = ['Control: sessions'];

export const sessionControlRoutes: FastifyPluginAsyncZod = async (app) => {
  const { sessions } = app.emulator;
  const view = (session: Session) => sessionView(session, sessions, { webhooks: app.emulator.webhooks.list({ sessionId: session.id }).map(deliveryView) });
  const sessionById = (id: string): Session => {
    const session = sessions.findById(id.toLowerCase());
    if (!session) throw new ApiError('SESSION_NOT_FOUND', `No session with id ${JSON.stringify(id.slice(0, 64))} was found.`);
    return session;
  };

  app.get(
    '/__mock/sessions',
    { schema: { tags, summary: 'List sessions, newest first', querystring: SessionListQuery, response: { 200: z.object({ sessions: z.array(SessionView), total: z.number() }) } } },
    async (request) => {
      const { api_key, status, limit } = request.query;
      const found = sessions.list({ apiKey: api_key, status }).reverse();
      return { sessions: found.slice(0, limit).map(view), total: found.length };
    },
  );

  app.get('/__mock/sessions/:id', { schema: { tags, summary: 'One session with outcome explanation, timeline, documents, webhooks and result', params: SessionIdParam, response: { 200: SessionView, ...ControlErrorResponses } } }, async (request) =>
    view(sessionById(request.params.id)),
  );

  app.get(
    '/__mock/sessions/:id/documents/:documentId',
    { schema: { tags, summary: 'A captured or uploaded image', params: SessionIdParam.extend({ documentId: z.string().max(100) }) } },
    async (request, reply) => {
      const doc = sessionById(request.params.id).documents.find((d) => d.id === request.params.documentId);
      if (!doc) throw new ApiError('NOT_FOUND', 'No such document in this session.');
      return reply.type(doc.contentType).header('cache-control', 'no-store').send(doc.bytes);
    },
  );

  app.delete('/__mock/sessions/:id', { schema: { tags, summary: 'Forget one session', params: SessionIdParam, response: { 204: z.null(), ...ControlErrorResponses } } }, async (request, reply) => {
    sessionById(request.params.id);
    sessions.delete(request.params.id.toLowerCase());
    return reply.status(204).send(null);
  });

  app.delete(
    '/__mock/sessions',
    {
      schema: {
        tags,
        summary: "Reset: forget all sessions, or one API key's namespace (sessions, queue, journal, deliveries, its own clock)",
        querystring: ResetQuery,
        response: { 200: z.object({ removed: z.number() }) },
      },
    },
    async (request) => {
      const apiKey = request.query.api_key;
      const { dueWork, webhooks, journal } = app.emulator;
      // After any move of that clock under way: a namespace starts again on the global clock.
      return dueWork.exclusive(() => {
        for (const session of sessions.list({ apiKey })) webhooks.forget(session.id);
        const removed = sessions.reset(apiKey);
        journal.clear(apiKey);
        dueWork.forgetKeyClock(apiKey);
        return { removed };
      }, apiKey);
    },
  );

  app.post(
    '/__mock/sessions/:id/outcome',
    { schema: { tags, summary: 'Arm an outcome for this session (highest precedence)', params: SessionIdParam, body: ArmBody, response: { 200: SessionView, ...ControlErrorResponses } } },
    async (request) => {
      const session = sessionById(request.params.id);
      if (session.finishedAt !== null) throw new ApiError('SESSION_STATE', `The session is already ${session.status}.`);
      sessions.chooseOutcome(session, request.body.outcome, 'armed');
      return view(session);
    },
  );

  app.post(
    '/__mock/sessions/:id/complete',
    { schema: { tags, summary: 'Finish the session now, without a browser, with its outcome or the one given', params: SessionIdParam, body: CompleteBody, response: { 200: SessionView, ...ControlErrorResponses } } },
    async (request) => {
      const session = sessionById(request.params.id);
      sessions.complete(session, request.body?.outcome);
      return view(session);
    },
  );
};

// The pages behind redirect_url: the one-time link gate and the session page it protects.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Session } from '../core/session.js';
import { contentSecurityPolicy, html, type SafeHtml } from '../ui/html.js';

const UiParams = z.object({ id: z.string().max(100) });
const UiQuery = z.object({ otp: z.string().max(200).optional() });
const cookieName = 'zsm_ui';

function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title></head>
<body>${body}</body></html>`.value;
}

const linkProblems = {
  invalid: { status: 403, title: 'This link is not valid', text: 'Ask the service that sent you here for a new link.' },
  used: { status: 403, title: 'This link has already been used', text: 'Verification links work once. Ask the service that sent you here for a new link.' },
  expired: { status: 410, title: 'This link has expired', text: 'Verification links are valid for a short time. Ask the service that sent you here for a new link.' },
  unknown: { status: 404, title: 'Verification session not found', text: 'The session may have expired or been removed.' },
} as const;

export function sendLinkProblem(reply: FastifyReply, problem: keyof typeof linkProblems): FastifyReply {
  const { status, title, text } = linkProblems[problem];
  return reply
    .status(status)
    .header('content-security-policy', contentSecurityPolicy())
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(page(title, html`<main data-testid="link-error" data-reason="${problem}"><h1>${title}</h1><p>${text}</p></main>`));
}

/** Lets a browser in through the one-time link; the first open swaps the token for a session-scoped cookie. */
export function admitBrowser(request: FastifyRequest, reply: FastifyReply): Session | undefined {
  const { sessions } = request.server.emulator;
  const { id } = request.params as { id: string };
  const { otp } = request.query as { otp?: string };
  const session = sessions.findAny(id.toLowerCase());
  if (!session || !session.link) {
    sendLinkProblem(reply, 'unknown');
    return undefined;
  }
  const admitted = sessions.openLink(session, otp, readCookie(request, cookieName));
  if (!admitted.ok) {
    sendLinkProblem(reply, admitted.reason);
    return undefined;
  }
  if (admitted.cookieSecret) {
    const secure = request.protocol === 'https' ? '; Secure' : '';
    reply.header('set-cookie', `${cookieName}=${admitted.cookieSecret}; Path=/v3/scan/ui/${session.id}; HttpOnly; SameSite=Lax${secure}`);
  }
  return session;
}

export const scanUiRoutes: FastifyPluginAsyncZod = async (app) => {
  for (const flow of ['liveness', 'scanning'] as const) {
    app.get(
      `/v3/scan/ui/:id/${flow}`,
      { schema: { tags: ['Scan UI'], summary: `The hosted ${flow} page (one-time link)`, params: UiParams, querystring: UiQuery } },
      async (request, reply) => {
        const session = admitBrowser(request, reply);
        if (!session) return reply;
        return reply
          .header('content-security-policy', contentSecurityPolicy(session.settings.css.map((u) => new URL(u).origin)))
          .header('cache-control', 'no-store')
          .type('text/html; charset=utf-8')
          .send(
            page(
              'Identity verification',
              html`<main data-testid="scan-root" data-session-id="${session.id}" data-status="${session.status}">
<h1>Identity verification</h1><p>Session <code>${session.id}</code> (${session.flow}) is ${session.status}.</p></main>`,
            ),
          );
      },
    );
  }
};

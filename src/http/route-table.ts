// Which methods each path answers, so that a known path called with another method gets 405 and an
// Allow header (as ZignSec's .NET service answers), not the 404 of a path that does not exist.
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { ApiError } from './error-catalogue.js';
import { sendApiError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route answers browsers only and hands every other request to the not-found handler (the
     * front door at `/`): its path stays unknown here, so other methods on it get 404, not 405.
     */
    browsersOnly?: boolean;
  }
}

interface RoutePattern {
  pattern: RegExp;
  methods: Set<string>;
}

/** A Fastify route URL as a regular expression over request paths: `:param` is one segment, `*` the rest. */
function compile(url: string): RegExp {
  const body = url
    .replace(/\/+$/, '')
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.+?^${}()|[\]\\*]/g, '\\$&');
    })
    .join('/');
  // Paths match in any letter case and with or without a trailing slash, as the router does.
  return new RegExp(`^${body}/?$`, 'i');
}

export class RouteTable {
  private readonly patterns = new Map<string, RoutePattern>();

  add(route: Pick<RouteOptions, 'method' | 'url' | 'config'>): void {
    if (route.config?.browsersOnly) return;
    let entry = this.patterns.get(route.url);
    if (!entry) {
      entry = { pattern: compile(route.url), methods: new Set() };
      this.patterns.set(route.url, entry);
    }
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) entry.methods.add(method.toUpperCase());
  }

  /** Every method some route answers on this path, sorted; empty when no route has the path. */
  methodsFor(path: string): string[] {
    const methods = new Set<string>();
    for (const { pattern, methods: routeMethods } of this.patterns.values()) {
      if (pattern.test(path)) for (const method of routeMethods) methods.add(method);
    }
    return [...methods].sort();
  }
}

/** The not-found handler: 405 with Allow for a known path and another method, else 404 NOT_FOUND. */
export function notFoundHandler(routes: RouteTable) {
  return (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const path = request.url.split('?')[0];
    const allowed = routes.methodsFor(path);
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      const error = new ApiError('METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}; it takes ${allowed.join(', ')}.`);
      return sendApiError(request, reply.header('allow', allowed.join(', ')), error);
    }
    return sendApiError(request, reply, new ApiError('NOT_FOUND', `No route for ${request.method} ${path}.`));
  };
}

// Merchant settings at runtime: read, replace, forget the change, export as a merchants file.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../http/error-catalogue.js';
import { ControlErrorResponses } from '../../schemas/control.js';
import { MerchantSettings } from '../../schemas/fixtures.js';

const tags = ['Control: merchants'];
const KeyParam = z.object({ api_key: z.string().min(1).max(512) });
const SettingsView = z.record(z.string(), z.unknown()).meta({ id: 'MerchantSettingsView' });

export const merchantRoutes: FastifyPluginAsyncZod = async (app) => {
  const { merchants, sessions } = app.emulator;
  const assertOutcome = (name: string | null) => {
    if (name) sessions.preset(name);
  };

  /** A key's settings with the webhook secret in effect (its own, or the one generated for the key). */
  const settingsOf = (apiKey: string) => {
    const settings = merchants.viewOf(apiKey);
    if (!settings) throw new ApiError('NOT_FOUND', 'That key is not known (AUTH_MODE=strict).');
    return settings;
  };

  // Paths match in any letter case, but keys do not: a key spelled "Export" is a key, not this route.
  app.get('/__mock/merchants/export', { schema: { tags, summary: 'The merchants file as it stands now, runtime changes included (each listed merchant with the webhook secret in effect)', response: { 200: SettingsView } } }, async (request) => {
    const segment = request.url.split('?')[0].replace(/\/+$/, '').split('/').pop()!;
    return segment === 'export' ? merchants.exportView() : settingsOf(decodeURIComponent(segment));
  });

  app.get('/__mock/merchants/:api_key', { schema: { tags, summary: "A key's effective settings, with the webhook secret in effect (generated when the merchant has none)", params: KeyParam, response: { 200: SettingsView, ...ControlErrorResponses } } }, async (request) => settingsOf(request.params.api_key));

  app.put(
    '/__mock/merchants/:api_key',
    { schema: { tags, summary: "Replace a key's settings for new sessions (same schema as the merchants file)", params: KeyParam, body: z.record(z.string(), z.unknown()), response: { 200: SettingsView, ...ControlErrorResponses } } },
    async (request) => {
      const parsed = MerchantSettings.safeParse(request.body);
      if (!parsed.success) {
        throw ApiError.many(parsed.error.issues.map((issue) => ({ code: 'INVALID_REQUEST' as const, description: `${issue.path.join('.') || 'settings'}: ${issue.message}` })));
      }
      assertOutcome(parsed.data.default_outcome);
      merchants.update(request.params.api_key, parsed.data);
      return settingsOf(request.params.api_key);
    },
  );

  app.delete('/__mock/merchants/:api_key', { schema: { tags, summary: 'Forget runtime changes for a key (back to the merchants file)', params: KeyParam, response: { 204: z.null() } } }, async (request, reply) => {
    merchants.reset(request.params.api_key);
    return reply.status(204).send(null);
  });
};

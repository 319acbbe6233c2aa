// The QA console's "API faults" page for the signed-in key: its fault rules, added from a form or a
// preset, removed one by one or all at once. Each action is the control API's (POST /__mock/faults
// with the key's api_key, DELETE /__mock/faults/{id}?api_key=, DELETE /__mock/faults?api_key=):
// the same schema and service calls. Rules of other keys are never shown; keyless rules only shown.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FaultRuleInput } from '../../schemas/control.js';
import { MAX_FAULT_RULES_PER_KEY } from '../../services/faults.js';
import { describeFaultAction, renderConsoleFaults, ruleSentence, type FaultsPageView } from '../../ui/portal/console-faults.js';
import { backWithNotice, fieldOf, NoticeQuery, plural, postedForm } from './console-forms.js';
import { portalSessionOf, sendPage, signedInView, type PortalContext } from './signed-in.js';
import { draftOfPreset, emptyFaultDraft, faultDraftFromForm, faultFieldErrors, faultFields, faultPresets, faultRuleOfDraft, presetById } from './fault-form.js';

const hide = { hide: true } as const;
const PAGE = '/portal/faults';
const FaultsQuery = NoticeQuery.extend({ preset: z.string().max(40).optional().catch(undefined) });

export const faultsConsoleRoutes =
  (context: PortalContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { faults, clocks } = app.emulator;

    function faultsPage(request: FastifyRequest, reply: FastifyReply, overrides: Partial<FaultsPageView> = {}, status = 200) {
      const { apiKey } = portalSessionOf(request);
      // The order rules are tried in for this key's calls: its own and the keyless ones, never another key's.
      const applying = faults.list().filter((rule) => rule.api_key === undefined || rule.api_key === apiKey);
      const ordered = applying.map((rule, i) => ({ rule, order: i + 1 }));
      return sendPage(
        reply,
        renderConsoleFaults({
          signedIn: signedInView(request),
          rules: ordered.filter(({ rule }) => rule.api_key === apiKey),
          globalRules: ordered.filter(({ rule }) => rule.api_key === undefined),
          maxRules: MAX_FAULT_RULES_PER_KEY,
          presets: faultPresets,
          draft: emptyFaultDraft,
          errors: {},
          ...overrides,
        }),
        status,
      );
    }

    app.get('/faults', { schema: { ...hide, querystring: FaultsQuery } }, async (request, reply) => {
      const preset = presetById(request.query.preset);
      return faultsPage(request, reply, {
        notice: context.notices.get(portalSessionOf(request), request.query.notice),
        draft: preset ? draftOfPreset(preset) : emptyFaultDraft,
      });
    });

    // POST /__mock/faults with api_key: the signed-in key.
    app.post('/faults', { schema: hide }, async (request, reply) => {
      const { apiKey } = portalSessionOf(request);
      const form = postedForm(request, [...faultFields, 'preset']);
      const draft = faultDraftFromForm(form);
      let body: unknown;
      if (form.has('preset')) {
        const preset = presetById(fieldOf(form, 'preset'));
        if (!preset) return faultsPage(request, reply, { formError: 'There is no such preset. Nothing changed.' }, 400);
        body = { ...preset.rule, api_key: apiKey };
      } else body = faultRuleOfDraft(draft, apiKey);
      const parsed = FaultRuleInput.safeParse(body);
      if (!parsed.success) return faultsPage(request, reply, { draft, errors: faultFieldErrors(parsed.error.issues) }, 400);
      // Stamped on the key's clock, as POST /__mock/faults stamps a key's rule.
      const added = faults.add(parsed.data, clocks.now(apiKey));
      if (!added.ok) return faultsPage(request, reply, { draft, formError: `${added.refusal} Nothing changed.` }, 400);
      const { rule } = added;
      return backWithNotice(context, request, reply, PAGE, {
        text: `Added ${rule.id}: ${ruleSentence(rule)}.`,
      });
    });

    // DELETE /__mock/faults/{id}?api_key=: a rule of another key, or a keyless one, is as unknown as a missing one.
    app.post('/faults/remove', { schema: hide }, async (request, reply) => {
      const { apiKey } = portalSessionOf(request);
      const id = fieldOf(postedForm(request, ['id']), 'id').slice(0, 100);
      const removed = faults.remove(id, { apiKey });
      if (!removed) {
        return faultsPage(request, reply, { formError: `Your key has no fault rule ${JSON.stringify(id)}: it was used up or removed already, or it is not your key's. Nothing changed.` }, 404);
      }
      return backWithNotice(context, request, reply, PAGE, { text: `Removed ${removed.id} (${describeFaultAction(removed.action)} on ${removed.method} ${removed.path}, fired ${plural(removed.matched, 'time')}).` });
    });

    // DELETE /__mock/faults?api_key=
    app.post('/faults/clear', { schema: hide }, async (request, reply) => {
      const { apiKey } = portalSessionOf(request);
      postedForm(request, []);
      const removed = faults.clear({ apiKey });
      const text = removed === 0 ? 'Your key had no fault rules.' : `Removed ${plural(removed, "fault rule")} of your key. Rules for every key are left as they are.`;
      return backWithNotice(context, request, reply, PAGE, { text });
    });
  };

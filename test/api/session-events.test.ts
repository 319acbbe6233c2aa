// A session's history is kept as typed events (what happened, on which device, who cancelled), and
// every view derives from them: the control API's timeline in the same words as ever, the scan UI's
// and the portal's "analyzing", and the labels of captured images.
import t from 'tap';
import { analysisStartedAt, describeEvent, isAnalyzing } from '../../src/core/session.js';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';
import { multipartBody, tinyPng } from '../helpers/multipart.js';

type App = Awaited<ReturnType<typeof startTestApp>>['app'];

/** Creates a liveness session and opens it on the desktop; with `phone`, the phone opens its link too. */
async function openOnDevices(app: App, options: { phone?: boolean } = {}) {
  const created = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: exampleLivenessRequest })).json();
  const url = new URL(created.redirect_url);
  const page = await app.inject({ url: `${url.pathname}${url.search}` });
  const desktop = String(page.headers['set-cookie']).split(';')[0];
  const api = `/v3/scan/ui/${created.id}`;
  let phone = '';
  if (options.phone) {
    const link = new URL((await app.inject({ method: 'POST', url: `${api}/mobile-link`, headers: { cookie: desktop } })).json().url);
    phone = String((await app.inject({ url: `${link.pathname}${link.search}` })).headers['set-cookie']).split(';')[0];
  }
  return { id: created.id as string, api, desktop, phone };
}

t.test('a cancel records who cancelled on which device; the control API says it in its old words', async (t) => {
  const { app } = await startTestApp(t);
  const { id, api, phone } = await openOnDevices(app, { phone: true });
  const cancelled = await app.inject({ method: 'POST', url: `${api}/cancel`, headers: { cookie: phone } });
  t.equal(cancelled.statusCode, 200);

  const session = app.emulator.sessions.findById(id)!;
  t.strictSame(
    session.events.map(({ at: _at, ...event }) => event),
    [
      { status: 'Pending', kind: 'scan_ui_opened' },
      { status: 'Cancelled', kind: 'cancelled', by: 'user', device: 'mobile' },
    ],
  );
  const view = (await app.inject({ url: `/__mock/sessions/${id}` })).json();
  t.strictSame(
    view.timeline.map((entry: { status: string; event: string }) => [entry.status, entry.event]),
    [
      ['Created', 'session created'],
      ['Pending', 'scan UI opened'],
      ['Cancelled', 'cancelled by the user'],
    ],
  );
});

t.test('the analysis start is an event with its time; "analyzing" is derived from it, not from its words', async (t) => {
  const { app, clock } = await startTestApp(t);
  const { id, api, desktop } = await openOnDevices(app);
  for (const side of ['front', 'selfie']) {
    const upload = await app.inject({ method: 'POST', url: `${api}/documents?side=${side}`, ...withCookie(multipartBody('document', 'a.png', 'image/png', tinyPng), desktop) });
    t.equal(upload.statusCode, 200);
  }
  const session = app.emulator.sessions.findById(id)!;
  t.equal(analysisStartedAt(session), null);
  t.equal(isAnalyzing(session), false);

  const startedAt = clock.now();
  const started = await app.inject({ method: 'POST', url: `${api}/analysis`, headers: { cookie: desktop } });
  t.equal(started.json().analyzing, true);
  t.equal(analysisStartedAt(session), startedAt);
  t.equal(isAnalyzing(session), true);
  t.strictSame(session.events.at(-1), { at: startedAt, status: 'Pending', kind: 'analysis_started', via: 'scan_ui' });
  t.equal(describeEvent(session.events.at(-1)!), 'analysis started');

  // Images are labelled by the browser that sent them, not by a text other code matches.
  t.strictSame(
    session.documents.map((document) => [document.documentType, document.reference, document.capturedBy]),
    [
      ['DocumentFront', null, 'desktop'],
      ['Selfie', null, 'desktop'],
    ],
  );
  const view = (await app.inject({ url: `/__mock/sessions/${id}` })).json();
  t.strictSame(
    view.documents.map((document: { reference: string | null }) => document.reference),
    ['scan-ui:desktop', 'scan-ui:desktop'],
  );
});

t.test('an API upload keeps the caller reference and is labelled as the API client sent it', async (t) => {
  const { app } = await startTestApp(t);
  const id = (await app.inject({ method: 'POST', url: '/v3/eid/scanningsessions', headers: auth('k'), payload: {} })).json().session_id as string;
  const upload = await app.inject({
    method: 'POST',
    url: `/v3/eid/scanningsessions/${id}/documents?documentType=Passport&reference=folder-7`,
    headers: { ...auth('k'), ...multipartBody('document', 'a.png', 'image/png', tinyPng).headers },
    payload: multipartBody('document', 'a.png', 'image/png', tinyPng).payload,
  });
  t.equal(upload.statusCode, 200, upload.body);
  const session = app.emulator.sessions.findById(id)!;
  t.strictSame(session.documents.map((document) => [document.reference, document.capturedBy]), [['folder-7', 'api']]);
  t.strictSame(session.events.map(({ at: _at, ...event }) => event), [{ status: 'ReadyToStart', kind: 'document_uploaded', documentType: 'Passport' }]);
  const view = (await app.inject({ url: `/__mock/sessions/${id}` })).json();
  t.strictSame(view.documents.map((document: { reference: string | null }) => document.reference), ['folder-7']);
  t.equal(view.timeline.at(-1).event, 'document uploaded: Passport');
});

function withCookie(body: { payload: Buffer; headers: Record<string, string> }, cookie: string) {
  return { payload: body.payload, headers: { ...body.headers, cookie } };
}

// The portal's "scan on a mobile phone" page follows the phone from the scan flow itself, not from
// the request journal: a journal that keeps nothing (JOURNAL_SIZE=0) or has dropped the phone's
// request still shows the phone as having opened its link.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { cookiesOf, signIn, startPortalApp, textOf, type PortalClient } from '../helpers/portal.js';

/** Starts a mobile scan in the portal and opens the scan UI on the desktop: the session id, the portal page and the desktop cookie. */
async function startMobileScan(app: FastifyInstance, client: PortalClient) {
  const started = await client.post('/portal/scans', { mode: 'mobile' });
  const portalPage = String(started.headers.location);
  const id = /^\/portal\/scans\/([0-9a-f-]{36})\/mobile$/.exec(portalPage)![1];
  const session = app.emulator.sessions.findById(id)!;
  const desktop = await app.inject({ url: `/v3/scan/ui/${id}/liveness?otp=${session.link!.token}` });
  t.equal(desktop.statusCode, 200, 'the desktop opened the scan UI');
  return { id, portalPage, desktopCookie: `zsm_ui=${cookiesOf(desktop).zsm_ui}` };
}

/** The desktop asks for the phone link; the phone opens it. Returns the phone's cookie. */
async function openOnPhone(app: FastifyInstance, id: string, desktopCookie: string): Promise<string> {
  const handoff = await app.inject({ method: 'POST', url: `/v3/scan/ui/${id}/mobile-link`, headers: { cookie: desktopCookie } });
  t.equal(handoff.statusCode, 200, 'the desktop got the phone link');
  const link = new URL(handoff.json().url as string);
  const phone = await app.inject({ url: `${link.pathname}${link.search}` });
  t.equal(phone.statusCode, 200, 'the phone opened its link');
  return `zsm_m=${cookiesOf(phone).zsm_m}`;
}

const fingerprintOf = (page: string) => /data-fingerprint="([^"]+)" data-testid="mobile-progress"/.exec(page)?.[1];

const progressOf = (page: string) => ({
  state: /data-testid="mobile-progress" data-state="([a-z]+)"/.exec(page)?.[1],
  text: textOf(page, 'mobile-progress-text'),
});

t.test('with JOURNAL_SIZE=0 the portal shows the phone as opened once it opened its link', async (t) => {
  const { app } = await startPortalApp(t, { JOURNAL_SIZE: '0' });
  const client = await signIn(app, 'key-a');
  const { id, portalPage, desktopCookie } = await startMobileScan(app, client);
  const before = (await client.get(portalPage)).body;
  t.same(progressOf(before), { state: 'waiting', text: 'Waiting for a phone to scan the QR code.' });

  // The live page hears of the phone from the scan flow (the journal, keeping nothing, says nothing).
  let notices = 0;
  const subscribed = app.emulator.changes.subscribe('key-a', { changed: () => notices++, ended: () => undefined });
  t.ok(subscribed.ok);
  t.teardown(() => subscribed.ok && subscribed.subscription.unsubscribe());
  await openOnPhone(app, id, desktopCookie);
  const after = (await client.get(portalPage)).body;
  t.same(progressOf(after), { state: 'opened', text: 'The phone has opened the link.' });
  t.not(fingerprintOf(after), fingerprintOf(before), "the page's fingerprint changed with it");
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.ok(notices > 0, 'the change feed told the key');
  t.same(app.emulator.journal.forSession(id), [], 'the journal kept nothing');
});

t.test('the phone stays opened when the journal has dropped the request that opened it', async (t) => {
  const { app } = await startPortalApp(t, { JOURNAL_SIZE: '1' });
  const client = await signIn(app, 'key-a');
  const { id, portalPage, desktopCookie } = await startMobileScan(app, client);
  const phoneCookie = await openOnPhone(app, id, desktopCookie);
  t.equal(progressOf((await client.get(portalPage)).body).state, 'opened');

  // The phone's page polls its state: the journal (one entry) now holds the poll, not the open.
  const poll = await app.inject({ url: `/v3/scan/ui/${id}/state`, headers: { cookie: phoneCookie } });
  t.equal(poll.statusCode, 200);
  t.same(
    app.emulator.journal.forSession(id).map((entry) => entry.path),
    [`/v3/scan/ui/${id}/state`],
    'only the poll is left in the journal',
  );
  t.same(progressOf((await client.get(portalPage)).body), { state: 'opened', text: 'The phone has opened the link.' }, 'it does not flip back');
});

// Clients of the scanning-sessions API that read the result once, right after starting the analysis,
// and never poll (a public React Native client does exactly this): the first read must be final.
// Outcomes about time keep answering Pending first, for clients that poll.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { startTestApp } from '../helpers/app.js';
import { tinyJpeg } from '../helpers/multipart.js';
import { startReceiver } from '../helpers/receiver.js';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

async function listening(t: Parameters<typeof startTestApp>[0], settings: Parameters<typeof startTestApp>[1] = {}): Promise<TestApp & { baseUrl: string }> {
  const started = await startTestApp(t, settings);
  await started.app.listen({ port: 0, host: '127.0.0.1' });
  return { ...started, baseUrl: `http://127.0.0.1:${(started.app.server.address() as AddressInfo).port}` };
}

/**
 * The app client's call sequence as it is written: create, upload the document and the selfie as
 * multipart field "document", start the analysis with its time zone offset, then one GET of
 * `…/analyses` (no trailing slash). It reads total_result and the document number from that answer.
 */
function appClient(baseUrl: string, zign: string) {
  const api = `${baseUrl}/v3/eid/scanningsessions`;
  const json = { 'Content-Type': 'application/json', Authorization: zign };
  const upload = async (sessionId: string, documentType: string, reference: string) => {
    const form = new FormData();
    form.append('document', new Blob([tinyJpeg], { type: 'image/jpeg' }), 'Frontal_face_0.jpg');
    const response = await fetch(`${api}/${sessionId}/documents?documentType=${documentType}&reference=${reference}`, { method: 'POST', headers: { Authorization: zign }, body: form });
    return response.status;
  };
  return {
    async kycProcess(options: { outcome?: string; startPath?: string } = {}) {
      const create = await fetch(api, { method: 'POST', headers: { ...json, ...(options.outcome ? { 'X-Mock-Outcome': options.outcome } : {}) }, body: JSON.stringify({ locale: 'en', analysis_types: ['selfie', 'document'] }) });
      const { session_id, provider_folder_id } = (await create.json()) as { session_id: string; provider_folder_id: string };
      const uploads = [await upload(session_id, 'Passport', provider_folder_id), await upload(session_id, 'Selfie', provider_folder_id)];
      const timeZoneOffset = -new Date().getTimezoneOffset();
      const start = await fetch(`${api}/${session_id}/${options.startPath ?? 'analyses'}?timeZoneOffset=${timeZoneOffset}`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ analysis_types: ['selfie', 'document'] }),
      });
      const started = (await start.json()) as { id: string; status: string };
      const resp4 = (await (await fetch(`${api}/${session_id}/analyses`, { headers: { Authorization: zign } })).json()) as {
        total_result: string;
        analysis_summary: { id: string; id_document_summary: { fields: { Document_Number?: string } } };
      };
      return { session_id, uploads, started, total_result: resp4.total_result, documentNumber: resp4.analysis_summary.id_document_summary.fields.Document_Number, resp4 };
    },
  };
}

t.test('a client that reads GET …/analyses once, right after starting the analysis, reads the final result', async (t) => {
  const { baseUrl, clock } = await listening(t, { SEED: 'read-once' });
  const before = clock.now();
  const run = await appClient(baseUrl, 'rn-app-key').kycProcess();
  t.same(run.uploads, [200, 200], 'both images were accepted');
  t.equal(run.started.status, 'Accepted', 'the start call answers once the analysis is decided');
  t.equal(run.total_result, 'Accepted');
  t.match(run.documentNumber, /^[A-Z]\d{8}$/, 'analysis_summary.id_document_summary.fields.Document_Number');
  t.equal(clock.now(), before, 'no clock time was needed');

  const headers = { authorization: 'rn-app-key' };
  const base = `${baseUrl}/v3/eid/scanningsessions/${run.session_id}`;
  for (const path of [`${base}/analysisStatus`, `${base}/analyses/`, `${base}/analyses/${run.started.id}`, `${baseUrl}/v3/scanning/${run.session_id}`]) {
    t.strictSame(await (await fetch(path, { headers })).json(), run.resp4, `${path.slice(baseUrl.length)} is the same final result`);
  }
});

t.test('the ui/analyses variant finishes the same way', async (t) => {
  const { baseUrl } = await listening(t);
  const run = await appClient(baseUrl, 'rn-app-key').kycProcess({ startPath: 'ui/analyses/' });
  t.same([run.started.status, run.total_result], ['Accepted', 'Accepted']);
  t.match(run.documentNumber, /^[A-Z]\d{8}$/);
});

t.test('declines are final at once too, and the webhook of the finished analysis is sent', async (t) => {
  const { baseUrl, app } = await listening(t);
  const receiver = await startReceiver(t);
  await app.inject({ method: 'PUT', url: '/__mock/merchants/hooked-app', payload: { webhook: receiver.url } });
  const run = await appClient(baseUrl, 'hooked-app').kycProcess({ outcome: 'face_mismatch' });
  t.same([run.started.status, run.total_result], ['Declined', 'Declined']);
  const delivery = (await app.inject({ url: `/__mock/webhooks/wait?session_id=${run.session_id}&status=Declined&timeout_ms=5000` })).json();
  t.equal(delivery.status, 'succeeded');
  t.strictSame(JSON.parse(receiver.received[0].rawBody), run.resp4, 'the webhook carries the final result');
});

t.test('outcomes about time still answer Pending first, for clients that poll', async (t) => {
  const { baseUrl, app, clock } = await listening(t, { SESSION_TTL: '30m' });
  const slow = await appClient(baseUrl, 'poller').kycProcess({ outcome: 'slow_analysis' });
  t.same([slow.started.status, slow.total_result], ['Pending', 'Pending'], 'slow_analysis: Pending for its 60 s');
  t.equal(slow.documentNumber, undefined, 'no fields before the analysis is decided');
  const abandoned = await appClient(baseUrl, 'poller').kycProcess({ outcome: 'abandoned' });
  t.same([abandoned.started.status, abandoned.total_result], ['Pending', 'Pending'], 'abandoned never finishes');

  const status = async (id: string) => (await app.inject({ url: `/v3/eid/scanningsessions/${id}/analysisStatus`, headers: { authorization: 'poller' } })).json().status;
  clock.advance(60_000);
  t.same([await status(slow.session_id), await status(abandoned.session_id)], ['Accepted', 'Pending']);
  clock.advance(30 * 60_000);
  t.equal(await status(abandoned.session_id), 'Timeout');

  const outcomes = (await app.inject({ url: '/__mock/outcomes' })).json().outcomes as { name: string; api_flow_waits: boolean }[];
  t.same(
    outcomes.filter((o) => o.api_flow_waits).map((o) => o.name),
    ['slow_analysis'],
    'of the built-in presets only slow_analysis waits in the API flow (abandoned never finishes at all)',
  );
});

t.test('custom presets: api_flow_waits, or else a duration of 10 s or more, keeps the API flow Pending', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'zsm-presets-'));
  const preset = (name: string, extra: Record<string, unknown>) =>
    writeFileSync(
      join(dir, `${name}.json`),
      JSON.stringify({ name, description: name, session_status: 'Accepted', analyses: { document: 'Accepted', liveness: 'Accepted', face_match: 'Accepted' }, redirect: 'target', ...extra }),
    );
  preset('ten_seconds', { analysis_duration_ms: 10_000 });
  preset('just_under', { analysis_duration_ms: 9_999 });
  preset('long_but_instant', { analysis_duration_ms: 120_000, api_flow_waits: false });
  preset('short_but_waits', { analysis_duration_ms: 500, api_flow_waits: true });
  const { baseUrl, clock } = await listening(t, { OUTCOMES_DIR: dir });
  const client = appClient(baseUrl, 'custom');
  const expected: [string, string][] = [
    ['ten_seconds', 'Pending'],
    ['just_under', 'Accepted'],
    ['long_but_instant', 'Accepted'],
    ['short_but_waits', 'Pending'],
  ];
  for (const [outcome, status] of expected) t.equal((await client.kycProcess({ outcome })).total_result, status, outcome);
  t.equal(clock.now(), Date.UTC(2026, 0, 15, 9, 0, 0), 'the clock never moved');
});

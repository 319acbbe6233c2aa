// Pure pieces of the scan UI: the final redirect, the capture steps per session, the QR code, the strings.
import jsQRModule from 'jsqr';
import t from 'tap';
import { qrSvg } from '../../src/ui/qr-code.js';
import { finalRedirect, withReturnParameters } from '../../src/core/redirect.js';
import { captureSteps } from '../../src/services/scan-flow.js';
import { actionPrompt, format, stringsFor, uiLanguage } from '../../src/ui/strings.js';

const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

const settings = {
  target: 'https://www.google.com/?q=Success',
  target_error: 'https://www.google.com/?q=targetError',
  cancel_url: 'https://www.google.com/?q=Cancel',
  relay_state: '11111',
};
const id = '61652a58-1921-4593-abab-fcbc24f972b0';
/** fixtures/wire.json's names. */
const names = { relay_state_param: 'relay_state', session_id_param: 'session_id' };

t.test('each ending goes to its URL with relay_state and the session id, keeping the query', async (t) => {
  t.same(finalRedirect(settings, 'target', id, '/r', names), { url: `https://www.google.com/?q=Success&relay_state=11111&session_id=${id}`, via: 'target' });
  t.same(finalRedirect(settings, 'target_error', id, '/r', names), { url: `https://www.google.com/?q=targetError&relay_state=11111&session_id=${id}`, via: 'target_error' });
  t.same(finalRedirect(settings, 'cancel_url', id, '/r', names), { url: `https://www.google.com/?q=Cancel&relay_state=11111&session_id=${id}`, via: 'cancel_url' });
  t.equal(new URL(finalRedirect(settings, 'target', id, '/r', names).url).searchParams.get('q'), 'Success', 'still a valid search URL');
});

t.test('cancel falls back to target_error, then everything to the result page', async (t) => {
  t.equal(finalRedirect({ ...settings, cancel_url: '' }, 'cancel_url', id, '/r', names).via, 'target_error');
  t.same(finalRedirect({ ...settings, cancel_url: '', target_error: '' }, 'cancel_url', id, '/r', names), { url: '/r', via: 'result_page' });
  t.same(finalRedirect({ ...settings, target: '' }, 'target', id, '/r', names), { url: '/r', via: 'result_page' });
  // The schemas' rule: a spelling the URL parser would repair is no merchant URL.
  t.same(finalRedirect({ ...settings, target: 'https:\\\\shop.example/done' }, 'target', id, '/r', names), { url: '/r', via: 'result_page' });
  t.same(finalRedirect({ ...settings, target_error: 'javascript:alert(1)' }, 'target_error', id, '/r', names), { url: '/r', via: 'result_page' }, 'never a non-http URL');
});

t.test('return parameters are encoded, replace same-named ones, and keep the fragment', async (t) => {
  const url = withReturnParameters('https://shop.example/done?relay_state=old&x=1#top', '<script>&"', id, names);
  t.equal(url, `https://shop.example/done?relay_state=%3Cscript%3E%26%22&x=1&session_id=${id}#top`);
  t.equal(new URL(url).searchParams.get('relay_state'), '<script>&"');
});

t.test('the parameter names are the ones given (ZignSec may spell relay_state "relaystate")', async (t) => {
  const url = withReturnParameters('https://shop.example/done?relaystate=old', 'r-1', id, { relay_state_param: 'relaystate', session_id_param: 'sessionid' });
  t.equal(url, `https://shop.example/done?relaystate=r-1&sessionid=${id}`);
});

t.test('capture steps follow options for liveness and analysis_types for scanning', async (t) => {
  const live = (options: string) => captureSteps({ flow: 'liveness', settings: { options, analysis_types: [] } as never, chosenAction: 'Smile' });
  t.same(live('FrontSide'), ['document-front', 'face-align', 'face-action']);
  t.same(live('FrontAndBack'), ['document-front', 'document-back', 'face-align', 'face-action']);
  t.same(live('NoDocument'), ['face-align', 'face-action']);
  const scan = (analysis_types: string[], chosenAction: string | null = null) =>
    captureSteps({ flow: 'scanning', settings: { options: 'FrontSide', analysis_types } as never, chosenAction: chosenAction as never });
  t.same(scan(['document']), ['document-front']);
  t.same(scan(['selfie']), ['face-align']);
  t.same(scan(['document', 'liveness'], 'HeadUp'), ['document-front', 'face-align', 'face-action']);
});

t.test('the QR code SVG encodes the text', async (t) => {
  const text = `http://127.0.0.1:41234/v3/scan/ui/${id}/mobile?t=P3r27O1U20WE8tVUnlLH5w`;
  const svg = qrSvg(text, 'QR <code>');
  t.match(svg, '<title>QR &lt;code&gt;</title>');
  // Rasterise the path (its rectangles of dark modules) at 4 px a module and read it back.
  const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)![1]);
  const scale = 4;
  const width = size * scale;
  const pixels = new Uint8ClampedArray(width * width * 4).fill(255);
  for (const [, x, y, run] of svg.matchAll(/M(\d+)[ ,](\d+)h(\d+)/g)) {
    for (let dy = 0; dy < scale; dy++) {
      for (let dx = 0; dx < Number(run) * scale; dx++) {
        const offset = ((Number(y) * scale + dy) * width + Number(x) * scale + dx) * 4;
        pixels[offset] = pixels[offset + 1] = pixels[offset + 2] = 0;
      }
    }
  }
  t.equal(jsQR(pixels, width, width)?.data, text);
});

t.test('strings: se/sv are Swedish, everything else English; every key is translated', async (t) => {
  t.equal(uiLanguage('se'), 'sv');
  t.equal(uiLanguage('SV_se'), 'sv');
  t.equal(uiLanguage('fr'), 'en');
  t.equal(uiLanguage(undefined), 'en');
  t.same(Object.keys(stringsFor('sv')).sort(), Object.keys(stringsFor('en')).sort());
  for (const [key, value] of Object.entries(stringsFor('sv'))) t.ok(value.length > 0, key);
  t.equal(actionPrompt('se', 'Smile'), 'Le');
  t.equal(format('Step {n} of {total}', { n: 1, total: 3 }), 'Step 1 of 3');
});

// The front door (GET / in a browser): what the emulator is, where its portal and API documentation
// are, its health figures and outcome catalogue, and how to point a backend at it. Every value goes
// through the `html` tag, so the reflected base URL is escaped like everything else.
import { html } from '../html.js';

export interface FrontDoorView {
  /** The base URL to give a backend: PUBLIC_URL, or this request's scheme and host. */
  baseUrl: string;
  baseUrlSource: 'public_url' | 'request';
  authMode: 'any' | 'strict';
  figures: { uptimeMs: number; sessions: number; outcomes: number; merchants: number; version: string };
  outcomes: { name: string; description: string }[];
  /** The create request of the example, as sent. */
  exampleBody: unknown;
  assets: { style: string; script: string };
}

/** The API key of the example command. */
export const EXAMPLE_KEY = 'my-test-key';

/** A word for a shell: single-quoted, with any single quote closed, escaped and reopened. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The example create call, ready to paste into a shell. */
export function exampleCurl(baseUrl: string, body: unknown): string {
  return [
    `curl -s -X POST ${shellQuote(`${baseUrl}/v3/scanning/liveness`)} \\`,
    `  -H ${shellQuote(`Authorization: ${EXAMPLE_KEY}`)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d ${shellQuote(JSON.stringify(body, null, 2))}`,
  ].join('\n');
}

const uptimeUnits: [string, number][] = [
  ['d', 86_400],
  ['h', 3_600],
  ['min', 60],
  ['s', 1],
];

/** "3 d 4 h", "2 h", "4 min 12 s", "9 s": the two largest units, enough to see how long it has been up. */
export function formatUptime(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const first = uptimeUnits.findIndex(([, size]) => seconds >= size);
  if (first < 0) return '0 s';
  const [name, size] = uptimeUnits[first];
  const whole = `${Math.floor(seconds / size)} ${name}`;
  const next = uptimeUnits[first + 1];
  const remainder = next ? Math.floor((seconds % size) / next[1]) : 0;
  return remainder > 0 ? `${whole} ${remainder} ${next[0]}` : whole;
}

export function renderFrontDoor(view: FrontDoorView): string {
  const f = view.figures;
  const keys =
    view.authMode === 'any'
      ? html`Any non-empty key works, and each key is its own merchant: sessions, clock, faults and webhooks of one key never show up under another.`
      : html`Only the keys in the merchants file (<code>MERCHANTS_FILE</code>) are accepted (<code>AUTH_MODE=strict</code>).`;
  const source =
    view.baseUrlSource === 'public_url'
      ? html`from <code>PUBLIC_URL</code>`
      : html`the address this page was opened at (set <code>PUBLIC_URL</code> when a proxy or port map changes it)`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,"><title>zignsec-mock · ZignSec API emulator</title>
<link rel="stylesheet" href="${view.assets.style}"><script src="${view.assets.script}" defer></script></head>
<body><a class="skip" href="#main" data-testid="front-door-skip">Skip to content</a>
<header class="bar"><span class="brand">ZignSec <span class="badge">Emulator</span></span></header>
<main id="main" class="door" data-testid="front-door" tabindex="-1">
<section class="intro" aria-labelledby="h-what"><h1 id="h-what">zignsec-mock</h1>
<p class="lead" data-testid="front-door-what">An emulator of ZignSec's v3 scanning and liveness API, running on this machine: sessions, the hosted scan UI, webhooks, and outcomes, faults and time you control. Nothing here talks to ZignSec.</p>
<nav class="doors" aria-label="Where to go">
<a class="button primary" href="/portal" data-testid="front-door-portal">Merchant portal<span class="sub">start a scan, see sessions, the QA console</span></a>
<a class="button secondary" href="/v3/scan/swagger" data-testid="front-door-swagger">API documentation<span class="sub">Swagger UI of the public and control API</span></a>
</nav></section>

<section class="card" aria-labelledby="h-connect" data-testid="front-door-connect"><h2 id="h-connect">Point your backend here</h2>
<p>Use this base URL where your code has <code>https://test.zignsec.com</code>:</p>
<p class="base"><code data-testid="front-door-base-url" data-source="${view.baseUrlSource}">${view.baseUrl}</code> <span class="muted">(${source})</span></p>
<p>Send the raw API key in <code>Authorization</code>, without <code>Bearer</code>. ${keys}</p>
<div class="example"><div class="example-head"><h3 id="h-curl">Create a liveness session</h3>
<button type="button" class="secondary small" data-testid="front-door-copy" data-copy="front-door-curl" hidden>Copy</button></div>
<pre tabindex="0" aria-labelledby="h-curl" data-testid="front-door-curl" id="front-door-curl"><code>${exampleCurl(view.baseUrl, view.exampleBody)}</code></pre>
<p class="copy-status muted" data-testid="front-door-copy-status" role="status"></p></div>
<p>It answers <code>{ id, errors: [], redirect_url }</code>: open <code>redirect_url</code> in a browser to go through the scan UI, and read the result with <code>GET /v3/scanning/{id}</code> (same header).</p></section>

<div class="columns">
<section class="card" aria-labelledby="h-status" data-testid="front-door-status"><h2 id="h-status">Status</h2>
<dl class="figures"><dt>Up for</dt><dd data-testid="front-door-uptime" data-ms="${f.uptimeMs}">${formatUptime(f.uptimeMs)}</dd>
<dt>Sessions</dt><dd data-testid="front-door-sessions">${f.sessions}</dd>
<dt>Outcome presets</dt><dd data-testid="front-door-presets">${f.outcomes}</dd>
<dt>Merchants</dt><dd data-testid="front-door-merchants">${f.merchants}</dd>
<dt>Version</dt><dd data-testid="front-door-version">${f.version}</dd></dl>
<p class="muted">As JSON: <a href="/health" data-testid="front-door-health">/health</a>, <a href="/ready" data-testid="front-door-ready">/ready</a>.</p></section>

<section class="card" aria-labelledby="h-outcomes" data-testid="front-door-outcomes"><h2 id="h-outcomes">Outcomes</h2>
<p class="muted">How a session ends: pick one with the <code>X-Mock-Outcome</code> header on the create call, the tester panel of the scan UI, or the portal.</p>
<ul class="outcomes">${view.outcomes.map(
    (outcome) => html`<li data-testid="front-door-outcome" data-outcome="${outcome.name}"><code>${outcome.name}</code> <span>${outcome.description}</span></li>`,
  )}</ul></section>
</div>
</main>
<footer class="foot">Local emulator of ZignSec's scanning and liveness API, version ${f.version}. Nothing here talks to ZignSec.</footer>
</body></html>`.value;
}

// "Start a scan": in this browser (off to the scan UI) or on a phone (the scan UI's QR hand-off,
// shown inside the portal while the portal follows the phone's progress).
import { html } from '../html.js';
import { attr, csrfField, formatTime, layout, raw, statusBadge, when, type SignedIn } from './layout.js';
import { sessionRows, type SessionRow } from './sessions.js';

export interface StartPageView {
  signedIn: SignedIn;
  merchant: { options: string; actions: string[]; webhook: string; locale: string; mobileFlow: boolean; defaultOutcome: string | null };
  /** The key's clock: the time its sessions are stamped with, and whether it is its own. */
  clock: { now: number; own: boolean; frozen: boolean; offsetFromGlobalMs: number };
  outcomes: { name: string; description: string }[];
  recent: SessionRow[];
  error?: string;
}

/** Where the key's clock stands against the global one, in words: "your key's own, 1 h 30 min ahead; frozen". */
function clockNote(clock: StartPageView['clock']): string {
  const frozen = clock.frozen ? '; frozen' : '';
  if (!clock.own) return `the global clock${frozen}`;
  const minutes = Math.round(Math.abs(clock.offsetFromGlobalMs) / 60_000);
  const apart = minutes === 0 ? 'at the global time' : `${minutes >= 60 ? `${Math.floor(minutes / 60)} h ` : ''}${minutes % 60} min ${clock.offsetFromGlobalMs > 0 ? 'ahead' : 'behind'}`;
  return `your key's own, ${apart}${frozen}`;
}

export function renderStart(view: StartPageView): string {
  const m = view.merchant;
  const body = html`<div class="page-head" data-testid="page-head"><h1>Start a scan</h1>
<p class="muted">Creates a liveness session for your key with your settings, as <code>POST /v3/scanning/liveness</code> would, and comes back here at the end.</p></div>
${when(view.error, () => html`<p class="notice bad" role="alert" data-testid="start-error">${view.error}</p>`)}
<div class="columns" data-testid="start-columns">
<form method="post" action="/portal/scans" class="form card" data-testid="start-form">${csrfField(view.signedIn.csrf)}
<div class="field" data-testid="field-relay-state"><label for="s-relay">relay_state <span class="muted">(optional)</span></label>
<input type="text" id="s-relay" name="relay_state" maxlength="200" spellcheck="false" placeholder="order-1234" data-testid="start-relay-state" aria-describedby="hint-relay"><p class="hint" id="hint-relay">Returned to you at the end; the session id when empty.</p></div>
<div class="field" data-testid="field-outcome"><label for="s-outcome">Outcome</label>
<select id="s-outcome" name="outcome" data-testid="start-outcome"><option value="">Merchant default (${m.defaultOutcome ?? 'approved'})</option>
${view.outcomes.map((o) => html`<option value="${o.name}" title="${o.description}">${o.name}</option>`)}</select></div>
<div class="choices row" data-testid="start-choices">
<button type="submit" name="mode" value="browser" class="primary" data-testid="start-browser">Scan in this browser</button>
<button type="submit" name="mode" value="mobile" class="secondary" data-testid="start-mobile"${attr(!m.mobileFlow, 'disabled')}${raw(m.mobileFlow ? '' : ' aria-describedby="mobile-off"')}>Scan on a mobile phone</button>
</div>
${when(!m.mobileFlow, () => html`<p class="hint" id="mobile-off" data-testid="start-mobile-off">The mobile flow is off in your <a href="/portal/settings">settings</a>.</p>`)}
</form>
<section class="card" aria-labelledby="h-merchant" data-testid="start-settings"><h2 id="h-merchant">Your settings</h2>
<dl class="facts" data-testid="start-settings-facts"><dt>Document</dt><dd data-testid="start-settings-options">${m.options}</dd>
<dt>Actions</dt><dd data-testid="start-settings-actions">${m.actions.length > 0 ? m.actions.join(', ') : 'any'}</dd>
<dt>Webhook</dt><dd data-testid="start-settings-webhook">${m.webhook || html`<span class="muted">none</span>`}</dd>
<dt>Locale</dt><dd>${m.locale}</dd><dt>Mobile flow</dt><dd>${m.mobileFlow ? 'on' : 'off'}</dd>
<dt>Clock</dt><dd data-testid="start-settings-clock">${formatTime(view.clock.now)} <span class="muted">(${clockNote(view.clock)})</span></dd></dl>
<p><a href="/portal/settings" data-testid="start-edit-settings">Change settings</a></p></section>
</div>
<section class="card" aria-labelledby="h-recent" data-testid="recent-sessions"><h2 id="h-recent">Recent sessions</h2>
${view.recent.length > 0 ? sessionRows(view.recent) : html`<p class="muted" data-testid="recent-empty">No sessions yet.</p>`}
<p><a href="/portal/sessions" data-testid="recent-all">All sessions</a></p></section>`;
  return layout({ title: 'Start a scan', page: 'start', nav: 'start', signedIn: view.signedIn, body });
}

export interface MobilePageView {
  signedIn: SignedIn;
  sessionId: string;
  /** The scan UI's desktop page (redirect_url), shown in a frame whose "Continue on mobile" step the script opens. */
  scanUiUrl: string;
  status: string;
  createdAt: number;
  phone: PhoneProgress;
  fingerprint: string;
  final: boolean;
}

export interface PhoneProgress {
  opened: boolean;
  images: number;
  analyzing: boolean;
}

export function phoneProgressText(status: string, final: boolean, phone: PhoneProgress): string {
  if (final) return `Finished: ${status}.`;
  if (phone.analyzing) return 'The phone is done: analyzing…';
  if (phone.images > 0) return `The phone is capturing: ${phone.images} image${phone.images === 1 ? '' : 's'} received.`;
  if (phone.opened) return 'The phone has opened the link.';
  return 'Waiting for a phone to scan the QR code.';
}

export function renderMobile(view: MobilePageView): string {
  const state = view.final ? 'done' : view.phone.analyzing ? 'analyzing' : view.phone.images > 0 ? 'capturing' : view.phone.opened ? 'opened' : 'waiting';
  const body = html`<div class="page-head" data-testid="page-head"><h1>Scan on a mobile phone</h1>
<p class="muted">Scan the QR code with a phone (or open the link below it in another browser). This page follows the phone and takes you to the session when it ends.</p></div>
<div class="columns mobile" data-testid="mobile-columns">
<section class="card frame-card" aria-label="Scan UI on this computer" data-testid="mobile-handoff">
<iframe src="${view.scanUiUrl}" title="ZignSec scan UI: mobile hand-off" class="scan-frame" data-testid="mobile-scan-ui" allow="camera"></iframe></section>
<section class="card" aria-labelledby="h-progress" data-testid="mobile-progress-card"><h2 id="h-progress">Phone progress</h2>
<div data-live="${view.final ? 'off' : 'on'}" data-fingerprint="${view.fingerprint}" data-testid="mobile-progress" data-state="${state}"${view.final ? html` data-go="/portal/sessions/${view.sessionId}"` : html``}>
<p role="status" data-testid="mobile-progress-text">${phoneProgressText(view.status, view.final, view.phone)}</p>
<ol class="steps" data-testid="mobile-steps">
<li class="${view.phone.opened || view.phone.images > 0 || view.final ? 'done' : 'current'}">QR code shown</li>
<li class="${view.phone.opened || view.phone.images > 0 ? 'done' : ''}" data-testid="mobile-step-opened">Phone opened the link</li>
<li class="${view.phone.images > 0 ? 'done' : ''}" data-testid="mobile-step-captured">Images captured (${view.phone.images})</li>
<li class="${view.phone.analyzing || view.final ? 'done' : ''}" data-testid="mobile-step-analyzing">Analysis</li>
<li class="${view.final ? 'done' : ''}" data-testid="mobile-step-finished">Result</li></ol>
<dl class="facts" data-testid="mobile-facts"><dt>Session</dt><dd><a href="/portal/sessions/${view.sessionId}" data-testid="mobile-session-link"><code>${view.sessionId}</code></a></dd>
<dt>Status</dt><dd>${statusBadge(view.status, 'mobile-session-status')}</dd><dt>Created</dt><dd>${formatTime(view.createdAt)}</dd></dl>
</div></section></div>`;
  return layout({ title: 'Scan on a mobile phone', page: 'mobile', nav: 'start', signedIn: view.signedIn, body });
}

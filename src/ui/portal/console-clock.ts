// The QA console's "Clock" page: the signed-in key's clock (its own, or the global one it follows
// until it moves its own: now, frozen or running, offsets), moves (advance by a quick or a typed
// duration, freeze, resume, back to the global clock), what the last move ran, what falls due next.
import { html, type SafeHtml } from '../html.js';
import { consoleError, consoleNotice, fieldHelpers, type FieldErrors, type NoticeView } from './console-parts.js';
import { csrfField, formatTime, layout, when, type SignedIn } from './layout.js';

export interface UpcomingItem {
  at: number;
  text: string;
  href: string;
}

export interface ClockPageView {
  signedIn: SignedIn;
  notice?: NoticeView;
  formError?: string;
  /** The key's domain time; frozen when its own clock is, or when it moves with a frozen global clock. */
  now: number;
  frozen: boolean;
  /** The key has moved its own clock; otherwise it follows the global clock. */
  ownClock: boolean;
  /** Its own clock is frozen (rather than moving with a frozen global clock). */
  ownFrozen: boolean;
  globalFrozen: boolean;
  /** From real time, and from the global clock. */
  offsetMs: number;
  offsetFromGlobalMs: number;
  quickMoves: readonly { duration: string; label: string }[];
  /** The duration field as typed. */
  duration: string;
  errors: FieldErrors;
  maxMoveText: string;
  ttls: { otpMs: number; sessionMs: number };
  upcoming: UpcomingItem[];
  upcomingTotal: number;
}

const units: [number, string][] = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
  [1000, 's'],
];

/** A span of time in its two largest units: "2 d 3 h", "31 min", "4 s", "250 ms". */
export function formatSpan(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  const parts: string[] = [];
  let rest = abs;
  for (const [size, unit] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || parts.length > 0) parts.push(`${count} ${unit}`);
    if (parts.length === 2) break;
  }
  return parts.filter((part) => !part.startsWith('0 ')).join(' ');
}

export function formatOffset(ms: number): string {
  if (Math.abs(ms) < 1) return 'none: real time';
  return `${ms > 0 ? '+' : '−'}${formatSpan(ms)} ${ms > 0 ? 'ahead of' : 'behind'} real time`;
}

function formatOffsetFrom(ms: number): string {
  if (Math.abs(ms) < 1) return 'none: the same time';
  return `${ms > 0 ? '+' : '−'}${formatSpan(ms)} ${ms > 0 ? 'ahead' : 'behind'}`;
}

function moves(view: ClockPageView): SafeHtml {
  const f = fieldHelpers('clock', view.errors, ['duration']);
  const csrf = csrfField(view.signedIn.csrf);
  return html`<section class="card moves" aria-labelledby="h-moves" data-testid="clock-moves"><h2 id="h-moves">Move the clock</h2>
<form method="post" action="/portal/clock/advance" class="actions" data-testid="clock-quick-form" aria-label="Advance by">${csrf}${view.quickMoves.map(
    (move) => html`<button type="submit" name="duration" value="${move.duration}" class="primary" data-testid="clock-advance-${move.duration}">+ ${move.label}</button>`,
  )}</form>
<p class="hint">Here a one-time link lives ${formatSpan(view.ttls.otpMs)} (<code>OTP_TTL</code>) and an unfinished session ${formatSpan(view.ttls.sessionMs)} (<code>SESSION_TTL</code>); 48 hours run a receiver's whole webhook retry schedule.</p>
<form method="post" action="/portal/clock/advance" class="form" data-testid="clock-advance-form" novalidate>${csrf}
<div class="${f.cls('duration')}" data-testid="field-clock-duration"><label for="c-duration">Advance by</label>
<div class="inline-field"><input type="text" id="c-duration" name="duration" value="${view.duration}" maxlength="40" spellcheck="false" autocomplete="off" placeholder="90s, 30m, 2h, 3d" class="short" data-testid="clock-duration"${f.aria('duration', 'hint-c-duration')}>
<button type="submit" class="secondary" data-testid="clock-advance">Advance</button></div>
<p class="hint" id="hint-c-duration">A number with ms, s, m, h or d (seconds without a unit); ${view.maxMoveText} at most.</p>${f.error('duration')}</div></form>
<div class="actions"><form method="post" action="/portal/clock/${view.frozen ? 'resume' : 'freeze'}" class="inline-form" data-testid="clock-state-form">${csrf}${
    view.frozen
      ? html`<button type="submit" class="secondary" data-testid="clock-resume" aria-describedby="hint-c-state">Resume</button>`
      : html`<button type="submit" class="secondary" data-testid="clock-freeze" aria-describedby="hint-c-state">Freeze</button>`
  }</form>
<form method="post" action="/portal/clock/reset" class="inline-form" data-testid="clock-reset-form">${csrf}<button type="submit" class="secondary" data-testid="clock-reset">Back to the global clock</button></form></div>
<p class="hint" id="hint-c-state">${view.frozen ? 'Resume: time runs again from where it stands.' : 'Freeze: time moves only when you advance it.'} Back to the global clock: your key follows the emulator's global clock again.</p>
</section>`;
}

function upcoming(view: ClockPageView): SafeHtml {
  return html`<section class="card" aria-labelledby="h-upcoming" data-testid="clock-upcoming"><h2 id="h-upcoming">Due next for your key</h2>
${view.upcoming.length === 0
  ? html`<p class="muted" data-testid="clock-upcoming-empty">Nothing of your key is waiting on the clock.</p>`
  : html`<ol class="due-list" data-testid="clock-upcoming-list">${view.upcoming.map(
      (item) => html`<li data-testid="clock-upcoming-item" data-at="${item.at}"><span class="due-when">in ${formatSpan(Math.max(0, item.at - view.now))}</span> <a href="${item.href}">${item.text}</a> <span class="muted">${formatTime(item.at)}</span></li>`,
    )}</ol>${when(view.upcomingTotal > view.upcoming.length, () => html`<p class="hint">and ${view.upcomingTotal - view.upcoming.length} more.</p>`)}`}
</section>`;
}

function stateText(view: ClockPageView): string {
  if (!view.frozen) return view.ownClock ? 'running (its own clock)' : 'running (the global clock)';
  if (view.ownFrozen) return 'frozen: moves only when advanced';
  return view.ownClock ? 'frozen: it moves with the global clock, which is frozen' : 'frozen (the global clock is frozen)';
}

export function renderConsoleClock(view: ClockPageView): string {
  const body = html`<div class="page-head" data-testid="page-head"><h1>Clock</h1>
<p class="muted">Your key's virtual clock drives its one-time link expiry, session timeouts, analysis durations and webhook retries. A move runs everything of your key that falls due on the way, in order, and says what ran.</p></div>
<p class="notice info" role="note" data-testid="clock-scope">${view.ownClock
    ? html`<strong>Your key has a clock of its own.</strong> Moves here change your key's time only: other keys, other pipelines, are not touched. It moves with the global clock too (a move of <code>/__mock/clock</code> without <code>api_key</code>), unless frozen; <strong>Reset</strong> puts your key back on the global clock.`
    : html`<strong>Your key follows the emulator's global clock</strong> until you move its clock here: then it has a clock of its own, and your moves change your key's time only, never another key's.`}</p>
${consoleNotice(view.notice)}${consoleError(view.formError)}
<section class="card" aria-labelledby="h-clock" data-testid="clock-card"><h2 id="h-clock">Your key's clock</h2>
<dl class="facts wide" data-testid="clock-facts"><dt>Now</dt><dd data-testid="clock-now" data-now="${view.now}">${formatTime(view.now)}</dd>
<dt>State</dt><dd data-testid="clock-state" data-frozen="${view.frozen}" data-own-clock="${view.ownClock}">${stateText(view)}</dd>
<dt>Offset</dt><dd data-testid="clock-offset" data-offset-ms="${Math.round(view.offsetMs)}">${formatOffset(view.offsetMs)}</dd>
${when(view.ownClock, () => html`<dt>From the global clock</dt><dd data-testid="clock-offset-global" data-offset-ms="${Math.round(view.offsetFromGlobalMs)}">${formatOffsetFrom(view.offsetFromGlobalMs)}</dd>`)}</dl></section>
<div class="columns">${moves(view)}${upcoming(view)}</div>`;
  return layout({ title: 'Clock', page: 'clock', nav: 'clock', signedIn: view.signedIn, body });
}

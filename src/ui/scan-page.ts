// The scan UI page: every step is a server-rendered section; the one small script (assets/scan.js)
// shows one at a time, talks to the UI API under /v3/scan/ui/<id>/ and exposes the step as data-step.
import type { FrameMessage } from '../core/frame-message.js';
import type { LivenessAction } from '../schemas/common.js';
import { html, SafeHtml, withCode } from './html.js';
import { actionPrompt, format, stringsFor, type UiStrings } from './strings.js';

export type PageStep = 'start' | 'document-front' | 'document-back' | 'face-align' | 'face-action' | 'analyzing' | 'done' | 'mobile' | 'mobile-done';

/**
 * How a phone reaches the hand-off link (see http/phone-reach.ts): through PUBLIC_URL, the desktop's
 * own host, this computer's LAN addresses, or not at all (`loopback`: the page says how to fix that).
 */
export type MobileReachView =
  | { kind: 'public_url' | 'request_host' | 'lan' }
  | { kind: 'loopback'; reason: 'listens_on_loopback' | 'in_container' | 'no_lan_address'; desktopHost: string; listeningHost: string; port: number };

export interface ScanPageView {
  sessionId: string;
  flow: string;
  status: string;
  role: 'desktop' | 'mobile';
  locale: string;
  relayState: string;
  action: LivenessAction | null;
  captureSteps: string[];
  initialStep: PageStep;
  mobileFlow: boolean;
  /** The desktop's mobile step only: how a phone reaches the link. */
  mobileReach: MobileReachView | null;
  testMode: boolean;
  outcomes: { name: string; description: string }[];
  currentOutcome: { name: string; rule: string };
  samples: string[];
  samplesBase: string;
  /** Set when the session has already ended: where the done step sends the browser. */
  redirect: string | null;
  /** The origins the page may post its frame message to (none: it posts nothing), and the message when already ended. */
  frame: { targets: string[]; message: FrameMessage | null };
  cssUrls: string[];
  assets: { script: string; style: string };
  apiBase: string;
}

/** JSON safe inside a <script type="application/json"> block: nothing can close the element. */
export function scriptJson(value: unknown): SafeHtml {
  return new SafeHtml(
    JSON.stringify(value)
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029'),
  );
}

export function pageShell(s: UiStrings, head: SafeHtml, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="${s.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,"><title>${s.title}</title>${head}</head>
<body>${body}</body></html>`.value;
}

function section(name: PageStep, initial: PageStep, content: SafeHtml): SafeHtml {
  return html`<section class="step" data-testid="step-${name}" data-step-name="${name}" aria-labelledby="h-${name}"${new SafeHtml(name === initial ? '' : ' hidden')}>${content}</section>`;
}

/** Visual cue for each liveness action; FollowText gets text that moves for the eyes to follow. */
function actionCue(action: LivenessAction, s: UiStrings): SafeHtml {
  if (action === 'FollowText') {
    return html`<div class="cue cue-follow" data-testid="action-cue" data-cue="FollowText" aria-hidden="true"><span class="follow-text">${s.followText}</span></div>`;
  }
  const symbols: Record<Exclude<LivenessAction, 'FollowText'>, string> = {
    HeadLeft: '←',
    HeadRight: '→',
    HeadUp: '↑',
    HeadDown: '↓',
    MoveTowardsCamera: '⤢',
    MoveAwayFromCamera: '⤡',
    BlinkEyes: '◉',
    Smile: '☺',
  };
  return html`<div class="cue cue-${action}" data-testid="action-cue" data-cue="${action}" aria-hidden="true"><span class="cue-symbol">${symbols[action]}</span></div>`;
}

function documentStep(name: 'document-front' | 'document-back', view: ScanPageView, s: UiStrings): SafeHtml {
  const heading = name === 'document-front' ? s.documentFrontHeading : s.documentBackHeading;
  return section(
    name,
    view.initialStep,
    html`<p class="counter" data-counter></p><h1 id="h-${name}" tabindex="-1">${heading}</h1><p class="hint">${s.documentHint}</p><div class="slot" data-capture-slot></div>`,
  );
}

/** The camera viewfinder, capture button, upload input and test samples: one set, moved into the active step. */
function captureWidget(view: ScanPageView, s: UiStrings): SafeHtml {
  const samples =
    view.testMode && view.samples.length > 0
      ? html`<fieldset class="samples" data-testid="samples"><legend>${s.samplesHeading}</legend>${view.samples.map(
          (name) => html`<button type="button" class="secondary sample" data-testid="sample-${name}" data-sample="${name}">${name}</button>`,
        )}</fieldset>`
      : html``;
  return html`<div class="capture" id="capture" data-testid="capture">
<div class="viewfinder" id="viewfinder" data-testid="camera" hidden><video id="video" data-testid="camera-preview" playsinline muted autoplay></video><div class="guide" aria-hidden="true"></div><div class="cue-slot" data-cue-slot></div></div>
<p class="notice" id="camera-notice" data-testid="camera-notice" role="status"></p>
<div class="doc-controls" id="doc-controls">
<button type="button" class="primary" id="camera-capture" data-testid="camera-capture" hidden>${s.capture}</button>
<div class="upload"><label for="file-input">${s.uploadLabel} <span class="muted">(${s.uploadHint})</span></label>
<input type="file" id="file-input" data-testid="file-input" accept="image/*"></div>
${samples}</div></div>`;
}

function testerPanel(view: ScanPageView, s: UiStrings): SafeHtml {
  if (!view.testMode) return html``;
  return html`<details class="tester" data-testid="tester-panel"><summary data-testid="tester-toggle">${s.testerHeading}</summary>
<div class="tester-body">
<label for="tester-outcome">${s.testerOutcome}</label>
<div class="row"><select id="tester-outcome" data-testid="tester-outcome">${view.outcomes.map(
    (o) => html`<option value="${o.name}" title="${o.description}"${new SafeHtml(o.name === view.currentOutcome.name ? ' selected' : '')}>${o.name}</option>`,
  )}</select><button type="button" class="secondary" data-testid="tester-apply" id="tester-apply">${s.testerApply}</button></div>
<div class="row"><button type="button" class="secondary" data-testid="tester-camera-denied" id="tester-camera-denied">${s.testerCameraDenied}</button>
<button type="button" class="secondary" data-testid="tester-analysis-error" id="tester-analysis-error">${s.testerAnalysisError}</button></div>
<p id="tester-message" data-testid="tester-message" role="status"></p>
<dl><dt>${s.testerRelayState}</dt><dd><code data-testid="tester-relay-state">${view.relayState}</code></dd>
<dt>${s.testerAction}</dt><dd><code data-testid="tester-action">${view.action ?? '—'}</code></dd>
<dt>outcome</dt><dd><code data-testid="tester-current-outcome">${view.currentOutcome.name} (${view.currentOutcome.rule})</code></dd></dl>
</div></details>`;
}

/** Under the phone link: why a phone cannot open it and how to change that, or which address it uses. */
function mobileReachNote(reach: MobileReachView | null, s: UiStrings): SafeHtml {
  if (!reach) return html``;
  if (reach.kind === 'loopback') {
    const why = { listens_on_loopback: s.mobileListensOnLoopback, in_container: s.mobileInContainer, no_lan_address: s.mobileNoLanAddress };
    const text = format(why[reach.reason], {
      desktopHost: reach.desktopHost,
      listeningHost: reach.listeningHost,
      port: reach.port,
    });
    return html`<div class="reach-note" data-testid="mobile-reach" data-reach="loopback" data-reason="${reach.reason}"><p><strong>${s.mobileUnreachableHeading}.</strong> ${withCode(text)}</p></div>`;
  }
  if (reach.kind === 'lan') return html`<p class="muted" data-testid="mobile-reach" data-reach="lan">${withCode(s.mobileLanNote)}</p>`;
  return html`<p data-testid="mobile-reach" data-reach="${reach.kind}" hidden></p>`;
}

export function renderScanPage(view: ScanPageView): string {
  const s = stringsFor(view.locale);
  const prompt = view.action ? actionPrompt(view.locale, view.action) : '';
  const needs = view.captureSteps.some((step) => step.startsWith('document')) ? [s.needDocument] : [];
  if (view.captureSteps.includes('face-align')) needs.push(s.needFace);
  if (needs.length === 0) needs.push(s.needNothingElse);
  const config = {
    sessionId: view.sessionId,
    role: view.role,
    api: view.apiBase,
    steps: view.captureSteps,
    initialStep: view.initialStep,
    redirect: view.redirect,
    frame: view.frame,
    testMode: view.testMode,
    samplesBase: view.samplesBase,
    strings: {
      stepOf: s.stepOf,
      cameraStarting: s.cameraStarting,
      cameraUnavailable: s.cameraUnavailable,
      cameraDenied: s.cameraDenied,
      faceNoCamera: s.faceNoCamera,
      uploading: s.uploading,
      uploadFailed: s.uploadFailed,
      errorGeneric: s.errorGeneric,
      sessionEnded: s.sessionEnded,
      mobileWaiting: s.mobileWaiting,
      mobileOpened: s.mobileOpened,
      testerApplied: s.testerApplied,
      testerLocked: s.testerLocked,
      selfieFailed: s.selfieFailed,
      analysisFailed: s.analysisFailed,
      cancelFailed: s.cancelFailed,
      connectionRetrying: s.connectionRetrying,
      timedOut: s.timedOut,
      networkError: s.networkError,
      badAnswer: s.badAnswer,
      sessionGone: s.sessionGone,
      accessLost: s.accessLost,
    },
  };

  const steps = [
    section(
      'start',
      view.initialStep,
      html`<h1 id="h-start" tabindex="-1">${s.startHeading}</h1><p>${s.startIntro}</p><ul class="needs">${needs.map((n) => html`<li>${n}</li>`)}</ul>
<div class="choices"><button type="button" class="primary" data-testid="start-browser" id="start-browser">${s.startBrowser}</button>
${view.mobileFlow ? html`<button type="button" class="secondary" data-testid="start-mobile" id="start-mobile" aria-describedby="mobile-hint">${s.startMobile}</button><p class="muted" id="mobile-hint">${s.startMobileHint}</p>` : html``}</div>`,
    ),
    view.captureSteps.includes('document-front') ? documentStep('document-front', view, s) : html``,
    view.captureSteps.includes('document-back') ? documentStep('document-back', view, s) : html``,
    view.captureSteps.includes('face-align')
      ? section(
          'face-align',
          view.initialStep,
          html`<p class="counter" data-counter></p><h1 id="h-face-align" tabindex="-1">${s.faceAlignHeading}</h1><p class="hint">${s.faceAlignHint}</p><div class="slot face" data-capture-slot></div>
<button type="button" class="primary" data-testid="face-align-continue" id="face-align-continue">${s.faceAlignContinue}</button>`,
        )
      : html``,
    view.captureSteps.includes('face-action') && view.action
      ? section(
          'face-action',
          view.initialStep,
          html`<p class="counter" data-counter></p><h1 id="h-face-action" tabindex="-1">${s.faceActionHeading}</h1>
<p class="prompt" data-testid="action-prompt" data-action="${view.action}">${prompt}</p>${actionCue(view.action, s)}<div class="slot face" data-capture-slot></div>
<button type="button" class="primary" data-testid="face-action-done" id="face-action-done">${s.faceActionDone}</button>`,
        )
      : html``,
    section(
      'analyzing',
      view.initialStep,
      html`<h1 id="h-analyzing" tabindex="-1">${s.analyzingHeading}</h1><p class="hint">${s.analyzingHint}</p>
<div class="progress" role="progressbar" aria-labelledby="h-analyzing" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0" data-testid="analyzing-progress" id="progress"><div class="bar" id="progress-bar"></div></div><div class="spinner" aria-hidden="true"></div>`,
    ),
    section(
      'done',
      view.initialStep,
      html`<h1 id="h-done" tabindex="-1">${s.doneHeading}</h1><p data-testid="done-message" id="done-message">${s.doneRedirecting}</p>
<a class="button primary" data-testid="done-continue" id="done-continue" href="${view.redirect ?? '#'}">${s.doneContinue}</a>`,
    ),
    view.role === 'desktop' && view.mobileFlow
      ? section(
          'mobile',
          view.initialStep,
          html`<h1 id="h-mobile" tabindex="-1">${s.mobileHeading}</h1><p>${s.mobileHint}</p>
<div class="qr-box"><img id="mobile-qr" data-testid="mobile-qr" alt="${s.mobileQrAlt}" width="240" height="240" hidden></div>
<p class="link-twin"><a id="mobile-link" data-testid="mobile-link" href="#"></a></p>
${mobileReachNote(view.mobileReach, s)}
<div class="more-links" id="mobile-more" data-testid="mobile-more-links" hidden><p>${s.mobileMoreLinks}</p><ul id="mobile-more-list"></ul></div>
<p id="mobile-status" data-testid="mobile-status" role="status" data-mobile="none">${s.mobileWaiting}</p>
<button type="button" class="secondary" data-testid="mobile-back" id="mobile-back">${s.mobileBack}</button>`,
        )
      : html``,
    view.role === 'mobile'
      ? section(
          'mobile-done',
          view.initialStep,
          html`<h1 id="h-mobile-done" tabindex="-1">${s.mobileDoneHeading}</h1><p data-testid="mobile-done-message" id="mobile-done-message">${s.mobileDoneHint}</p>`,
        )
      : html``,
  ];

  const head = html`<link rel="stylesheet" href="${view.assets.style}">${view.cssUrls.map((url) => html`<link rel="stylesheet" href="${url}">`)}<script src="${view.assets.script}" defer></script>`;
  const body = html`<div class="zsm" id="zsm" data-testid="scan-root" data-session-id="${view.sessionId}" data-flow="${view.flow}" data-role="${view.role}" data-status="${view.status}" data-step="${view.initialStep}"${view.action ? html` data-action="${view.action}"` : html``}>
<header class="top"><span class="brand">ZignSec</span><span class="badge">${s.emulatorBadge}</span><button type="button" class="link cancel" data-testid="cancel" id="cancel">${s.cancel}</button></header>
<main class="card">${steps}
<div class="message-row"><p class="message" id="message" data-testid="status-message" role="status" aria-live="polite"></p>
<button type="button" class="secondary" id="retry" data-testid="retry" hidden>${s.retry}</button></div>
${captureWidget(view, s)}</main>
${testerPanel(view, s)}
</div>
<script type="application/json" id="zsm-config">${scriptJson(config)}</script>`;
  return pageShell(s, head, body);
}

export interface ResultPageView {
  locale: string;
  sessionId: string;
  status: string;
  relayState: string;
  style: string;
}

/** Where the browser lands when the merchant gave no URL for this ending. */
export function renderResultPage(view: ResultPageView): string {
  const s = stringsFor(view.locale);
  return pageShell(
    s,
    html`<link rel="stylesheet" href="${view.style}">`,
    html`<div class="zsm"><header class="top"><span class="brand">ZignSec</span><span class="badge">${s.emulatorBadge}</span></header>
<main class="card" data-testid="result-page" data-status="${view.status}" data-session-id="${view.sessionId}"><h1>${s.resultHeading}</h1><p>${s.resultNoUrl}</p>
<dl><dt>${s.resultStatus}</dt><dd data-testid="result-status">${view.status}</dd><dt>${s.resultSession}</dt><dd><code>${view.sessionId}</code></dd>
<dt>${s.testerRelayState}</dt><dd><code data-testid="result-relay-state">${view.relayState}</code></dd></dl></main></div>`,
  );
}


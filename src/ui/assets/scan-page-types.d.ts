// Types of what the scan page's script (scan.js, type-checked with tsconfig.browser.json) receives: the
// configuration src/ui/scan-page.ts renders into #zsm-config, and the answers of the UI API it calls
// (src/routes/scan-ui/ui-api.ts). Kept apart so that the served script carries none of it.

export interface PageStrings {
  stepOf: string;
  cameraStarting: string;
  cameraUnavailable: string;
  cameraDenied: string;
  faceNoCamera: string;
  uploading: string;
  uploadFailed: string;
  errorGeneric: string;
  mobileWaiting: string;
  mobileOpened: string;
  testerApplied: string;
  testerLocked: string;
  selfieFailed: string;
  analysisFailed: string;
  cancelFailed: string;
  connectionRetrying: string;
  timedOut: string;
  networkError: string;
  badAnswer: string;
  sessionGone: string;
  accessLost: string;
}

export interface PageConfig {
  sessionId: string;
  role: 'desktop' | 'mobile';
  api: string;
  steps: string[];
  initialStep: string;
  redirect: string | null;
  frame: { targets: string[]; message: unknown };
  testMode: boolean;
  samplesBase: string;
  strings: PageStrings;
}

/** The session as the UI API shows it (GET state, and the answers of analysis and cancel). */
export interface UiState {
  status: string;
  analyzing: boolean;
  remaining_ms: number | null;
  duration_ms: number | null;
  mobile: 'none' | 'waiting' | 'opened';
  redirect: { url: string; kind: string } | null;
  frame_message: unknown;
}

export interface MobileLinks {
  url: string;
  qr: string;
  reach: string;
  other_urls: string[];
}

export interface TesterAnswer {
  applied: boolean;
  outcome: { name: string; rule: string };
}

/** A refused or unanswered request: `status` is the HTTP status, 0 when no answer came (network, timeout). */
export type RequestFailure = Error & { status: number };

/** What the live region says, weakest first: a stronger notice is never overwritten by a weaker one. */
export type NoticeKind = 'none' | 'info' | 'connection' | 'action' | 'lost';

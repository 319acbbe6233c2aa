// Glue between the hosted scan UI and the session service: which steps a session shows, the
// browser's view of its state, the tester panel, and the mobile hand-off links (kept here, by
// session id, because they belong to the UI rather than to the session's API contract). Every time
// here is the session's key's clock, as for the session itself.
import { urlSafeToken } from '../core/ids.js';
import type { Config } from '../config.js';
import type { KeyClocks } from '../core/clock.js';
import { ApiError } from '../http/error-catalogue.js';
import { endOfFlowMessage, type FrameMessage } from '../core/frame-message.js';
import { issueLink, openOneTimeLink, timingSafeEqualText, type LinkOpening, type LinkUse } from '../core/otp.js';
import { finalRedirect, type FinalRedirect } from '../core/redirect.js';
import { isAnalyzing, isFinal, type OneTimeLink, type Session, type UiRole } from '../core/session.js';
import type { SessionService } from './sessions.js';

export type CaptureStep = 'document-front' | 'document-back' | 'face-align' | 'face-action';
export type { UiRole };
export type MobileState = 'none' | 'waiting' | 'opened';

/** Upload sides the UI sends, and the documentType they are stored under. */
export const uploadSides = { front: 'DocumentFront', back: 'DocumentBack', selfie: 'Selfie' } as const;
export type UploadSide = keyof typeof uploadSides;

export interface UiState {
  status: Session['status'];
  analyzing: boolean;
  /** Analysis time left on the emulator's clock, and its total, for the progress bar. */
  remaining_ms: number | null;
  duration_ms: number | null;
  mobile: MobileState;
  outcome: { name: string; rule: string };
  redirect: (FinalRedirect & { kind: string }) | null;
  /** Once the session is final: what the page posts to the merchant page that frames it, before it leaves. */
  frame_message: FrameMessage | null;
}

/**
 * The capture steps of a session. Liveness sessions follow `options` (FrontSide, FrontAndBack,
 * NoDocument) and always end with the face; `/v3/scanning` sessions follow `analysis_types`
 * (document or fraud: the front; selfie: the face photo; liveness: the face photo and the action).
 */
export function captureSteps(session: Pick<Session, 'flow' | 'settings' | 'chosenAction'>): CaptureStep[] {
  const steps: CaptureStep[] = [];
  if (session.flow === 'liveness') {
    if (session.settings.options !== 'NoDocument') steps.push('document-front');
    if (session.settings.options === 'FrontAndBack') steps.push('document-back');
    steps.push('face-align', 'face-action');
    return steps;
  }
  const types = new Set(session.settings.analysis_types);
  // The fraud analysis checks the identity document, so it needs the document's front too.
  if (types.has('document') || types.has('fraud')) steps.push('document-front');
  if (types.has('selfie') || types.has('liveness')) steps.push('face-align');
  if (types.has('liveness') && session.chosenAction) steps.push('face-action');
  return steps;
}

export class ScanFlowService {
  private readonly mobileLinks = new Map<string, OneTimeLink>();
  private readonly updateListeners = new Set<(apiKey: string) => void>();

  constructor(
    private readonly sessions: SessionService,
    private readonly config: Config,
    private readonly clocks: KeyClocks,
  ) {}

  /** Told the session's key when the phone's progress changed (it opened its link): the portal's live pages follow it. */
  onUpdate(listener: (apiKey: string) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  /** Which browser holds the cookie: the desktop that opened redirect_url, or the phone that opened the mobile link. */
  roleOf(session: Session, desktopCookie: string | undefined, mobileCookie: string | undefined): UiRole | undefined {
    const desktopSecret = session.link?.cookieSecret;
    if (desktopSecret && desktopCookie && timingSafeEqualText(desktopCookie, desktopSecret)) return 'desktop';
    const mobileSecret = this.mobileLinks.get(session.id)?.cookieSecret;
    if (mobileSecret && mobileCookie && timingSafeEqualText(mobileCookie, mobileSecret)) return 'mobile';
    return undefined;
  }

  /** The session's mobile link token, issued on first request; the same link while the session lives. */
  mobileToken(session: Session): string {
    if (!session.settings.mobile_flow) throw new ApiError('SESSION_STATE', 'The mobile flow is turned off for this merchant.');
    if (isFinal(session.status)) throw new ApiError('SESSION_STATE', `The session is already ${session.status}.`);
    this.forgetGoneSessions();
    let link = this.mobileLinks.get(session.id);
    if (!link) {
      link = issueLink(urlSafeToken(22), this.clocks.now(session.apiKey), this.config.OTP_TTL);
      this.mobileLinks.set(session.id, link);
    }
    return link.token;
  }

  /** Like the desktop gate (SessionService.openLink): the first phone swaps the token for a cookie; another phone gets `used`. */
  openMobileLink(session: Session, token: string | undefined, cookie: string | undefined, use: LinkUse): LinkOpening {
    const link = this.mobileLinks.get(session.id);
    if (!link) return { ok: false, reason: 'invalid' };
    const opening = openOneTimeLink(link, token, cookie, this.clocks.now(session.apiKey), use);
    if (opening.cookieSecret !== undefined) for (const listener of this.updateListeners) listener(session.apiKey);
    return opening;
  }

  mobileState(session: Session): MobileState {
    const link = this.mobileLinks.get(session.id);
    if (!link) return 'none';
    return link.usedAt === null ? 'waiting' : 'opened';
  }

  redirectOf(session: Session, resultPage: string): (FinalRedirect & { kind: string }) | null {
    if (!isFinal(session.status)) return null;
    const kind = session.findings?.redirect ?? (session.status === 'Accepted' ? 'target' : session.status === 'Cancelled' ? 'cancel_url' : 'target_error');
    return { ...finalRedirect(session.settings, kind, session.id, resultPage, this.sessions.fixtures.wire.redirect), kind };
  }

  state(session: Session, resultPage: string): UiState {
    const now = this.clocks.now(session.apiKey);
    const due = session.analysisDueAt;
    const preset = this.sessions.fixtures.outcomes.get(session.outcome.name);
    return {
      status: session.status,
      analyzing: isAnalyzing(session),
      remaining_ms: due === null ? null : Math.max(0, due - now),
      duration_ms: preset ? preset.analysis_duration_ms : null,
      mobile: this.mobileState(session),
      outcome: { ...session.outcome },
      redirect: this.redirectOf(session, resultPage),
      frame_message: this.frameMessageOf(session),
    };
  }

  frameMessageOf(session: Session): FrameMessage | null {
    return isFinal(session.status) ? endOfFlowMessage(session, this.sessions.fixtures.wire.scan_ui.frame_message.cancelled) : null;
  }

  /** The tester panel's pick; false when a stronger rule (armed, queued, header, relay_state) already chose. */
  chooseTesterOutcome(session: Session, name: string): boolean {
    if (isFinal(session.status)) throw new ApiError('SESSION_STATE', `The session is already ${session.status}.`);
    if (session.analysisDueAt !== null) throw new ApiError('SESSION_STATE', 'The analysis has started; the outcome can no longer be changed here.');
    return this.sessions.chooseOutcome(session, name, 'tester_panel');
  }

  /** Starts the analysis once; a second request (a double click, or desktop and phone both) is harmless. */
  /**
   * The Analyzing step. The document sides the flow captures must have been uploaded; the face photo
   * may be missing (the page goes on without it when the camera is denied).
   */
  startAnalysis(session: Session): void {
    if (session.analysisDueAt !== null || isFinal(session.status)) return;
    const uploaded = new Set(session.documents.map((document) => document.documentType));
    const steps = captureSteps(session);
    const missing = [
      steps.includes('document-front') && !uploaded.has(uploadSides.front) ? 'the front of the document' : null,
      steps.includes('document-back') && !uploaded.has(uploadSides.back) ? 'the back of the document' : null,
    ].filter((side) => side !== null);
    if (missing.length > 0) throw new ApiError('INVALID_REQUEST', `Capture ${missing.join(' and ')} before the analysis starts.`);
    this.sessions.startAnalysis(session, 'scan_ui');
  }

  /** Keeps the map bounded by the session store: links of evicted or deleted sessions go. */
  private forgetGoneSessions(): void {
    for (const id of this.mobileLinks.keys()) if (!this.sessions.findById(id)) this.mobileLinks.delete(id);
  }
}

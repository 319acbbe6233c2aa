// The window.postMessage the hosted scan UI sends the page that frames it, as ZignSec documents for its
// scanning UI ("Scanning JavaScript events with postMessage"): `{ product: "SCANNING", payload: {
// sessionId, sessionStatus, relayState, errorCode, errorDetails } }`, at the end of the flow and when a
// one-time link is already used or expired. Which origins may receive it is the emulator's choice.
import type { SessionStatus } from './vocabulary.js';
import type { Session } from './session.js';

export interface FrameMessagePayload {
  sessionId: string;
  /** A session status; `OperatorRequired` only in the documented link-error message. */
  sessionStatus: SessionStatus | 'OperatorRequired';
  relayState: string | null;
  errorCode: string | null;
  errorDetails: string | null;
}

export interface FrameMessage {
  product: 'SCANNING';
  payload: FrameMessagePayload;
}

/** The documented message of a reused or expired link, word for word (its example's status included). */
export const LINK_EXPIRED = { errorCode: 'LINK_EXPIRED', errorDetails: 'The link is already used or expired', sessionStatus: 'OperatorRequired' } as const;

/** What the message says of an error: a code and its text, or nulls (the documented success message). */
export interface FrameMessageError {
  errorCode: string | null;
  errorDetails: string | null;
}

/**
 * The message at the end of the flow, sent just before the browser leaves for target, target_error or
 * cancel_url. A cancel carries `cancelled` (fixtures/wire.json); an ending whose result has errors (a
 * provider failure) carries the first of them; an accepted or declined session carries none.
 */
export function endOfFlowMessage(session: Pick<Session, 'id' | 'status' | 'settings' | 'findings'>, cancelled: FrameMessageError): FrameMessage {
  const firstError = session.findings?.errors[0];
  const error: FrameMessageError =
    session.status === 'Cancelled' ? cancelled : firstError ? { errorCode: firstError.code, errorDetails: firstError.description } : { errorCode: null, errorDetails: null };
  return {
    product: 'SCANNING',
    payload: { sessionId: session.id, sessionStatus: session.status, relayState: session.settings.relay_state, errorCode: error.errorCode, errorDetails: error.errorDetails },
  };
}

/** The message of the link-error page for a used or expired link of a known session. */
export function linkExpiredMessage(session: Pick<Session, 'id' | 'settings'>): FrameMessage {
  return {
    product: 'SCANNING',
    payload: {
      sessionId: session.id,
      sessionStatus: LINK_EXPIRED.sessionStatus,
      relayState: session.settings.relay_state,
      errorCode: LINK_EXPIRED.errorCode,
      errorDetails: LINK_EXPIRED.errorDetails,
    },
  };
}

/**
 * The origins the message is posted to. The merchant's page that frames the UI is not known to the
 * emulator; its own URLs are: `merchant_urls` posts to each distinct origin of target, target_error and
 * cancel_url (none given: no message), so the relay state and status reach the merchant's sites only,
 * never a stranger's page that frames a forwarded link. `any` posts to "*".
 */
export function frameMessageTargets(settings: Pick<Session['settings'], 'target' | 'target_error' | 'cancel_url'>, mode: 'merchant_urls' | 'any'): string[] {
  if (mode === 'any') return ['*'];
  const origins = new Set<string>();
  for (const url of [settings.target, settings.target_error, settings.cancel_url]) {
    if (!url) continue;
    try {
      const parsed = new URL(url);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') origins.add(parsed.origin);
    } catch {
      // Not a URL: no origin to post to.
    }
  }
  return [...origins];
}

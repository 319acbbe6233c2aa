// Where the browser goes when a scan UI session ends (inferred: ZignSec does not document how
// relay_state and the id travel back; query parameters are the common choice, and their names are
// data: fixtures/wire.json `redirect`).
import { isHttpUrl } from './http-url.js';

/** The query parameter names appended to the merchant's URL. */
export interface ReturnParameterNames {
  relay_state_param: string;
  session_id_param: string;
}

export type RedirectKind = 'target' | 'target_error' | 'cancel_url';

export interface RedirectSettings {
  target: string;
  target_error: string;
  cancel_url: string;
  relay_state: string;
}

export interface FinalRedirect {
  /** The absolute URL the browser is sent to. */
  url: string;
  /** Which setting gave the URL; `result_page` when the merchant gave none that applies. */
  via: RedirectKind | 'result_page';
}

/** The settings tried in order for each kind: cancel falls back to target_error, everything to the result page. */
const fallbacks: Record<RedirectKind, readonly RedirectKind[]> = {
  target: ['target'],
  target_error: ['target_error'],
  cancel_url: ['cancel_url', 'target_error'],
};

/** The merchant URL with relay_state and the session id set as query parameters, its own query and fragment kept. */
export function withReturnParameters(url: string, relayState: string, sessionId: string, names: ReturnParameterNames): string {
  const parsed = new URL(url);
  parsed.searchParams.set(names.relay_state_param, relayState);
  parsed.searchParams.set(names.session_id_param, sessionId);
  return parsed.toString();
}

/**
 * The end of the flow: `kind` comes from the session's findings (target on success, target_error on
 * error, cancel_url on cancel). A missing (empty) or non-http URL falls through to the next candidate,
 * and finally to `resultPage`, which gets no parameters (it is the emulator's own page).
 */
export function finalRedirect(settings: RedirectSettings, kind: RedirectKind, sessionId: string, resultPage: string, names: ReturnParameterNames): FinalRedirect {
  for (const candidate of fallbacks[kind]) {
    const url = settings[candidate];
    if (url && isHttpUrl(url)) return { url: withReturnParameters(url, settings.relay_state, sessionId, names), via: candidate };
  }
  return { url: resultPage, via: 'result_page' };
}

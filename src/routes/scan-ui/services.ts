// What the scan UI's route modules are handed by app.ts (through the plugin's options), and the
// values every one of them derives from it: the path prefix of PUBLIC_URL and the session's URLs.
import type { Config } from '../../config.js';
import type { Session } from '../../core/session.js';
import type { MachineNetwork } from '../../http/phone-reach.js';
import type { Fixtures } from '../../services/fixtures.js';
import type { ScanFlowService } from '../../services/scan-flow.js';
import type { SessionService } from '../../services/sessions.js';
import type { SampleDocument } from './samples.js';

export interface ScanUiOptions {
  config: Config;
  fixtures: Fixtures;
  sessions: SessionService;
  scanFlow: ScanFlowService;
  /** This machine's network as the mobile hand-off sees it (tests pass a stub); the real one by default. */
  network?: Partial<MachineNetwork>;
}

/** The options, plus what is worked out once per plugin. */
export interface ScanUiServices extends Omit<ScanUiOptions, 'network'> {
  /** What PUBLIC_URL puts in front of every path a page hands the browser (see publicPathPrefix). */
  prefix: string;
  network: MachineNetwork;
  /** TEST_MODE's sample documents by name (samples.ts). */
  samples: Map<string, SampleDocument>;
}

/**
 * The path PUBLIC_URL puts in front of the emulator's own paths (`/zignsec` for
 * `https://proxy.example/zignsec`), or ''. A proxy that strips it serves the emulator there, so
 * every path a page hands the browser (assets, its API, the cookie's Path) starts with it.
 */
export function publicPathPrefix(publicUrl: string | undefined): string {
  return publicUrl ? new URL(publicUrl).pathname.replace(/\/+$/, '') : '';
}

/** The result page of a session, when the merchant gave no URL to return to. */
export const resultPageOf = (services: ScanUiServices, session: Session) => `${services.prefix}/v3/scan/ui/${session.id}/result`;

// The composition root: the one place every service of an emulator is built and wired to the others
// (clocks, fixtures, merchants, sessions, the scan flow, journal, faults, webhooks, due work and the
// change feed). app.ts hands the result to Fastify as the typed `emulator` decoration declared here,
// below the routes, so route modules read their services from it without importing the app.
import type { Config } from './config.js';
import { AdjustableClock, KeyClocks } from './core/clock.js';
import { ChangeFeed, type ChangeFeedLimits } from './services/change-feed.js';
import { DueWorkScheduler } from './services/due-work.js';
import { FaultInjector } from './services/faults.js';
import { loadFixtures, type Fixtures } from './services/fixtures.js';
import { RequestJournal } from './services/journal.js';
import { MerchantRegistry } from './services/merchants.js';
import { ScanFlowService } from './services/scan-flow.js';
import { SessionService } from './services/sessions.js';
import { ShutdownRegistry } from './services/shutdown.js';
import { WebhookDispatcher } from './services/webhooks.js';

export interface Emulator {
  config: Config;
  /** The shared clock: every key's, unless the key moved a clock of its own. */
  clock: AdjustableClock;
  /** Every key's domain time: the shared clock, or the key's own. */
  clocks: KeyClocks;
  fixtures: Fixtures;
  sessions: SessionService;
  /** The hosted scan UI's side of a session: its steps, the phone link and how far the phone got. */
  scanFlow: ScanFlowService;
  merchants: MerchantRegistry;
  journal: RequestJournal;
  faults: FaultInjector;
  webhooks: WebhookDispatcher;
  dueWork: DueWorkScheduler;
  /** Which key's data changed, for the portal's live pages. */
  changes: ChangeFeed;
  /** Set once shutdown has begun: every request from then on is refused with 503 (services/shutdown.ts). */
  shuttingDown: boolean;
  /** What holds a connection open until it ends (long polls, event streams): ended at shutdown. */
  endAtShutdown: ShutdownRegistry;
  startedAt: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    emulator: Emulator;
  }
}

export interface EmulatorOptions {
  /** A clock to share with the test (defaults to a fresh real-time clock). */
  clock?: AdjustableClock;
  /** Bounds of the portal's change feed (tests make them small); defaults otherwise. */
  changeFeed?: Partial<ChangeFeedLimits>;
  /** Real time one clock advance's window may take (ADVANCE_BUDGET_MS, 60 s): tests cut it short sooner. */
  advanceBudgetMs?: number;
}

/** Where the services write what goes wrong in the background (a webhook that failed, due work that threw). */
export interface ServiceLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Builds every service of one emulator; nothing here listens, and nothing is shared with another emulator. */
export function buildEmulator(config: Config, log: ServiceLog, options: EmulatorOptions = {}): Emulator {
  const fixtures = loadFixtures(config);
  const clock = options.clock ?? new AdjustableClock();
  const clocks = new KeyClocks(clock);
  const merchants = new MerchantRegistry(config, fixtures.merchants);
  const sessions = new SessionService(config, fixtures, clocks, merchants);
  const scanFlow = new ScanFlowService(sessions, config, clocks);
  const journal = new RequestJournal(config.JOURNAL_SIZE, (sessionId) => sessions.ownerOf(sessionId));
  const faults = new FaultInjector();
  const webhooks = new WebhookDispatcher(config, sessions, clocks, log);
  const dueWork = new DueWorkScheduler(clocks, log, options.advanceBudgetMs);
  dueWork.add(sessions);
  dueWork.add(webhooks);
  const changes = new ChangeFeed(options.changeFeed);
  const tellFeed = (apiKey: string | undefined) => changes.notify(apiKey);
  sessions.onUpdate(tellFeed);
  scanFlow.onUpdate(tellFeed);
  journal.onUpdate(tellFeed);
  webhooks.onUpdate(tellFeed);
  return {
    config,
    clock,
    clocks,
    fixtures,
    sessions,
    scanFlow,
    merchants,
    journal,
    faults,
    webhooks,
    dueWork,
    changes,
    shuttingDown: false,
    endAtShutdown: new ShutdownRegistry(),
    startedAt: Date.now(),
  };
}

// The clock a journey reads and moves: its own key's, so journeys never disturb each other or other
// users of a shared emulator. In integrator mode the sessions belong to the app's key, which the runner
// does not know: the clock is then that of the key owning the journey's latest session.
import type { JourneyClock } from '../../scenarios/journey.js';
import type { AdminClient, ClockScope, OutcomeSummary, SessionView } from '../admin-client.js';
import { eventWords } from '../core/session.js';
import { isFinal } from '../core/vocabulary.js';


export interface JourneyClockSetup {
  mode: 'emulator' | 'integrator';
  admin: AdminClient;
  outcomes: ReadonlyMap<string, OutcomeSummary>;
  apiKey: string;
  /** The sessions the journey has seen so far, oldest first. */
  sessionIds: ReadonlySet<string>;
  wait: (check: () => Promise<SessionView | undefined>, what: string) => Promise<SessionView>;
}

/** The journey's clock, and whether the journey moved its own key's clock (reset when it ends). */
export function journeyClock(setup: JourneyClockSetup): { clock: JourneyClock; movedOwnClock: () => boolean } {
  const { admin, apiKey } = setup;
  let movedOwnClock = false;
  const clockScope = (sessionId?: string): ClockScope => {
    const session = sessionId ?? [...setup.sessionIds].at(-1);
    return setup.mode === 'integrator' && session !== undefined ? { session_id: session } : apiKey;
  };
  const moveClock = (by: number | string, sessionId?: string) => {
    const scope = clockScope(sessionId);
    if (scope === apiKey) movedOwnClock = true;
    return admin.clock.advance(by, scope);
  };
  const clock: JourneyClock = {
    get: () => admin.clock.get(clockScope()),
    advance: (by) => moveClock(by),
    analysisStarted: (sessionId) =>
      setup.wait(async () => {
        const view = await admin.sessions.get(sessionId);
        const started = isFinal(view.status) || Object.values(view.analyses).includes('Pending') || view.timeline.some((e) => e.event === eventWords.analysis_started);
        return started ? view : undefined;
      }, `the analysis of session ${sessionId} to start`),
    async finishAnalysis(sessionId) {
      const view = await clock.analysisStarted(sessionId);
      if (isFinal(view.status)) return;
      const preset = setup.outcomes.get(view.outcome.name);
      if (!preset) throw new Error(`the session's outcome ${view.outcome.name} is not in the emulator's catalogue`);
      if (preset.never_finishes) throw new Error(`outcome ${preset.name} never finishes: advance the clock past the session's expiry instead`);
      if (preset.analysis_duration_ms > 0) await moveClock(preset.analysis_duration_ms, sessionId);
    },
  };
  return { clock, movedOwnClock: () => movedOwnClock };
}

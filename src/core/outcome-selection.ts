// Which outcome preset a session ends with: the first rule that gives a name wins.
import { outcomeRules, type OutcomeChoice, type OutcomeRule } from './session.js';

export type OutcomeCandidates = Partial<Record<OutcomeRule, string | null | undefined>>;

/** Shared by every session nothing chose an outcome for (choices are never changed in place). */
const DEFAULT_CHOICE: OutcomeChoice = Object.freeze({ name: 'approved', rule: 'default' });

export function selectOutcome(candidates: OutcomeCandidates): OutcomeChoice {
  for (const rule of outcomeRules) {
    const name = candidates[rule];
    if (name) return { name, rule };
  }
  return DEFAULT_CHOICE;
}

/** True when a choice made by `rule` may replace the current one (a higher rule is never overridden). */
export function outranks(rule: OutcomeRule, current: OutcomeRule): boolean {
  return outcomeRules.indexOf(rule) <= outcomeRules.indexOf(current);
}

const relayStateMarker = /(?:^|[&;,\s|])mock_outcome=([^&;,\s|]*)/;

/**
 * The documented magic in relay_state: `mock_outcome=<preset>`, alone or among other `&`-separated
 * values. Whatever follows the marker is returned, so that a misspelt or empty name is refused with
 * the list of valid ones instead of being passed over.
 */
export function outcomeFromRelayState(relayState: string | null | undefined): string | undefined {
  if (!relayState) return undefined;
  return relayStateMarker.exec(relayState)?.[1];
}

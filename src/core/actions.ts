// Which liveness action a session asks for.
import { livenessActions, type ActionChoice, type LivenessAction } from './vocabulary.js';
import { pick, type Random } from './random.js';

/**
 * A fixed action is used as given; `Random` picks from `available` (the request's
 * available_actions, else the merchant's), or from every action when that list is empty.
 */
export function chooseAction(choice: ActionChoice, available: readonly LivenessAction[], random: Random): LivenessAction {
  if (choice !== 'Random') return choice;
  const candidates = available.length > 0 ? available : livenessActions;
  return pick(random, candidates);
}

// Outcome preset action_not_performed, chosen in the tester panel.
import { outcomeJourney } from './support/families.js';

export default outcomeJourney('action_not_performed', 'action_not_performed: the requested action was not seen; Declined with a declined liveness analysis and reason ActionNotPerformed.');

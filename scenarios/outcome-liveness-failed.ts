// Outcome preset liveness_failed, chosen in the tester panel.
import { outcomeJourney } from './support/families.js';

export default outcomeJourney('liveness_failed', 'liveness_failed: a presentation attack is detected; Declined with a declined liveness analysis, the browser still goes to target.');

// Outcome preset approved, chosen in the tester panel.
import { outcomeJourney } from './support/families.js';

export default outcomeJourney('approved', 'approved: every analysis passes, the browser goes to target, the result and the webhook say Accepted.', ['smoke']);

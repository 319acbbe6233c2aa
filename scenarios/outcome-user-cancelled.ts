// Outcome preset user_cancelled, chosen in the tester panel.
import { outcomeJourney } from './support/families.js';

export default outcomeJourney('user_cancelled', 'user_cancelled: the analysis ends Cancelled and the browser goes to cancel_url.');

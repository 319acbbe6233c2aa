// Outcome preset provider_error, chosen in the tester panel.
import { outcomeJourney } from './support/families.js';

export default outcomeJourney('provider_error', 'provider_error: the analysis provider fails; Failed with an Internal Exception, the browser goes to target_error.');

// The Smile liveness action, end to end.
import { actionJourney } from './support/families.js';

export default actionJourney('Smile');

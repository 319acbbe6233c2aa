// Outcome preset face_mismatch, chosen in the tester panel.
import { outcomeJourney } from './support/families.js';

export default outcomeJourney('face_mismatch', "face_mismatch: the face is not the document's; Declined with a declined face match.");

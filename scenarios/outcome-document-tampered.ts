// Outcome preset document_tampered, chosen in the tester panel.
import { outcomeJourney } from './support/families.js';

export default outcomeJourney('document_tampered', 'document_tampered: the document was edited; Declined with its tampered fields listed.');

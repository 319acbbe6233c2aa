// Outcome preset document_expired, chosen in the tester panel.
import { outcomeJourney } from './support/families.js';

export default outcomeJourney('document_expired', 'document_expired: the document has expired; Declined, Expiry_Date among the failed fields.');

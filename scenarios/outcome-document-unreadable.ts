// Outcome preset document_unreadable, chosen in the tester panel.
import { outcomeJourney } from './support/families.js';

export default outcomeJourney('document_unreadable', 'document_unreadable: the document cannot be read; Declined, no identity, failed face match.');

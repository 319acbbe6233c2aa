// A session that times out does so at its deadline (created + SESSION_TTL), whenever the clock is
// next looked at: the result and timeline must not depend on when the emulator noticed.
import t from 'tap';
import { expireIfDue, NO_DOCUMENTS, timelineOf, type Session } from '../../src/core/session.js';

const CREATED = Date.UTC(2026, 0, 15, 9, 0, 0);
const TTL = 30 * 60_000;

function waitingSession(): Session {
  return {
    id: '00000000-0000-4000-8000-00000000000c',
    apiKey: 'k',
    flow: 'liveness',
    sequence: 1,
    providerFolderId: null,
    analysisId: null,
    status: 'Pending',
    createdAt: CREATED,
    updatedAt: CREATED + 1000,
    finishedAt: null,
    expiresAt: CREATED + TTL,
    requestJson: '{}',
    settings: {} as Session['settings'],
    chosenAction: 'Smile',
    analyses: { document: 'Pending', liveness: 'Pending', face_match: 'Pending', fraud: 'NotRequested' },
    documents: NO_DOCUMENTS,
    link: null,
    events: [],
    findings: null,
    analysisDueAt: null,
    outcome: { name: 'abandoned', rule: 'header' },
  };
}

t.test('a session is not expired before its deadline', async (t) => {
  const session = waitingSession();
  t.equal(expireIfDue(session, CREATED + TTL - 1), false);
  t.equal(session.status, 'Pending');
});

t.test(
  'a timed-out session is stamped at its deadline, not when the clock was moved past it',
  async (t) => {
    const session = waitingSession();
    t.equal(expireIfDue(session, CREATED + TTL + 6 * 3_600_000), true);
    t.equal(session.status, 'Timeout');
    t.equal(session.updatedAt, CREATED + TTL);
    t.equal(session.finishedAt, CREATED + TTL);
    t.strictSame(timelineOf(session).at(-1), { at: CREATED + TTL, status: 'Timeout', event: 'session timed out' });
    t.strictSame(session.analyses, { document: 'Cancelled', liveness: 'Cancelled', face_match: 'Cancelled', fraud: 'NotRequested' });
  },
);

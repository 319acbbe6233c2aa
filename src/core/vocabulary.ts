// The domain's words: the statuses, actions, options and analysis types a session is made of.
// The zod schemas (src/schemas) build their enums from these lists, so the wire and the core agree.

export const documentOptions = ['FrontSide', 'NoDocument', 'FrontAndBack'] as const;
export const livenessActions = [
  'HeadLeft',
  'HeadRight',
  'HeadUp',
  'HeadDown',
  'MoveTowardsCamera',
  'MoveAwayFromCamera',
  'FollowText',
  'BlinkEyes',
  'Smile',
] as const;
export const actionChoices = ['Random', ...livenessActions] as const;
/** `fraud` is not in the v3 docs' list, but a public API test of ZignSec's test environment sends it (201). */
export const analysisTypes = ['document', 'selfie', 'liveness', 'fraud'] as const;
export const sessionStatuses = [
  'Created',
  'ReadyToStart',
  'Pending',
  'Accepted',
  'Declined',
  'Failed',
  'Timeout',
  'Cancelled',
] as const;
/** The statuses a session ends in: nothing moves it on from there. */
export const finalStatuses = ['Accepted', 'Declined', 'Failed', 'Cancelled', 'Timeout'] as const;
export const analysisStatuses = ['NotRequested', 'Requested', 'Pending', 'Accepted', 'Declined', 'Failed', 'Cancelled'] as const;

export type DocumentOption = (typeof documentOptions)[number];
export type LivenessAction = (typeof livenessActions)[number];
export type ActionChoice = (typeof actionChoices)[number];
export type AnalysisType = (typeof analysisTypes)[number];
export type SessionStatus = (typeof sessionStatuses)[number];
export type FinalStatus = (typeof finalStatuses)[number];
export type AnalysisStatus = (typeof analysisStatuses)[number];

const finalStatusSet: ReadonlySet<string> = new Set(finalStatuses);

/** Whether a session in `status` has ended (accepts any text, as pages and clients read statuses from the wire). */
export function isFinal(status: string): status is FinalStatus {
  return finalStatusSet.has(status);
}

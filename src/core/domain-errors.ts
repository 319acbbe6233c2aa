// The ways a domain rule can refuse: kinds, not HTTP statuses. The edge (src/http/errors.ts) maps
// each kind to its ZignSec error code and status.

export const domainErrorKinds = [
  /** The session's status does not allow the move asked for (a finished session cannot start again). */
  'illegal-transition',
] as const;
export type DomainErrorKind = (typeof domainErrorKinds)[number];

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

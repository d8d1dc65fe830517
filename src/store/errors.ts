/**
 * Typed store failures. Implementations throw these (never driver errors for
 * expected conditions) so the domain can map them to the error registry once.
 */
export type StoreErrorKind =
  | 'username_taken'
  | 'not_member'
  | 'conversation_not_found'
  | 'member_limit'
  | 'already_member'
  | 'quota_exceeded'
  /** A channel's only admin may not leave or step down. */
  | 'last_admin';

export class StoreError extends Error {
  readonly kind: StoreErrorKind;
  constructor(kind: StoreErrorKind, message?: string) {
    super(message ?? kind);
    this.name = 'StoreError';
    this.kind = kind;
  }
}

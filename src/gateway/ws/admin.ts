/**
 * The admin frames (`admin:subscribe`, `admin:unsubscribe`). The gateway only
 * routes them here; what they do lives in src/admin/ (the stats sampler).
 */
import { ChatError } from '../../protocol/errors.js';
import type { RealtimeDeps } from './gateway.js';
import type { Session } from './session.js';

export interface AdminFrameHandler {
  /** Answers admin:subscribed (or throws `forbidden` for non-admins), then admin:stats every interval. */
  subscribe(session: Session, ref: string | undefined): Promise<void>;
  unsubscribe(session: Session): void;
}

/** A node assembled without the admin module refuses the frames as it would a non-admin. */
const REFUSING: AdminFrameHandler = {
  subscribe: async () => {
    throw new ChatError('forbidden', 'admins only');
  },
  unsubscribe: () => {},
};

export function adminFrames(deps: RealtimeDeps): AdminFrameHandler {
  return deps.admin ?? REFUSING;
}

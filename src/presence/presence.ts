/**
 * Who is online. The real-time gateway reports connections, heartbeats and
 * status changes; readers ask for a user's current status and last activity.
 * Implementations: memory.ts (one node), and a shared one for several nodes.
 */
import type { PresenceStatus } from '../protocol/dto.js';

export interface PresenceSnapshot {
  status: PresenceStatus;
  /** Time of the last activity; null if never seen. */
  lastSeen: string | null;
}

export interface PresenceReader {
  get(userId: string): Promise<PresenceSnapshot>;
}

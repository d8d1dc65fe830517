/**
 * Users per presence status, kept from the tracker's change events (which
 * every node hears, for every user): O(1) per change, nothing read at scrape.
 * Users already online when this node started are counted from their next change.
 */
import type { PresenceTracker } from '../presence/presence.js';

export class PresenceCounts {
  private readonly statuses = new Map<string, string>();
  private readonly stop: () => void;

  constructor(presence: PresenceTracker) {
    this.stop = presence.onChange((userId, snapshot) => {
      if (snapshot.status === 'offline') this.statuses.delete(userId);
      else this.statuses.set(userId, snapshot.status);
    });
  }

  counts(): Record<string, number> {
    const counts: Record<string, number> = { online: 0, idle: 0 };
    for (const status of this.statuses.values()) counts[status] = (counts[status] ?? 0) + 1;
    return counts;
  }

  close(): void {
    this.stop();
  }
}

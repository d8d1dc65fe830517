/** Presence kept in this process: exact for one node, which is the embedded mode. */
import type { PresenceReader, PresenceSnapshot } from './presence.js';

const OFFLINE: PresenceSnapshot = { status: 'offline', lastSeen: null };

export class MemoryPresence implements PresenceReader {
  private readonly snapshots = new Map<string, PresenceSnapshot>();

  async get(userId: string): Promise<PresenceSnapshot> {
    return this.snapshots.get(userId) ?? OFFLINE;
  }

  set(userId: string, snapshot: PresenceSnapshot): void {
    this.snapshots.set(userId, snapshot);
  }
}

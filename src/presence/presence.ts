/**
 * Who is online. The gateway reports each connection's life (open, heartbeat,
 * activity, idle, close); readers ask for a user's status and last activity;
 * listeners hear when a user's status changes, on every node. Implementations:
 * memory.ts (one node) and redis.ts (several nodes sharing Redis).
 *
 * Rules: online while any connection is open and heartbeating; idle when every
 * connection is idle (said so, or no activity for `idleAfterMs`); offline at
 * once when the last connection closes cleanly, or `offlineAfterMs` after the
 * last heartbeat when it was lost (or its node died). lastSeen is the time of
 * the last activity. contract.ts checks these rules for every implementation.
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

export type PresenceListener = (userId: string, snapshot: PresenceSnapshot) => void;

export interface PresenceTimings {
  /** No heartbeat for this long and a lost connection counts as gone (default 60 s). */
  offlineAfterMs: number;
  /** No activity for this long and a connection is idle (default 5 min). */
  idleAfterMs: number;
}

export interface PresenceTracker extends PresenceReader {
  /** Resolves once the connection counts everywhere (routing between nodes finds it). */
  connect(userId: string, connectionId: string): Promise<void>;
  /** A ping: the connection is alive (not activity: it does not end idleness). */
  heartbeat(userId: string, connectionId: string): void;
  /** The user did something (sent, typed, read): online, lastSeen now. */
  activity(userId: string, connectionId: string): void;
  /** presence:set from the client. */
  setStatus(userId: string, connectionId: string, status: 'online' | 'idle'): void;
  /** clean: closed by either side on purpose; otherwise lost (offline only after the heartbeat timeout). */
  disconnect(userId: string, connectionId: string, clean: boolean): void;
  /** Hears every status change of any user, wherever its connections are. */
  onChange(listener: PresenceListener): () => void;
  /** Stops timers and listeners. */
  close(): Promise<void>;
}

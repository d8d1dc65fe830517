/** Presence kept in this process: exact for one node, which is the embedded mode. */
import type { PresenceStatus } from '../protocol/dto.js';
import type { PresenceListener, PresenceSnapshot, PresenceTimings, PresenceTracker } from './presence.js';

interface ConnectionState {
  lastHeartbeat: number;
  lastActivity: number;
  saidIdle: boolean;
  /** Set once the socket is gone; the connection counts until the heartbeat timeout. */
  lostAt: number | null;
}

interface UserState {
  connections: Map<string, ConnectionState>;
  lastSeen: number | null;
  status: PresenceStatus;
  timer: NodeJS.Timeout | null;
}

export const DEFAULT_PRESENCE_TIMINGS: PresenceTimings = { offlineAfterMs: 60_000, idleAfterMs: 5 * 60_000 };

export class MemoryPresence implements PresenceTracker {
  private readonly users = new Map<string, UserState>();
  private readonly listeners = new Set<PresenceListener>();

  constructor(
    private readonly timings: PresenceTimings = DEFAULT_PRESENCE_TIMINGS,
    private readonly clock: () => number = Date.now,
  ) {}

  async get(userId: string): Promise<PresenceSnapshot> {
    const state = this.users.get(userId);
    return state ? this.snapshot(state) : { status: 'offline', lastSeen: null };
  }

  async connect(userId: string, connectionId: string): Promise<void> {
    const now = this.clock();
    const state = this.user(userId);
    state.connections.set(connectionId, { lastHeartbeat: now, lastActivity: now, saidIdle: false, lostAt: null });
    state.lastSeen = now;
    this.update(userId, state);
  }

  heartbeat(userId: string, connectionId: string): void {
    const connection = this.users.get(userId)?.connections.get(connectionId);
    if (connection) connection.lastHeartbeat = this.clock();
  }

  activity(userId: string, connectionId: string): void {
    const state = this.users.get(userId);
    const connection = state?.connections.get(connectionId);
    if (!state || !connection) return;
    const now = this.clock();
    connection.lastActivity = now;
    connection.lastHeartbeat = now;
    connection.saidIdle = false;
    state.lastSeen = now;
    this.update(userId, state);
  }

  setStatus(userId: string, connectionId: string, status: 'online' | 'idle'): void {
    const state = this.users.get(userId);
    const connection = state?.connections.get(connectionId);
    if (!state || !connection) return;
    if (status === 'online') {
      this.activity(userId, connectionId);
      return;
    }
    connection.saidIdle = true;
    connection.lastHeartbeat = this.clock();
    this.update(userId, state);
  }

  disconnect(userId: string, connectionId: string, clean: boolean): void {
    const state = this.users.get(userId);
    const connection = state?.connections.get(connectionId);
    if (!state || !connection) return;
    if (clean) state.connections.delete(connectionId);
    else connection.lostAt = this.clock();
    this.update(userId, state);
  }

  onChange(listener: PresenceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    for (const state of this.users.values()) if (state.timer) clearTimeout(state.timer);
    this.users.clear();
    this.listeners.clear();
  }

  private user(userId: string): UserState {
    let state = this.users.get(userId);
    if (!state) {
      state = { connections: new Map(), lastSeen: null, status: 'offline', timer: null };
      this.users.set(userId, state);
    }
    return state;
  }

  /** Drops expired connections, recomputes the status, tells listeners, and schedules the next check. */
  private update(userId: string, state: UserState): void {
    const now = this.clock();
    const { offlineAfterMs, idleAfterMs } = this.timings;
    let anyOnline = false;
    let nextCheck = Number.POSITIVE_INFINITY;
    for (const [id, connection] of state.connections) {
      const expiresAt = connection.lastHeartbeat + offlineAfterMs;
      if (connection.lostAt !== null && expiresAt <= now) {
        state.connections.delete(id);
        continue;
      }
      if (connection.lostAt !== null) nextCheck = Math.min(nextCheck, expiresAt);
      const idleAt = connection.lastActivity + idleAfterMs;
      if (!connection.saidIdle && idleAt > now) {
        anyOnline = true;
        nextCheck = Math.min(nextCheck, idleAt);
      }
    }
    const status: PresenceStatus = state.connections.size === 0 ? 'offline' : anyOnline ? 'online' : 'idle';
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
    if (Number.isFinite(nextCheck)) {
      state.timer = setTimeout(() => this.update(userId, state), Math.max(0, nextCheck - now) + 1);
      state.timer.unref();
    }
    if (status !== state.status) {
      state.status = status;
      const snapshot = this.snapshot(state);
      for (const listener of this.listeners) listener(userId, snapshot);
    }
  }

  private snapshot(state: UserState): PresenceSnapshot {
    return { status: state.status, lastSeen: state.lastSeen === null ? null : new Date(state.lastSeen).toISOString() };
  }
}

/**
 * What the client keeps across page reloads: its generated deviceId and the
 * unacknowledged sends. One JSON string under one key of a synchronous
 * key-value storage (`localStorage` fits as is).
 */
import type { PendingSend } from './outbox.js';

export interface ChatStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface SavedState {
  deviceId?: string;
  outbox?: PendingSend[];
}

export class ClientState {
  constructor(
    private readonly storage: ChatStorage | undefined,
    readonly key: string,
  ) {}

  /** `chat-sdk:<user id from the token>[:<deviceId>]`: one user's outbox never goes out with another's token. */
  static defaultKey(token: string, deviceId?: string): string {
    return `chat-sdk:${tokenSubject(token) ?? 'anonymous'}${deviceId ? `:${deviceId}` : ''}`;
  }

  load(): SavedState {
    try {
      const raw = this.storage?.getItem(this.key);
      const value: unknown = raw ? JSON.parse(raw) : null;
      return typeof value === 'object' && value !== null ? (value as SavedState) : {};
    } catch {
      return {};
    }
  }

  /** Throws what the storage throws (quota exceeded, say). */
  save(state: SavedState): void {
    this.storage?.setItem(this.key, JSON.stringify(state));
  }
}

/** The `sub` of a JWT; null if the token is no JWT. */
export function tokenSubject(token: string): string | null {
  try {
    const payload = token.split('.')[1];
    if (!payload) return null;
    const json: unknown = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    const sub = (json as { sub?: unknown } | null)?.sub;
    return typeof sub === 'string' && sub.length > 0 ? sub : null;
  } catch {
    return null;
  }
}

/**
 * Who the user blocked. The server takes block and unblock but offers no way to
 * list blocks, so the client remembers its own, per user, in localStorage.
 */
import type { ChatStorage } from '../../../sdk/index.js';

const key = (userId: string) => `chat.blocked.${userId}`;

export function loadBlocked(storage: ChatStorage | undefined, userId: string): string[] {
  try {
    const raw = storage?.getItem(key(userId));
    const value: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

export function saveBlocked(storage: ChatStorage | undefined, userId: string, ids: readonly string[]): void {
  try {
    storage?.setItem(key(userId), JSON.stringify(ids));
  } catch {
    // storage full or unavailable: the list lasts for this session only
  }
}

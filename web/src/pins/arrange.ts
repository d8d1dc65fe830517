/** Which chats the list shows, in which order: pinned first (newest pin first), archived apart. */
import type { ChatFlags } from './state.js';

/**
 * `entries` come newest activity first. The main list: pinned ones first, newest
 * pin first, then the rest as they came, archived ones left out. The archived
 * list: only those, as they came.
 */
export function arrangeChats<T extends { conversation: { id: string } }>(
  entries: readonly T[],
  chats: Readonly<Record<string, ChatFlags>>,
  showArchived: boolean,
): T[] {
  const flags = (entry: T) => chats[entry.conversation.id];
  if (showArchived) return entries.filter((entry) => flags(entry)?.archived);
  const shown = entries.filter((entry) => !flags(entry)?.archived);
  const pinned = shown
    .filter((entry) => flags(entry)?.pinned)
    .sort((a, b) => (flags(b)?.pinnedAt ?? '').localeCompare(flags(a)?.pinnedAt ?? ''));
  return [...pinned, ...shown.filter((entry) => !flags(entry)?.pinned)];
}

export function archivedCount(chats: Readonly<Record<string, ChatFlags>>, ids: Iterable<string>): number {
  let count = 0;
  for (const id of ids) if (chats[id]?.archived) count += 1;
  return count;
}

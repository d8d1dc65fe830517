/**
 * Unread-mention counts per conversation, beside the reducer's state: the
 * server's count arrives with the conversation list, a live message that
 * mentions me adds one, and reading (on this device or another: `readUpTo`)
 * clears what the read mark passed. Kept in a module store of its own so the
 * shared reducer stays untouched; `withMentions` wraps it.
 */
import type { ConversationSummary, Message } from '../../../sdk/index.js';
import type { Action, AppState } from '../state/types.js';

type Counts = Readonly<Record<string, number>>;

let counts: Counts = {};
const listeners = new Set<() => void>();

function set(next: Counts): void {
  if (next === counts) return;
  counts = next;
  for (const listener of [...listeners]) listener();
}

export const mentionCounts = {
  get: (): Counts => counts,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Tests and sign-out start from nothing. */
  reset: () => set({}),
};

function fromSummaries(list: readonly ConversationSummary[]): Counts {
  const next: Record<string, number> = {};
  for (const c of list) if ((c.unreadMentionCount ?? 0) > 0) next[c.id] = c.unreadMentionCount ?? 0;
  return next;
}

function withCount(base: Counts, conversationId: string, count: number): Counts {
  if ((base[conversationId] ?? 0) === count) return base;
  const { [conversationId]: _old, ...rest } = base;
  return count > 0 ? { ...rest, [conversationId]: count } : rest;
}

export function mentionsMe(message: Message, meId: string | undefined): boolean {
  return meId !== undefined && (message.mentions?.includes(meId) ?? false);
}

/** The counts after `action` moved the state from `before` to `after`. */
export function nextCounts(current: Counts, before: AppState, after: AppState, action: Action): Counts {
  const meId = after.me?.id;
  switch (action.type) {
    case 'bootstrap':
      return fromSummaries(action.conversations);
    case 'conversation': {
      const c = action.conversation;
      return 'unreadCount' in c ? withCount(current, c.id, c.unreadMentionCount ?? 0) : current;
    }
    case 'message': {
      const { message } = action;
      const id = message.conversationId;
      if (!after.conversations[id]) return current;
      // Sending means the user is reading this chat, as for the unread count.
      if (message.senderId === meId) return withCount(current, id, 0);
      const known = before.timelines[id]?.messages.some((m) => m.id === message.id) ?? false;
      if (!action.countUnread || known || !mentionsMe(message, meId)) return current;
      return withCount(current, id, (current[id] ?? 0) + 1);
    }
    case 'readUpTo': {
      const id = action.conversationId;
      const count = current[id] ?? 0;
      const entry = after.conversations[id];
      if (count === 0 || !entry) return current;
      if (action.seq >= entry.conversation.lastSeq) return withCount(current, id, 0);
      const loaded = after.timelines[id]?.messages ?? [];
      const left = loaded.filter((m) => m.seq > action.seq && !m.deletedAt && mentionsMe(m, meId)).length;
      return withCount(current, id, Math.min(count, left));
    }
    default:
      return current;
  }
}

/** The reducer, with the mention counts kept alongside. */
export function withMentions(reducer: (state: AppState, action: Action) => AppState) {
  return (state: AppState, action: Action): AppState => {
    const next = reducer(state, action);
    set(nextCounts(counts, state, next, action));
    return next;
  };
}

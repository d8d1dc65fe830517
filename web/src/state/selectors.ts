/** Derived views of the state, memoized on their inputs so React selectors stay stable. */
import type { Message, PendingSend } from '../../../sdk/index.js';
import type { TimelineItem } from '../lib/grouping.js';
import type { TickState } from '../lib/ticks.js';
import type { AppState, ConversationEntry, FailedSend } from './types.js';

function memo<I extends unknown[], O>(compute: (...inputs: I) => O): (...inputs: I) => O {
  let last: I | null = null;
  let value: O;
  return (...inputs: I) => {
    if (last && inputs.length === last.length && inputs.every((v, i) => v === (last as I)[i])) return value;
    last = inputs;
    value = compute(...inputs);
    return value;
  };
}

/** One's newest queued send in a conversation, when it is newer than its last stored message. */
export function queuedPreview(entry: ConversationEntry, pending: readonly PendingSend[]): PendingSend | null {
  let last: PendingSend | null = null;
  for (const p of pending) if (p.conversationId === entry.conversation.id) last = p;
  if (!last || (entry.lastMessage && entry.lastMessage.createdAt > last.queuedAt)) return null;
  return last;
}

/** When a conversation last saw activity: its last message, a queued send, or its creation. */
export function activityTime(entry: ConversationEntry, pending: readonly PendingSend[] = []): string {
  return queuedPreview(entry, pending)?.queuedAt ?? entry.lastMessage?.createdAt ?? entry.conversation.createdAt;
}

const sortConversations = memo((conversations: AppState['conversations'], pending: readonly PendingSend[]) =>
  Object.values(conversations).sort((a, b) => {
    const t = activityTime(b, pending).localeCompare(activityTime(a, pending));
    return t !== 0 ? t : b.conversation.id.localeCompare(a.conversation.id);
  }),
);

/** Newest activity first (a queued send counts as activity). */
export function selectConversationList(state: AppState): ConversationEntry[] {
  return sortConversations(state.conversations, state.pending);
}

/** Unread messages over all conversations (the tab title shows it). */
export function totalUnread(state: AppState): number {
  let total = 0;
  for (const entry of Object.values(state.conversations)) total += entry.unreadCount;
  return total;
}

/** Who is typing in a conversation (not oneself). */
export function typingUserIds(state: AppState, conversationId: string): string[] {
  const users = state.typing[conversationId];
  return users ? Object.keys(users).filter((id) => id !== state.me?.id) : [];
}

/** One row of the chat: a stored message, a queued send or a failed one. */
export type ChatItem = TimelineItem &
  (
    | { state: 'stored'; message: Message }
    | { state: 'queued'; pending: PendingSend }
    | { state: 'failed'; failed: FailedSend }
  );

export interface ChatItemsInput {
  messages: readonly Message[] | undefined;
  pending: readonly PendingSend[];
  failed: readonly FailedSend[];
  conversationId: string;
  meId: string;
  showTail: boolean;
}

const computeItems = (
  messages: readonly Message[] | undefined,
  pending: readonly PendingSend[],
  failed: readonly FailedSend[],
  conversationId: string,
  meId: string,
  showTail: boolean,
): ChatItem[] => {
  const items: ChatItem[] = (messages ?? []).map((message) => ({
    key: message.id,
    senderId: message.senderId,
    createdAt: message.createdAt,
    isSystem: message.type === 'system',
    state: 'stored',
    message,
  }));
  if (!showTail) return items;
  const stored = new Set((messages ?? []).filter((m) => m.senderId === meId).map((m) => m.clientMsgId));
  const tail: ChatItem[] = [];
  for (const p of pending) {
    if (p.conversationId !== conversationId || stored.has(p.clientMsgId)) continue;
    tail.push({
      key: p.clientMsgId,
      senderId: meId,
      createdAt: p.queuedAt,
      isSystem: false,
      state: 'queued',
      pending: p,
    });
  }
  for (const f of failed) {
    if (f.conversationId !== conversationId || stored.has(f.clientMsgId)) continue;
    tail.push({
      key: f.clientMsgId,
      senderId: meId,
      createdAt: f.queuedAt,
      isSystem: false,
      state: 'failed',
      failed: f,
    });
  }
  tail.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return [...items, ...tail];
};

/** Stored messages, then (when the window reaches the newest) one's queued and failed sends. */
export function createChatItemsSelector(): (input: ChatItemsInput) => ChatItem[] {
  const run = memo(computeItems);
  return (i) => run(i.messages, i.pending, i.failed, i.conversationId, i.meId, i.showTail);
}

export function itemTick(item: ChatItem): TickState | null {
  if (item.state === 'queued') return 'queued';
  if (item.state === 'failed') return 'failed';
  return null;
}

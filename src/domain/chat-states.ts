/**
 * Pinned and archived chats, per user: where a conversation sits in that
 * user's list. At most PIN_LIMITS.pinnedChats pinned (newest pin first, above
 * the rest); archived ones leave the main list until a new message arrives,
 * unless the user keeps archived chats archived. Every change is announced to
 * the user's devices (`conversation.state`).
 */
import { ChatError } from '../protocol/errors.js';
import {
  type ChatSettings,
  type ChatState,
  type ConversationList,
  type ConversationListFilter,
  type ConversationListItem,
  PIN_LIMITS,
} from '../protocol/pins.js';
import type { ChatStateRecord, PinStore } from '../store/pins/store.js';
import type { ConversationStore } from '../store/stores.js';
import { requireMember } from './access.js';
import type { Clock } from './clock.js';
import type { Conversations } from './conversations.js';
import type { ChatEvent, ChatEvents } from './events.js';

export interface ChatStatesDeps {
  pins: PinStore;
  conversationStore: ConversationStore;
  conversations: Conversations;
  events: ChatEvents;
  clock: Clock;
  /** Reports a failed automatic unarchive (it runs after the message was answered). */
  onError?: (error: unknown) => void;
}

export function toChatState(record: ChatStateRecord): ChatState {
  return {
    conversationId: record.conversationId,
    pinned: record.pinnedAt !== null,
    pinnedAt: record.pinnedAt,
    archived: record.archivedAt !== null,
  };
}

export class ChatStates {
  private readonly unsubscribe: () => void;
  /** New messages not yet looked at, per conversation: the newest time and every recipient. */
  private readonly due = new Map<string, { at: string; recipientIds: Set<string> }>();

  constructor(private readonly deps: ChatStatesDeps) {
    this.unsubscribe = deps.events.subscribe((event) => this.onEvent(event));
  }

  close(): void {
    this.unsubscribe();
  }

  /**
   * The caller's conversations with its state of each: `false` the main list
   * (pinned first, newest pin first, then newest activity), `true` the
   * archived ones (newest activity first), `all` both (pinned first).
   */
  async list(callerId: string, filter: ConversationListFilter): Promise<ConversationList> {
    const [summaries, records] = await Promise.all([
      this.deps.conversations.list(callerId),
      this.deps.pins.statesOf(callerId),
    ]);
    const states = new Map(records.map((record) => [record.conversationId, record]));
    const items: ConversationListItem[] = summaries.map((summary) => {
      const { pinned, pinnedAt, archived } = toChatState(
        states.get(summary.id) ?? {
          userId: callerId,
          conversationId: summary.id,
          pinnedAt: null,
          pinRank: null,
          archivedAt: null,
        },
      );
      return { ...summary, pinned, pinnedAt, archived };
    });
    const rank = (item: ConversationListItem) => states.get(item.id)?.pinRank ?? 0;
    // A stable sort keeps the store's newest-activity order below the pins.
    const pinnedFirst = (a: ConversationListItem, b: ConversationListItem) => rank(b) - rank(a);
    const conversations =
      filter === 'true'
        ? items.filter((item) => item.archived)
        : (filter === 'false' ? items.filter((item) => !item.archived) : items).sort(pinnedFirst);
    return { conversations };
  }

  async pin(callerId: string, conversationId: string): Promise<ChatState> {
    await requireMember(this.deps.conversationStore, conversationId, callerId);
    const max = PIN_LIMITS.pinnedChats;
    const record = await this.deps.pins.pinChat(callerId, conversationId, this.now(), max);
    if (!record) throw new ChatError('conflict', `you can pin at most ${max} chats; unpin one first`);
    return this.announce(callerId, record);
  }

  async unpin(callerId: string, conversationId: string): Promise<ChatState> {
    await requireMember(this.deps.conversationStore, conversationId, callerId);
    return this.announce(callerId, await this.deps.pins.unpinChat(callerId, conversationId));
  }

  async archive(callerId: string, conversationId: string): Promise<ChatState> {
    await requireMember(this.deps.conversationStore, conversationId, callerId);
    return this.announce(callerId, await this.deps.pins.archiveChat(callerId, conversationId, this.now()));
  }

  async unarchive(callerId: string, conversationId: string): Promise<ChatState> {
    await requireMember(this.deps.conversationStore, conversationId, callerId);
    return this.announce(callerId, await this.deps.pins.unarchiveChat(callerId, conversationId));
  }

  settings(callerId: string): Promise<ChatSettings> {
    return this.deps.pins.chatSettings(callerId);
  }

  updateSettings(callerId: string, settings: ChatSettings): Promise<ChatSettings> {
    return this.deps.pins.updateChatSettings(callerId, settings);
  }

  private onEvent(event: ChatEvent): void {
    // System messages (joins, pins) do not bring a chat back; a repeat was handled the first time.
    if (event.type !== 'message.created' || event.repeat || event.message.type === 'system') return;
    const { conversationId, createdAt } = event.message;
    // Messages of one conversation in the same turn share one lookup: a burst costs one query.
    const due = this.due.get(conversationId);
    if (due) {
      if (createdAt > due.at) due.at = createdAt;
      for (const id of event.recipientIds) due.recipientIds.add(id);
    } else {
      this.due.set(conversationId, { at: createdAt, recipientIds: new Set(event.recipientIds) });
    }
    if (this.due.size === 1 && !due) setImmediate(() => this.flush());
  }

  private flush(): void {
    const due = [...this.due];
    this.due.clear();
    for (const [conversationId, { at, recipientIds }] of due) {
      this.bringBack(conversationId, at, recipientIds).catch((error: unknown) => this.deps.onError?.(error));
    }
  }

  /** A new message unarchives the chat for its recipients who archived it before, unless they keep it archived. */
  private async bringBack(conversationId: string, at: string, recipients: ReadonlySet<string>): Promise<void> {
    const due = (await this.deps.pins.archivedBy(conversationId, at)).filter((userId) => recipients.has(userId));
    if (due.length === 0) return;
    for (const userId of await this.deps.pins.unarchiveFor(conversationId, due, at)) {
      // Archiving unpinned it: it is back as neither.
      this.deps.events.emit({
        type: 'conversation.state',
        userId,
        state: { conversationId, pinned: false, pinnedAt: null, archived: false },
      });
    }
  }

  private announce(userId: string, record: ChatStateRecord): ChatState {
    const state = toChatState(record);
    this.deps.events.emit({ type: 'conversation.state', userId, state });
    return state;
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

/**
 * Reactions (one emoji per user per message) and the change feed a
 * reconnecting client catches up from. Only current members who can see a
 * message react to it or hear of its changes.
 */
import type { ChangeRecord, ChangeStore, ReactionCount } from '../changes/store/store.js';
import type { Message } from '../protocol/dto.js';
import { ChatError } from '../protocol/errors.js';
import type { ReactionEvent, ReactionOutcome, Reactor } from '../protocol/reactions.js';
import type { MembershipRecord } from '../store/records.js';
import type { ConversationStore, MessageStore } from '../store/stores.js';
import { canSee, isCurrent } from './access.js';
import type { Clock } from './clock.js';
import type { ChatEvents } from './events.js';
import { toMessage } from './mappers.js';

export interface ReactionsDeps {
  conversations: ConversationStore;
  messages: MessageStore;
  changes: ChangeStore;
  events: ChatEvents;
  clock: Clock;
}

/** One change as the client receives it, live or replayed. */
export type ChangeItem =
  | { kind: 'reaction'; event: ReactionEvent }
  | { kind: 'updated'; message: Message; changeSeq: number };

export interface ChangePage {
  items: ChangeItem[];
  /** The last change number read (visible or not): the next page starts after it. */
  lastChangeSeq: number;
  /** Fewer than asked were left: the feed is read to its end. */
  done: boolean;
}

export class Reactions {
  constructor(private readonly deps: ReactionsDeps) {}

  /** Sets (emoji) or removes (null) the caller's reaction; announces a real change to the members. */
  async react(callerId: string, messageId: string, emoji: string | null): Promise<ReactionOutcome> {
    const message = await this.deps.messages.byId(messageId);
    const conversation = message ? await this.deps.conversations.byId(message.conversationId) : null;
    const membership = conversation?.members.find((m) => m.userId === callerId);
    if (!message || !conversation || !isCurrent(membership) || !canSee(membership, message.seq)) {
      throw new ChatError('not_found', 'message not found');
    }
    if (message.type === 'system') throw new ChatError('invalid_request', 'system messages take no reactions');
    if (message.deletedAt) throw new ChatError('conflict', 'a deleted message takes no reactions');
    const result = await this.deps.changes.react(messageId, callerId, emoji, this.now());
    if (!result) throw new ChatError('conflict', 'a deleted message takes no reactions');
    if (result.change) {
      const recipientIds = conversation.members.filter((m) => canSee(m, message.seq)).map((m) => m.userId);
      this.deps.events.emit({
        type: 'message.reaction',
        event: reactionEvent(result.change, result.reactions),
        recipientIds,
      });
    }
    return {
      conversationId: message.conversationId,
      messageId,
      emoji,
      changeSeq: result.change?.changeSeq ?? null,
      reactions: result.reactions.map((r) => ({ ...r, me: r.emoji === emoji })),
    };
  }

  /** Who reacted with what, for a member who can see the message. */
  async reactors(callerId: string, messageId: string, limit: number): Promise<Reactor[]> {
    const message = await this.deps.messages.byId(messageId);
    const membership = message ? await this.deps.conversations.membership(message.conversationId, callerId) : null;
    if (!message || !membership || !canSee(membership, message.seq)) {
      throw new ChatError('not_found', 'message not found');
    }
    return this.deps.changes.reactors(messageId, limit);
  }

  /** The last change number of each of the user's conversations. */
  heads(userId: string): Promise<Map<string, number>> {
    return this.deps.changes.heads(userId);
  }

  /** The current membership, or null: only current members catch up on changes. */
  async currentMembership(userId: string, conversationId: string): Promise<MembershipRecord | null> {
    const membership = await this.deps.conversations.membership(conversationId, userId);
    return isCurrent(membership) ? membership : null;
  }

  /**
   * The changes after `afterChangeSeq` that the member can see, at most `limit`
   * read, in change order, as the frames live clients got. Edits and deletions
   * carry the message as it is now; reactions the counts as they are now.
   */
  async page(membership: MembershipRecord, afterChangeSeq: number, limit: number): Promise<ChangePage> {
    const changes = await this.deps.changes.after(membership.conversationId, afterChangeSeq, limit);
    const visible = changes.filter((c) => canSee(membership, c.messageSeq));
    const updatedIds = [...new Set(visible.filter((c) => c.kind !== 'reaction').map((c) => c.messageId))];
    const reactedIds = [...new Set(visible.filter((c) => c.kind === 'reaction').map((c) => c.messageId))];
    const [updated, counts] = await Promise.all([
      Promise.all(updatedIds.map((id) => this.deps.messages.byId(id))),
      this.deps.changes.summaries(reactedIds, membership.userId),
    ]);
    const messages = new Map(updated.flatMap((m) => (m ? [[m.id, toMessage(m)] as const] : [])));
    const items = visible.flatMap((change): ChangeItem[] => {
      if (change.kind === 'reaction') {
        const now = (counts.get(change.messageId) ?? []).map(({ emoji, count }) => ({ emoji, count }));
        return [{ kind: 'reaction', event: reactionEvent(change, now) }];
      }
      const message = messages.get(change.messageId);
      return message ? [{ kind: 'updated', message, changeSeq: change.changeSeq }] : [];
    });
    return { items, lastChangeSeq: changes.at(-1)?.changeSeq ?? afterChangeSeq, done: changes.length < limit };
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

export function reactionEvent(change: ChangeRecord, reactions: ReactionCount[]): ReactionEvent {
  return {
    conversationId: change.conversationId,
    messageId: change.messageId,
    seq: change.messageSeq,
    changeSeq: change.changeSeq,
    userId: change.userId,
    emoji: change.emoji,
    reactions,
    at: change.at,
  };
}

/**
 * Current members per conversation, cached for the frequent small frames
 * (typing) and refreshed by conversation.updated events (which reach every node).
 */
import type { ConversationStore } from '../../store/stores.js';

const MAX_ENTRIES = 10_000;

export class MemberCache {
  private readonly members = new Map<string, Promise<ReadonlySet<string>>>();

  constructor(private readonly conversations: ConversationStore) {}

  get(conversationId: string): Promise<ReadonlySet<string>> {
    let entry = this.members.get(conversationId);
    if (!entry) {
      if (this.members.size >= MAX_ENTRIES) this.members.clear();
      entry = this.conversations
        .byId(conversationId)
        .then((conversation) => new Set(conversation?.members.map((m) => m.userId) ?? []));
      entry.catch(() => this.members.delete(conversationId));
      this.members.set(conversationId, entry);
    }
    return entry;
  }

  set(conversationId: string, memberIds: readonly string[]): void {
    this.members.set(conversationId, Promise.resolve(new Set(memberIds)));
  }

  /** Forgets everything: changes may have been missed. */
  clear(): void {
    this.members.clear();
  }
}

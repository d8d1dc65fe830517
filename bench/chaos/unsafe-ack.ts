/**
 * The negative control: a deliberately broken send path that acknowledges a
 * message before it is committed. Appends answer at once with the seq the
 * store will most likely give, and reach the real store only `delayMs` later,
 * so a kill -9 inside that window loses messages the clients were told are
 * stored. Only the chaos tool's node entry (node-entry.ts) installs it, when
 * it is started with CHAT_CHAOS_UNSAFE_ACK_BEFORE_COMMIT=1; the server's own
 * entry (src/node/main.ts) never does.
 */
import type { ConversationStore, MessageStore } from '../../src/store/stores.js';

export function ackBeforeCommit(
  store: MessageStore,
  conversations: ConversationStore,
  delayMs: number,
  onError: (error: unknown) => void,
): MessageStore {
  const nextSeq = new Map<string, Promise<{ next: number }>>();
  // One chain: the delayed appends reach the store in the order they were acked.
  let chain: Promise<unknown> = Promise.resolve();
  const counter = (conversationId: string) => {
    let found = nextSeq.get(conversationId);
    if (!found) {
      found = conversations.byId(conversationId).then((c) => ({ next: (c?.lastSeq ?? 0) + 1 }));
      nextSeq.set(conversationId, found);
    }
    return found;
  };
  const unsafe: Pick<MessageStore, 'append'> = {
    async append(draft) {
      const [cursor, conversation] = await Promise.all([
        counter(draft.conversationId),
        conversations.byId(draft.conversationId),
      ]);
      const seq = cursor.next++;
      const due = Date.now() + delayMs;
      chain = chain
        .then(() => new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now()))))
        .then(() => store.append(draft))
        .catch(onError);
      return {
        message: { ...draft, seq, editedAt: null, deletedAt: null },
        created: true,
        recipientIds: (conversation?.members ?? []).filter((m) => m.visibleToSeq === null).map((m) => m.userId),
      };
    },
  };
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'append') return unsafe.append;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

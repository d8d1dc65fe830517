/**
 * What happened, for whoever must react: the real-time gateway fans messages
 * out, metrics count them, push notifies the offline. The domain emits after the
 * change is durable; listeners must not throw into the request that caused it.
 */
import type { MessageRecord, ConversationRecord } from '../store/records.js';

export type ChatEvent =
  | { type: 'message.created'; message: MessageRecord; conversation: ConversationRecord }
  | { type: 'message.updated'; message: MessageRecord; conversation: ConversationRecord }
  | { type: 'conversation.updated'; conversation: ConversationRecord; removedUserIds: string[] }
  | { type: 'watermarks.moved'; conversationId: string; userId: string; delivered: number; read: number }
  | { type: 'user.active'; userId: string };

export type ChatEventListener = (event: ChatEvent) => void;

export class ChatEvents {
  private readonly listeners = new Set<ChatEventListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  subscribe(listener: ChatEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ChatEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // A failing listener must not undo or fail a change that is already durable.
        this.onListenerError(error);
      }
    }
  }
}

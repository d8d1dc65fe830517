/**
 * What happened, for whoever must react: the real-time gateway fans messages
 * out, metrics count them, push notifies the offline. The domain emits after the
 * change is durable; a failing listener is reported, never thrown into the
 * request that caused the change.
 */
import type { ConversationRecord, MessageRecord } from '../store/records.js';

export type ChatEvent =
  /**
   * A new message; recipientIds are the members when it was committed (the
   * sender included). `repeat`: announced again for a repeated send (see
   * Messaging.send), to current members; recipients may have it already.
   */
  | { type: 'message.created'; message: MessageRecord; recipientIds: string[]; repeat?: true }
  /** An edit or a deletion; recipientIds are the current members who can see it. */
  | { type: 'message.updated'; message: MessageRecord; recipientIds: string[] }
  /** Settings or membership changed; `removed` members' windows closed at `atSeq`. */
  | { type: 'conversation.updated'; conversation: ConversationRecord; removed: { userId: string; atSeq: number }[] }
  /** A member's delivered or read watermark moved to `seq`; `notifyUserIds` should hear of it. */
  | {
      type: 'receipt';
      kind: 'delivered' | 'read';
      conversationId: string;
      userId: string;
      seq: number;
      notifyUserIds: string[];
    };

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
        this.onListenerError(error);
      }
    }
  }
}

/**
 * What happened, for whoever must react: the real-time gateway fans messages
 * out, metrics count them, push notifies the offline. The domain emits after the
 * change is durable; a failing listener is reported, never thrown into the
 * request that caused the change.
 */
import type { LinkPreview } from '../protocol/dto.js';
import type { ChatState, PinnedMessage } from '../protocol/pins.js';
import type { ReactionEvent } from '../protocol/reactions.js';
import type { ConversationRecord, MessageRecord } from '../store/records.js';

export type ChatEvent =
  /**
   * A new message; recipientIds are the members when it was committed (the
   * sender included). `repeat`: announced again for a repeated send (see
   * Messaging.send), to current members; recipients may have it already.
   */
  | {
      type: 'message.created';
      message: MessageRecord;
      recipientIds: string[];
      repeat?: true;
      /**
       * A broadcast channel's message: recipientIds are empty (no per-member push or
       * routing); every node hands it to its connections following the channel.
       */
      channel?: true;
    }
  /**
   * An edit or a deletion; recipientIds are the current members who can see it.
   * `changeSeq`: its number in the conversation's change stream (src/changes).
   */
  | { type: 'message.updated'; message: MessageRecord; recipientIds: string[]; changeSeq?: number; channel?: true }
  /** Users joined or left a broadcast channel: their connections start or stop following it. */
  | { type: 'channel.membership'; conversation: ConversationRecord; userIds: string[]; joined: boolean }
  /** A reaction set or removed (src/domain/reactions.ts); recipientIds are the current members who can see the message. */
  | { type: 'message.reaction'; event: ReactionEvent; recipientIds: string[] }
  /** A message's link preview is stored (src/previews); recipientIds are the current members who can see it. */
  | {
      type: 'message.preview';
      conversationId: string;
      messageId: string;
      seq: number;
      preview: LinkPreview;
      recipientIds: string[];
    }
  /** One user's pinned or archived state of a conversation changed: for that user's devices (src/domain/chat-states.ts). */
  | { type: 'conversation.state'; userId: string; state: ChatState }
  /** A conversation's pinned messages changed; `recipientIds` may see exactly `pins` (src/domain/pinned-messages.ts). */
  | { type: 'conversation.pins'; conversationId: string; pins: PinnedMessage[]; recipientIds: string[] }
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
      /** The connection that moved a read mark: the user's other connections hear `conversation:read`. */
      originSessionId?: string;
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

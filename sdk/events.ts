/** A small typed event emitter: `on` returns an unsubscribe function; a throwing listener never breaks the SDK. */
import type { DownInfo } from './connection.js';
import type { ChatApiError } from './errors.js';
import type { PendingSend } from './outbox.js';
import type { ChatState, PinnedMessage } from './pins.js';
import type { Conversation, LinkPreview, Message, PresenceStatus, ReactionEvent } from './protocol.js';

export type Listener<T> = (payload: T) => void;

export interface ReceiptEvent {
  conversationId: string;
  /** Who received or read. */
  userId: string;
  /** Cumulative: everything up to this seq. */
  seq: number;
}

/** Every event of `ChatClient`, with its payload. */
export interface ChatEventMap {
  /** A message, in strictly increasing seq per conversation, each exactly once. */
  message: Message;
  /** An edit or delete-for-everyone. */
  messageUpdated: Message;
  /** The server fetched the preview of a message's first link (docs/PROTOCOL.md, "Link previews"). */
  messagePreview: { conversationId: string; messageId: string; seq: number; preview: LinkPreview };
  /** Someone set (emoji) or removed (null) a reaction; live or replayed, each change once, in change order. */
  reaction: ReactionEvent;
  /** The user read up to `seq` on another device: clear the conversation's unread badge up to there. */
  conversationRead: { conversationId: string; seq: number };
  /** The change replay after a connection is done; `cursors` are the change cursors now. */
  changesSynced: { cursors: Record<string, number> };
  delivered: ReceiptEvent;
  read: ReceiptEvent;
  typing: { conversationId: string; userId: string; typing: boolean };
  presence: { userId: string; status: PresenceStatus | null; lastSeen: string | null };
  conversationUpdated: Conversation;
  conversationRemoved: { conversationId: string };
  /** The user's pinned or archived state of a conversation changed (on this or another device). */
  conversationState: ChatState;
  /** A conversation's pinned messages changed: the whole list, newest first. */
  conversationPins: { conversationId: string; pins: PinnedMessage[] };
  /** After `hello`: the server is about to replay what this device missed. */
  connected: { userId: string; deviceId: string; serverTime: string };
  /** `sync:done`; `initial` for the replay that follows each connection. */
  synced: { initial: boolean };
  /** A connection that had said hello is gone. */
  disconnected: DownInfo;
  /** Stopped for good: 4401 (log in again), 4403, or `close()`. */
  closed: { code: number; reason: string };
  /** A server error frame not tied to a send, a failed REST gap fill, a throwing listener. */
  error: Error;
  /** A queued send was stored (also for sends restored from storage, which have no promise). */
  sendAcked: { send: PendingSend; message: Message };
  /** A queued send was refused for good. */
  sendFailed: { send: PendingSend; error: ChatApiError };
}

export class Emitter<M extends object> {
  private readonly listeners = new Map<keyof M, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (error: unknown, event: keyof M) => void = () => {}) {}

  on<K extends keyof M>(event: K, listener: Listener<M[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return () => this.off(event, listener);
  }

  once<K extends keyof M>(event: K, listener: Listener<M[K]>): () => void {
    const off = this.on(event, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  off<K extends keyof M>(event: K, listener: Listener<M[K]>): void {
    this.listeners.get(event)?.delete(listener);
  }

  emit<K extends keyof M>(event: K, payload: M[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set] as Listener<M[K]>[]) {
      try {
        listener(payload);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }

  listenerCount(event: keyof M): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  clear(): void {
    this.listeners.clear();
  }
}

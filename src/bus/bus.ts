/**
 * What crosses nodes: the durable events the gateway fans out to connections
 * (new and updated messages, conversation changes, receipts) and typing
 * notices. The bus is never the record of anything: messages are durable in
 * the store before they are published, and a node that may have missed
 * deliveries hears so through onGap and re-reads the store.
 *
 * Presence changes do not travel here: the presence tracker announces them on
 * every node itself (presence/presence.ts), exactly once per change.
 *
 * Implementations: memory.ts (one node, the embedded mode) and redis.ts (Redis
 * pub/sub, each event routed to the nodes holding its audience's connections).
 */
import type { ChatEvent } from '../domain/events.js';

/** typing:start or typing:stop of `userId`, for the other members (`recipientIds`). */
export interface TypingNotice {
  type: 'typing';
  conversationId: string;
  userId: string;
  typing: boolean;
  recipientIds: string[];
}

export type BusEvent = ChatEvent | TypingNotice;

export type BusListener = (event: BusEvent) => void;

export interface Bus {
  /**
   * Hands the event to the listeners of every node that holds a connection of
   * one of its audience (audienceOf): this node's listeners before publish
   * returns, other nodes' soon after, each at most once and in publish order
   * per publishing node. Never throws; failures are reported and turn into
   * gaps on the nodes that missed the event.
   */
  publish(event: BusEvent): void;
  subscribe(listener: BusListener): () => void;
  /**
   * Called when this node may have missed events (its subscription was lost
   * and is back, or a publisher lost some): listeners re-read the store.
   */
  onGap(listener: () => void): () => void;
  /** Stops publishing and delivering; idempotent. */
  close(): Promise<void>;
}

/** The users whose connections must hear of the event, or 'everyone' (every node). */
export function audienceOf(event: BusEvent): readonly string[] | 'everyone' {
  switch (event.type) {
    case 'message.created':
    case 'message.updated':
      // A channel's readers are not listed: every node hands it to its own followers.
      return event.channel ? 'everyone' : event.recipientIds;
    case 'channel.membership':
      return event.userIds;
    case 'message.preview':
    case 'message.reaction':
    case 'typing':
      return event.recipientIds;
    case 'receipt':
      return event.notifyUserIds;
    case 'conversation.state':
      return [event.userId];
    case 'conversation.pins':
      return event.recipientIds;
    case 'conversation.updated':
      // Rare, and every node's member cache must hear of it, connected members or not.
      return 'everyone';
  }
}

/** Calls each listener, reporting (never throwing) a listener's failure. */
export function dispatch(listeners: Iterable<BusListener>, event: BusEvent, onError: (error: unknown) => void): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch (error) {
      onError(error);
    }
  }
}

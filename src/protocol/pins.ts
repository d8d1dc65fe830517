/**
 * Pinned and archived chats (per user) and pinned messages (per conversation):
 * wire shapes and input schemas. Shared by the server, the SDK and the web
 * client; no Node imports. See docs/PROTOCOL.md, "Pins and archive".
 */
import { z } from 'zod';
import type { ConversationSummary, Message } from './dto.js';
import { id } from './schemas.js';

export const PIN_LIMITS = {
  /** Chats one user may pin at once, as in WhatsApp; one more answers 409 `conflict`. */
  pinnedChats: 3,
  /** Pinned messages per conversation; pinning one more replaces the oldest pin. */
  pinnedMessages: 3,
} as const;

/** One user's view of one conversation: where it sits in that user's list. */
export interface ChatState {
  conversationId: string;
  pinned: boolean;
  /** When it was pinned; null when not pinned. Pinned chats list newest pin first. */
  pinnedAt: string | null;
  /** Hidden from the main list, listed with `?archived=true`. Never pinned at the same time. */
  archived: boolean;
}

/** The per-user setting of the archive. */
export interface ChatSettings {
  /** Archived chats stay archived when a new message arrives (default false: they come back). */
  keepArchived: boolean;
}

export interface PinnedMessage {
  /** The pinned message, as the caller may see it. */
  message: Message;
  pinnedBy: string;
  pinnedAt: string;
}

/** Which part of the caller's conversation list to answer. */
export const conversationListQuery = z.object({
  /** false (default): the main list; true: the archived chats only; all: both. */
  archived: z.enum(['false', 'true', 'all']).default('false'),
});
export type ConversationListFilter = z.infer<typeof conversationListQuery>['archived'];

export const conversationIdParams = z.object({ conversationId: id });
export const pinnedMessageParams = z.object({ id, messageId: id });

export const chatSettingsBody = z.object({ keepArchived: z.boolean() }).strict();

/** A conversation in the caller's list (`GET /api/v1/users/{id}/conversations`), with the caller's state of it. */
export type ConversationListItem = ConversationSummary & Omit<ChatState, 'conversationId'>;

/** The answer keeps the contract's shape, `{conversations}`: the state is in each item. */
export interface ConversationList {
  conversations: ConversationListItem[];
}

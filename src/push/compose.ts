/**
 * The text of a notification, from the messages it covers: one message shows
 * its preview, several from one conversation become "Alice: 3 new messages".
 * Pure, so the wording is tested without a server.
 */
import type { ConversationType } from '../protocol/dto.js';
import type { PushPayload } from '../protocol/push.js';

export interface CoveredMessage {
  id: string;
  senderId: string;
  type: string;
  content: string;
  /** Who the message @mentions (user ids). */
  mentions?: readonly string[];
}

export interface ComposeInput {
  conversation: { id: string; type: ConversationType; name: string | null };
  /** The messages the notification covers, oldest first (at least one). */
  messages: readonly CoveredMessage[];
  senderNames: ReadonlyMap<string, string>;
  badge: number;
  hidePreviews: boolean;
  /** Whom the notification is for: a message mentioning them says so. */
  recipientId?: string;
}

const PREVIEW_CHARS = 120;
const MEDIA_LABEL: Record<string, string> = { image: '📷 Photo', video: '🎥 Video', file: '📎 File' };

export function composeNotification(input: ComposeInput): PushPayload {
  const { conversation, messages, badge } = input;
  const newest = messages.at(-1);
  if (!newest) throw new Error('a notification covers at least one message');
  const count = messages.length;
  const mentioning = input.recipientId
    ? messages.filter((m) => m.mentions?.includes(input.recipientId ?? '')).at(-1)
    : undefined;
  const base = {
    conversationId: conversation.id,
    messageId: newest.id,
    count,
    badge,
    sound: 'default' as const,
    ...(mentioning ? { mention: true as const } : {}),
  };
  const many = `${count} new messages`;
  if (input.hidePreviews) {
    // Neither who wrote nor what: the lock screen may be seen by anyone.
    const body = count === 1 ? 'New message' : many;
    return { ...base, title: 'New messages', body: mentioning ? `You were mentioned · ${body}` : body };
  }
  const senders = [...new Set(messages.map((m) => m.senderId))];
  const nameOf = (id: string) => input.senderNames.get(id) ?? 'Someone';
  const oneSender = senders.length === 1 ? nameOf(newest.senderId) : null;
  const title = conversation.type === 'group' ? conversation.name || 'Group' : nameOf(newest.senderId);
  let body: string;
  if (mentioning && count === 1) {
    body = `${nameOf(mentioning.senderId)} mentioned you: ${preview(newest)}`;
  } else if (mentioning) {
    body = `${nameOf(mentioning.senderId)} mentioned you · ${many}`;
  } else if (count === 1) {
    const text = preview(newest);
    body = conversation.type === 'group' ? `${nameOf(newest.senderId)}: ${text}` : text;
  } else {
    body = oneSender ? `${oneSender}: ${many}` : many;
  }
  return { ...base, title, body };
}

function preview(message: CoveredMessage): string {
  const caption = message.content.trim();
  const label = MEDIA_LABEL[message.type];
  const text = label ? (caption ? `${label}: ${caption}` : label) : caption;
  const chars = [...text];
  return chars.length > PREVIEW_CHARS ? `${chars.slice(0, PREVIEW_CHARS - 1).join('')}…` : text;
}

/** Names, initials, avatar colours and the words of system messages. */
import type { Conversation, Message, User } from '../../../sdk/index.js';
import { mediaLabel } from '../media/format.js';

export type UserMap = Readonly<Record<string, User>>;

/** Up to two initials: "Ada Lovelace" → "AL", "bob" → "B". */
export function initials(name: string): string {
  const words = name
    .trim()
    .split(/[\s._-]+/)
    .filter(Boolean);
  const letters = words.slice(0, 2).map((w) => [...w][0] ?? '');
  return letters.join('').toUpperCase() || '?';
}

/** A stable hue per id, for avatars and sender names in groups. */
export function hueOf(id: string): number {
  let hash = 0;
  for (let i = 0; i < id.length; i += 1) hash = (hash * 31 + id.charCodeAt(i)) >>> 0;
  return hash % 360;
}

/** The other member of a direct chat. */
export function otherMemberId(conversation: Conversation, meId: string | undefined): string | null {
  if (conversation.type !== 'direct') return null;
  return conversation.members.find((m) => m.userId !== meId)?.userId ?? null;
}

export function userName(userId: string | null | undefined, users: UserMap, fallback = 'Someone'): string {
  if (!userId) return fallback;
  return users[userId]?.displayName ?? fallback;
}

/** "You" for oneself, the display name otherwise. */
export function personName(userId: string | null | undefined, users: UserMap, meId: string | undefined): string {
  if (userId && userId === meId) return 'You';
  return userName(userId, users);
}

/** A group's name; for a direct chat the other user's display name. */
export function conversationTitle(conversation: Conversation, users: UserMap, meId: string | undefined): string {
  if (conversation.type !== 'direct')
    return conversation.name?.trim() || (conversation.type === 'channel' ? 'Channel' : 'Group');
  const other = otherMemberId(conversation, meId);
  return other ? userName(other, users, 'Chat') : 'Chat';
}

export function conversationAvatar(
  conversation: Conversation,
  users: UserMap,
  meId: string | undefined,
): { id: string; url: string | null } {
  if (conversation.type !== 'direct') return { id: conversation.id, url: conversation.avatarUrl };
  const other = otherMemberId(conversation, meId);
  return { id: other ?? conversation.id, url: other ? (users[other]?.avatarUrl ?? null) : null };
}

/** A system message in the viewer's words ("You added Bob"). */
export function systemText(message: Message, users: UserMap, meId: string | undefined): string {
  const event = message.system;
  if (!event) return message.content;
  const actor = personName(event.actorId, users, meId);
  const target = event.targetId === meId ? 'you' : userName(event.targetId, users);
  switch (event.event) {
    case 'channel_created':
      return `${actor} created the channel`;
    case 'group_created': {
      const name = /"(.*)"$/.exec(message.content)?.[1];
      return name ? `${actor} created the group "${name}"` : `${actor} created the group`;
    }
    case 'member_added':
      return `${actor} added ${target}`;
    case 'member_removed':
      return `${actor} removed ${target}`;
    case 'member_left':
      return `${actor} left`;
    case 'role_changed':
      return /dismissed/.test(message.content)
        ? `${actor} dismissed ${target} as admin`
        : `${actor} made ${target} an admin`;
    case 'group_updated':
      return `${actor} changed the group settings`;
    case 'message_pinned':
      return `${actor} pinned a message`;
    default:
      return message.content;
  }
}

/** A one-line preview of a message for the conversation list. */
export function messagePreview(
  message: Message,
  users: UserMap,
  meId: string | undefined,
  isGroup: boolean,
): { prefix: string; text: string } {
  if (message.type === 'system') return { prefix: '', text: systemText(message, users, meId) };
  const prefix = message.senderId === meId ? 'You: ' : isGroup ? `${userName(message.senderId, users)}: ` : '';
  if (message.deletedAt)
    return { prefix: '', text: message.senderId === meId ? 'You deleted this message' : 'This message was deleted' };
  const text = message.content.replace(/\s+/g, ' ').trim();
  if (text)
    return { prefix, text: message.type === 'image' ? `📷 ${text}` : message.type === 'video' ? `🎥 ${text}` : text };
  return { prefix, text: mediaLabel(message.type, message.media?.fileName) ?? text };
}

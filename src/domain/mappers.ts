/** Store records to wire DTOs: the only place private fields are dropped. */
import type { Conversation, ConversationSummary, Media, Member, Message, User } from '../protocol/dto.js';
import type { ConversationRecord, MediaRecord, MembershipRecord, MessageRecord, UserRecord } from '../store/records.js';
import type { ConversationListEntry } from '../store/stores.js';

export function toUser(record: UserRecord): User {
  return {
    id: record.id,
    username: record.username,
    displayName: record.displayName,
    avatarUrl: record.avatarUrl,
    createdAt: record.createdAt,
  };
}

export function toMember(record: MembershipRecord): Member {
  return { userId: record.userId, role: record.role, joinedAt: record.joinedAt };
}

export function toConversation(record: ConversationRecord): Conversation {
  return {
    id: record.id,
    type: record.type,
    name: record.name,
    avatarUrl: record.avatarUrl,
    createdBy: record.createdBy,
    createdAt: record.createdAt,
    lastSeq: record.lastSeq,
    members: record.members.map(toMember),
    settings: { sendPolicy: record.sendPolicy },
    ...(record.channel ? { channel: { ...record.channel } } : {}),
  };
}

export function toMessage(record: MessageRecord): Message {
  const message: Message = {
    id: record.id,
    conversationId: record.conversationId,
    senderId: record.senderId,
    seq: record.seq,
    clientMsgId: record.clientMsgId,
    type: record.type,
    content: record.content,
    // The store attaches the media with the message; a deleted message has none.
    media: record.media && record.deletedAt === null ? toMedia(record.media) : null,
    replyToId: record.replyToId,
    createdAt: record.createdAt,
    editedAt: record.editedAt,
    deletedAt: record.deletedAt,
  };
  if (record.system) message.system = record.system;
  // Only when set, like `system`. A deleted message's text is gone, and with it whom it named.
  if (record.mentions && record.mentions.length > 0 && record.deletedAt === null)
    message.mentions = [...record.mentions];
  if (record.forwarded) message.forwarded = true;
  return message;
}

/** A media item as clients see it: where to fetch it, never where it is stored. */
export function toMedia(record: MediaRecord): Media {
  const url = `/api/v1/media/${encodeURIComponent(record.id)}`;
  return {
    id: record.id,
    url,
    mimeType: record.mimeType,
    size: record.size,
    width: record.width,
    height: record.height,
    thumbnailUrl: record.thumbnail ? `${url}/thumbnail` : null,
    fileName: record.fileName,
    durationMs: record.durationMs,
  };
}

/** A conversation list entry as the viewer sees it; the store counts its unread messages. */
export function toSummary(entry: ConversationListEntry, unreadMentionCount = 0): ConversationSummary {
  return {
    ...toConversation(entry.conversation),
    lastMessage: entry.lastMessage ? toMessage(entry.lastMessage) : null,
    unreadCount: entry.unreadCount,
    unreadMentionCount,
  };
}

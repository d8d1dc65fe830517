/**
 * Wire shapes of the public contract (REST answers and WebSocket frame payloads).
 * Imported by the server, the SDK and the web client; no Node imports here.
 */

import type { ReactionSummary } from './reactions.js';

export type PrivacyLevel = 'everyone' | 'contacts' | 'nobody';
export type PresenceStatus = 'online' | 'idle' | 'offline';
export type ConversationType = 'direct' | 'group' | 'channel';
export type MemberRole = 'admin' | 'member';
export type SendPolicy = 'all' | 'admins';
export type MessageType = 'text' | 'image' | 'video' | 'file' | 'system';
export type ReceiptStatus = 'queued' | 'sent' | 'delivered' | 'read';

export interface User {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  createdAt: string;
}

export interface PrivacySettings {
  presence: PrivacyLevel;
  lastSeen: PrivacyLevel;
}

export interface UserSettings {
  privacy: PrivacySettings;
}

export interface Me {
  user: User;
  settings: UserSettings;
}

export interface Presence {
  userId: string;
  status: PresenceStatus | null;
  lastSeen: string | null;
}

export interface Member {
  userId: string;
  role: MemberRole;
  joinedAt: string;
}

export interface Media {
  id: string;
  /** Where to GET the bytes (same origin, with the bearer token). */
  url: string;
  mimeType: string;
  size: number;
  width: number | null;
  height: number | null;
  thumbnailUrl: string | null;
  /** The sanitised name the file was uploaded with. */
  fileName?: string | null;
  /** Videos and audio, when the server could read it. */
  durationMs?: number | null;
}

/** What a system message records, so clients can render it in their own words. */
export interface SystemEvent {
  event:
    | 'channel_created'
    | 'group_created'
    | 'member_added'
    | 'member_removed'
    | 'member_left'
    | 'role_changed'
    | 'group_updated'
    | 'message_pinned';
  actorId: string;
  targetId: string | null;
  /** `message_pinned` only: the pinned message (targetId is its sender). */
  messageId?: string;
}

export interface Message {
  id: string;
  conversationId: string;
  senderId: string;
  /** Dense per conversation: 1, 2, 3 … and the display order. */
  seq: number;
  clientMsgId: string;
  type: MessageType;
  content: string;
  media: Media | null;
  replyToId: string | null;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  /** Present on `system` messages only. */
  system?: SystemEvent;
  /** The preview of the message's first link, once the server fetched it (docs/PROTOCOL.md, "Link previews"). */
  preview?: LinkPreview;
  /** Ids of the group members this message @mentions (docs/PROTOCOL.md, "Mentions"); absent when none. */
  mentions?: string[];
  /** `true` on a copy posted by forwarding; absent otherwise. */
  forwarded?: true;
  /** REST history: counts per emoji, most frequent first, `me` when the caller reacted with it. */
  reactions?: ReactionSummary[];
}

/** The preview image, re-encoded by the server; GET it with the bearer token, as the message's members. */
export interface LinkPreviewImage {
  url: string;
  mimeType: string;
  width: number;
  height: number;
  size: number;
}

/** What the server found at a message's first http(s) link. */
export interface LinkPreview {
  /** The link as it appears in the message, normalised (no fragment). */
  url: string;
  host: string;
  title: string | null;
  description: string | null;
  image: LinkPreviewImage | null;
}

export interface Conversation {
  id: string;
  type: ConversationType;
  name: string | null;
  avatarUrl: string | null;
  createdBy: string;
  createdAt: string;
  lastSeq: number;
  /** Of a channel: its admins only (see `channel.memberCount`). */
  members: Member[];
  settings: { sendPolicy: SendPolicy };
  /** Broadcast channels only. */
  channel?: ChannelSettings;
}

export interface ChannelSettings {
  /** Anyone may find and join it; otherwise admins add members. */
  public: boolean;
  memberCount: number;
}

export interface ConversationSummary extends Conversation {
  lastMessage: Message | null;
  unreadCount: number;
  /** Unread messages that @mention the caller; always sent by the server. */
  unreadMentionCount?: number;
}

export interface Receipt {
  userId: string;
  status: ReceiptStatus;
  at: string | null;
}

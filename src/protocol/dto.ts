/**
 * Wire shapes of the public contract (REST answers and WebSocket frame payloads).
 * Imported by the server, the SDK and the web client; no Node imports here.
 */

export type PrivacyLevel = 'everyone' | 'contacts' | 'nobody';
export type PresenceStatus = 'online' | 'idle' | 'offline';
export type ConversationType = 'direct' | 'group';
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
  event: 'group_created' | 'member_added' | 'member_removed' | 'member_left' | 'role_changed' | 'group_updated';
  actorId: string;
  targetId: string | null;
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
}

export interface Conversation {
  id: string;
  type: ConversationType;
  name: string | null;
  avatarUrl: string | null;
  createdBy: string;
  createdAt: string;
  lastSeq: number;
  members: Member[];
  settings: { sendPolicy: SendPolicy };
}

export interface ConversationSummary extends Conversation {
  lastMessage: Message | null;
  unreadCount: number;
}

export interface Receipt {
  userId: string;
  status: ReceiptStatus;
  at: string | null;
}

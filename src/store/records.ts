/**
 * What the stores keep. Close to the wire DTOs, plus the private fields the
 * domain needs (password hashes, membership windows, watermarks).
 */
import type {
  ConversationType,
  MemberRole,
  MessageType,
  PrivacyLevel,
  SendPolicy,
  SystemEvent,
} from '../protocol/dto.js';
import type { ChannelInfo } from './channel-store.js';

export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  phone: string | null;
  passwordHash: string;
  createdAt: string;
  privacyPresence: PrivacyLevel;
  privacyLastSeen: PrivacyLevel;
}

export interface NewUser {
  id: string;
  username: string;
  displayName: string;
  phone: string | null;
  passwordHash: string;
  createdAt: string;
}

export interface UserPatch {
  displayName?: string;
  avatarUrl?: string | null;
  privacyPresence?: PrivacyLevel;
  privacyLastSeen?: PrivacyLevel;
}

/**
 * A user's membership of a conversation. A member sees the messages with
 * `visibleFromSeq <= seq`, and, once removed, only up to `visibleToSeq`.
 * Watermarks are cumulative: everything up to them was sent on a live
 * connection, delivered to a device, or read.
 */
export interface MembershipRecord {
  conversationId: string;
  userId: string;
  role: MemberRole;
  joinedAt: string;
  visibleFromSeq: number;
  /** null while a member; the seq of the removal's system message after. */
  visibleToSeq: number | null;
  sentSeq: number;
  deliveredSeq: number;
  readSeq: number;
  deliveredAt: string | null;
  readAt: string | null;
}

export interface ConversationRecord {
  id: string;
  type: ConversationType;
  name: string | null;
  avatarUrl: string | null;
  createdBy: string;
  createdAt: string;
  lastSeq: number;
  lastActivityAt: string;
  sendPolicy: SendPolicy;
  /** Current members only, oldest first; of a channel, its admins only (it may have 100,000 readers). */
  members: MembershipRecord[];
  /** Set for type `channel` (see channel-store.ts). */
  channel?: ChannelInfo;
}

export interface ConversationPatch {
  name?: string;
  avatarUrl?: string | null;
  sendPolicy?: SendPolicy;
}

export interface MessageRecord {
  id: string;
  conversationId: string;
  senderId: string;
  seq: number;
  clientMsgId: string;
  type: MessageType;
  content: string;
  mediaId: string | null;
  replyToId: string | null;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  system: SystemEvent | null;
  /**
   * The media item `mediaId` names, loaded with the message (a batch lookup per
   * read, never one per message). Absent when the message carries none, was
   * deleted, or the media no longer exists.
   */
  media?: MediaRecord;
  /** Members the message @mentions (src/mentions); present only when there are some. */
  mentions?: string[];
  /** Present (true) only on a forwarded copy. */
  forwarded?: true;
}

/** A message before the store gives it a seq. */
export interface MessageDraft {
  id: string;
  conversationId: string;
  senderId: string;
  clientMsgId: string;
  type: MessageType;
  content: string;
  mediaId: string | null;
  replyToId: string | null;
  createdAt: string;
  system: SystemEvent | null;
  /** Distinct member ids, at most LIMITS.mentionsPerMessage; omit when none (never an empty array). */
  mentions?: string[];
  /** A forwarded copy; omit otherwise. */
  forwarded?: true;
}

/** A system message to post with a membership change, atomically. */
export type SystemDraft = Omit<MessageDraft, 'conversationId' | 'type' | 'clientMsgId' | 'mediaId' | 'replyToId'>;

/** What a media item is, from its sniffed type: decides which message types may carry it. */
export type MediaKind = 'image' | 'video' | 'audio' | 'file';

/** A preview image of a media item (images and videos). */
export interface MediaThumbnail {
  /** Blob key: the SHA-256 (hex) of the thumbnail's bytes. */
  key: string;
  mimeType: string;
  size: number;
  width: number;
  height: number;
}

/**
 * An uploaded file. The bytes live in the blob store under `blobKey`, the
 * SHA-256 of what is served (for images: re-encoded without metadata), so
 * identical bytes are stored once; `sha256` is the hash of the bytes as
 * uploaded, the key of the per-uploader deduplication.
 */
export interface MediaRecord {
  id: string;
  uploaderId: string;
  /** SHA-256 (hex) of the uploaded bytes. */
  sha256: string;
  kind: MediaKind;
  /** The sniffed type of the served bytes. */
  mimeType: string;
  /** Bytes served. */
  size: number;
  /** SHA-256 (hex) of the served bytes: the blob key and the ETag. */
  blobKey: string;
  /** Sanitised; never a storage path. */
  fileName: string | null;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  thumbnail: MediaThumbnail | null;
  createdAt: string;
  /** Upload, repeated upload or attachment to a message: what the orphan sweep looks at. */
  lastUsedAt: string;
}

export type NewMedia = Omit<MediaRecord, 'lastUsedAt'>;

/**
 * The storage interfaces. Narrow on purpose: a user store, a conversation store
 * and a message store, each implemented for SQLite (embedded, one node only) and
 * later PostgreSQL, and each checked by one shared contract suite in contract/.
 * Every method is durable before its promise resolves.
 */

import type { ChangeStore } from '../changes/store/store.js';
import type { MentionStore } from '../mentions/store/store.js';
import type { LinkPreviewStore } from '../previews/store/store.js';
import type { ConversationType, MemberRole, SendPolicy } from '../protocol/dto.js';
import type { PushQueue } from '../push/queue/queue.js';
import type { PushStore } from '../push/store/store.js';
import type { ChannelStore } from './channel-store.js';
import type { PinStore } from './pins/store.js';
import type {
  ConversationPatch,
  ConversationRecord,
  MediaRecord,
  MembershipRecord,
  MessageDraft,
  MessageRecord,
  NewMedia,
  NewUser,
  SystemDraft,
  UserPatch,
  UserRecord,
} from './records.js';

export interface UserStore {
  /** Throws StoreError('username_taken') when the username exists. */
  create(user: NewUser): Promise<UserRecord>;
  byId(id: string): Promise<UserRecord | null>;
  byIds(ids: readonly string[]): Promise<UserRecord[]>;
  byUsername(username: string): Promise<UserRecord | null>;
  /** Users whose username starts with `prefix`, alphabetical, at most `limit`. */
  searchByUsernamePrefix(prefix: string, limit: number): Promise<UserRecord[]>;
  update(id: string, patch: UserPatch): Promise<UserRecord | null>;

  addContact(ownerId: string, contactId: string): Promise<void>;
  removeContact(ownerId: string, contactId: string): Promise<void>;
  /** The owner's contacts, in the order they were added. */
  listContacts(ownerId: string): Promise<UserRecord[]>;
  isContact(ownerId: string, contactId: string): Promise<boolean>;

  block(blockerId: string, blockedId: string): Promise<void>;
  unblock(blockerId: string, blockedId: string): Promise<void>;
  isBlocked(blockerId: string, blockedId: string): Promise<boolean>;
  /** The users the blocker has blocked, oldest block first. */
  listBlocked(blockerId: string): Promise<UserRecord[]>;
}

export interface NewGroup {
  id: string;
  name: string;
  avatarUrl: string | null;
  createdBy: string;
  createdAt: string;
  /** Other initial members; the creator joins as admin. */
  memberIds: readonly string[];
  /** "created the group", posted as seq 1. */
  system: SystemDraft;
}

export interface MembershipChange {
  conversation: ConversationRecord;
  message: MessageRecord;
}

export interface ConversationListEntry {
  conversation: ConversationRecord;
  lastMessage: MessageRecord | null;
  /**
   * The user's unread messages: those with seq > max(readSeq, visibleFromSeq - 1)
   * sent by someone else, not of type 'system', not deleted. The user's own
   * messages never count, whatever its read watermark (sending moves none).
   */
  unreadCount: number;
}

/**
 * Only what changes with membership, settings and blocks (never watermarks or
 * new messages), so a single-writer store may cache it.
 */
export interface SendGrant {
  type: ConversationType;
  sendPolicy: SendPolicy;
  role: MemberRole;
  /** The first seq of the member's window: a reply may quote only from there on. */
  visibleFromSeq: number;
  /** A direct conversation whose other member blocked this user. */
  blockedByPeer: boolean;
}

export interface ConversationStore {
  /**
   * The direct conversation of the pair, created when missing. Unique per
   * unordered pair, also under concurrent calls.
   */
  getOrCreateDirect(
    id: string,
    userA: string,
    userB: string,
    createdAt: string,
  ): Promise<{ conversation: ConversationRecord; created: boolean }>;

  /** Creates the group, its members and its first system message (seq 1) in one step. */
  createGroup(group: NewGroup): Promise<MembershipChange>;

  byId(id: string): Promise<ConversationRecord | null>;

  /** The user's membership, current or past (removed members keep a closed window). */
  membership(conversationId: string, userId: string): Promise<MembershipRecord | null>;

  /**
   * What decides whether a current member may post, in one read whatever the
   * conversation's size; null for anyone who is not a current member.
   */
  sendGrant(conversationId: string, userId: string): Promise<SendGrant | null>;

  /**
   * Conversations the user is a current member of, newest activity first, each
   * with its newest message and the user's unread count (in the same round
   * trips whatever the number of conversations, not one query per conversation).
   */
  listForUser(userId: string): Promise<ConversationListEntry[]>;

  update(id: string, patch: ConversationPatch): Promise<ConversationRecord | null>;

  /**
   * Adds (or re-adds) a member and posts the system message, atomically; the
   * new member sees from that message on, its watermarks just below it.
   * Throws StoreError('member_limit') when the conversation would exceed
   * `maxMembers`, ('already_member') for a current member.
   */
  addMember(
    conversationId: string,
    userId: string,
    role: MemberRole,
    maxMembers: number,
    system: SystemDraft,
  ): Promise<MembershipChange>;

  /**
   * Ends a membership and posts the system message, atomically; the removed
   * member's window closes at that message. When the last admin goes, the
   * oldest remaining member becomes admin. Throws StoreError('not_member').
   */
  removeMember(conversationId: string, userId: string, system: SystemDraft): Promise<MembershipChange>;

  /** Changes a current member's role and posts the system message, atomically. */
  setRole(conversationId: string, userId: string, role: MemberRole, system: SystemDraft): Promise<MembershipChange>;

  /**
   * Moves watermarks forward only; never beyond the conversation's lastSeq.
   * Posting a message moves none (see MessageStore.append).
   */
  advanceWatermarks(
    conversationId: string,
    userId: string,
    marks: { sent?: number; delivered?: number; read?: number },
    at: string,
  ): Promise<MembershipRecord | null>;
}

export interface AppendResult {
  message: MessageRecord;
  /** false when (senderId, clientMsgId) existed: the first message is returned. */
  created: boolean;
  /**
   * The conversation's current members when the message was committed, read in
   * the same transaction: exactly who may receive it. Empty for a repeat.
   */
  recipientIds: string[];
}

export interface HistoryPage {
  messages: MessageRecord[];
  hasMore: boolean;
}

export interface SearchHit {
  message: MessageRecord;
  /** Opaque position for the next page: hits strictly older than it. */
  cursor: string;
}

/**
 * Messages. Every read (and append's answer) carries the media of the messages
 * that have one in MessageRecord.media, loaded in one lookup per call.
 */
export interface MessageStore {
  /**
   * Assigns the conversation's next dense seq atomically with the insert and is
   * durable before it resolves. Idempotent on (senderId, clientMsgId): a repeat,
   * also a concurrent one, resolves to the first message with created=false.
   * Throws StoreError('not_member') unless the sender is a current member, and
   * ('conversation_not_found'). Concurrent appends may be committed together.
   * No watermark moves, the sender's included: sending says nothing about what
   * the sender's devices received or read of the others' messages. The same
   * holds for the system messages of the membership changes.
   */
  append(draft: MessageDraft): Promise<AppendResult>;

  byId(id: string): Promise<MessageRecord | null>;
  bySeq(conversationId: string, seq: number): Promise<MessageRecord | null>;

  /**
   * Ascending seq within [fromSeq, toSeq]. With `before`, the newest `limit`
   * messages below it; with `after`, the oldest `limit` above it; with neither,
   * the newest `limit`. hasMore tells whether the window holds more in the
   * direction of paging (older for before/neither, newer for after).
   */
  page(
    conversationId: string,
    window: { fromSeq: number; toSeq: number },
    options: { limit: number; before?: number; after?: number },
  ): Promise<HistoryPage>;

  /**
   * Full-text search, newest first, over messages the user may see: its
   * conversations' windows, not deleted, optionally one conversation.
   */
  search(
    userId: string,
    query: string,
    options: { conversationId?: string; limit: number; cursor?: string },
  ): Promise<SearchHit[]>;

  /** Distinct senders of the messages with afterSeq < seq <= toSeq (whom a receipt concerns). */
  sendersBetween(conversationId: string, afterSeq: number, toSeq: number): Promise<string[]>;

  /** Replaces the content and sets editedAt; null if missing or deleted. */
  edit(id: string, content: string, editedAt: string): Promise<MessageRecord | null>;

  /** Erases content and media, keeps the row with deletedAt; idempotent. */
  softDelete(id: string, deletedAt: string): Promise<MessageRecord | null>;
}

/** What one device must be sent again: messages after `afterSeq`, up to `lastSeq`. */
export interface OutboxHead {
  conversationId: string;
  afterSeq: number;
  lastSeq: number;
  /** The user is no longer a member: lastSeq is the removal's seq, and nothing after it is theirs. */
  windowClosed: boolean;
}

/** A member's watermarks after a delivery or sent mark moved them. */
export interface WatermarkMove {
  conversationId: string;
  userId: string;
  /** The delivered watermark before and after. */
  previousDeliveredSeq: number;
  deliveredSeq: number;
}

/**
 * Per-device delivery state. Acks are per device, so one phone's ack does not
 * stop replay to the laptop; the member's delivered watermark is the highest
 * seq any of its devices acknowledged. Writes here are frequent (every
 * recipient acks every message), so implementations batch concurrent calls
 * into one transaction, like appends.
 */
export interface DeliveryStore {
  /**
   * Registers the device on first sight and returns, for every conversation the
   * user is a current member of, the device's position and the conversation's
   * lastSeq (what to replay is afterSeq < seq <= lastSeq; nothing when equal),
   * ordered by conversation activity (oldest first).
   * A new device's cursors start at the user's delivered watermarks: it does
   * not replay what a device of the user already acknowledged, but does replay
   * what none did, the user's own messages included (sending moves no
   * watermark). A known device with no cursor for a conversation (joined
   * since) starts at visibleFromSeq - 1. A conversation the user left or was
   * removed from is listed (windowClosed) while the device, which existed by
   * then, has not acknowledged up to the removal.
   */
  openDevice(userId: string, deviceId: string, at: string): Promise<OutboxHead[]>;

  /**
   * The device acknowledged every message up to `seq` (cumulative, forward
   * only, clamped to the conversation's lastSeq and the member's window). Moves
   * the member's delivered watermark too. Resolves with the delivered
   * watermark move, or null when the user never was a member. A past
   * member's device acknowledges within its closed window: its cursor moves,
   * the watermark does not (the move says so).
   */
  ackDelivery(
    userId: string,
    deviceId: string,
    conversationId: string,
    seq: number,
    at: string,
  ): Promise<WatermarkMove | null>;

  /** Messages up to `seq` were pushed on a live connection of the user (the sent watermark). */
  markSent(userId: string, conversationId: string, seq: number): Promise<void>;
}

export interface CreatedMedia {
  media: MediaRecord;
  /** false when the uploader already had media with the same sha256: that one is returned. */
  created: boolean;
}

/**
 * Uploaded media items (their metadata; the bytes live in a blob store). Message
 * reads attach the media a message carries (MessageRecord.media), batch-loaded.
 */
export interface MediaStore {
  /**
   * Stores a new media item, or resolves to the uploader's existing one with the
   * same sha256 (created=false, its lastUsedAt moved to `media.createdAt`), also
   * under concurrent calls. Throws StoreError('quota_exceeded') when the
   * uploader's media (files and thumbnails) would exceed `quotaBytes`, checked
   * atomically with the insert.
   */
  create(media: NewMedia, quotaBytes: number): Promise<CreatedMedia>;

  byId(id: string): Promise<MediaRecord | null>;

  /** The uploader's media item with this upload hash, or null. */
  byHash(uploaderId: string, sha256: string): Promise<MediaRecord | null>;

  /**
   * Moves lastUsedAt (forward only) of the uploader's own media item, before it
   * is attached to a message or answered for a repeated upload: a sweep with a
   * cutoff up to `at` no longer removes it. Null when missing or not the
   * uploader's.
   */
  touch(id: string, uploaderId: string, at: string): Promise<MediaRecord | null>;

  /** Bytes the uploader's media take: files and thumbnails. */
  usage(uploaderId: string): Promise<number>;

  /**
   * Whether the user may read the media item: its uploader, or a member
   * (current or past) whose membership window holds a message, not deleted,
   * that carries it.
   */
  canRead(mediaId: string, userId: string): Promise<boolean>;

  /**
   * Deletes up to `limit` media items last used before `cutoff` that no
   * message carries (never attached, or every message carrying them deleted),
   * oldest first, and resolves with them. Atomic per item against touch: an
   * item touched at or after the cutoff is kept.
   */
  deleteUnreferenced(cutoff: string, limit: number): Promise<MediaRecord[]>;

  /** Whether any media item uses the blob, as its file or its thumbnail. */
  blobInUse(key: string): Promise<boolean>;
}

/** Everything a node needs from storage, opened and closed together. */
/** A user's undelivered messages: those no device of theirs acknowledged (their outbox). */
export interface OutboxSize {
  userId: string;
  username: string;
  undelivered: number;
}

/** The operator flag and what the admin dashboard reads. */
export interface AdminStore {
  isAdmin(userId: string): Promise<boolean>;
  /** Sets or clears the flag; false when no user has that username. */
  setAdmin(username: string, admin: boolean): Promise<boolean>;
  /** Usernames of the admins, alphabetical. */
  listAdmins(): Promise<string[]>;
  /** The `limit` users with the most undelivered messages (none with zero), largest first. */
  largestOutboxes(limit: number): Promise<OutboxSize[]>;
}

export interface Storage {
  users: UserStore;
  conversations: ConversationStore;
  messages: MessageStore;
  delivery: DeliveryStore;
  media: MediaStore;
  admin: AdminStore;
  /** Push targets, mutes, notification settings (src/push/store). */
  push: PushStore;
  /** The durable push job queue (src/push/queue). */
  pushQueue: PushQueue;
  /** Broadcast channels (channel-store.ts). */
  channels: ChannelStore;
  /** Pinned and archived chats per user, pinned messages per conversation (src/store/pins). */
  pins: PinStore;
  /** The link preview cache and each message's preview (src/previews/store). */
  previews: LinkPreviewStore;
  /** Who a group's @names are, unread-mention counts (src/mentions); reads only. */
  mentions: MentionStore;
  /** Reactions and the per-conversation change stream (src/changes/store). */
  changes: ChangeStore;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  /** Connections of a pooled store (PostgreSQL), for the pool metric. */
  poolStats?(): { total: number; idle: number; waiting: number };
  /** Flushes pending writes and closes. */
  close(): Promise<void>;
}

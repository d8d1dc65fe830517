/**
 * Broadcast channels: conversations of type `channel` where admins post and up
 * to 100,000 members read. A channel is a conversation (its messages, seqs,
 * history and search are the message store's), but its membership is built
 * for size: joining posts no system message (members see the whole history),
 * no device cursor or outbox row is ever written for it, and reads move one
 * watermark plus a per-channel histogram of watermarks (reader counts), so
 * storage grows with members and distinct read positions, never with
 * members x messages. Implemented for SQLite and PostgreSQL; contract suite in
 * contract/channel-store.contract.ts.
 */
import type { MemberRole } from '../protocol/dto.js';
import type { ConversationRecord, SystemDraft } from './records.js';
import type { MembershipChange } from './stores.js';

export interface ChannelInfo {
  /** Anyone may find it and join it by id; otherwise admins add members. */
  public: boolean;
  /** Current members, admins included. */
  memberCount: number;
}

export interface NewChannel {
  id: string;
  name: string;
  avatarUrl: string | null;
  public: boolean;
  createdBy: string;
  createdAt: string;
  /** Initial readers besides the creator (its admin); unknown ids are skipped. */
  memberIds: readonly string[];
  /** "created the channel", posted as seq 1. */
  system: SystemDraft;
}

/** A channel a user's connections follow live, and where it stood when read. */
export interface ChannelSubscription {
  conversationId: string;
  lastSeq: number;
}

export interface ReadMove {
  previousReadSeq: number;
  readSeq: number;
}

export interface ChannelStore {
  /**
   * Creates the channel (type `channel`), its creator as admin, the initial
   * members and the system message at seq 1, atomically. Throws
   * StoreError('member_limit') beyond `maxMembers`.
   */
  create(channel: NewChannel, maxMembers: number): Promise<MembershipChange>;

  /** The channel's settings and size; null when the id is not a channel. */
  info(conversationId: string): Promise<ChannelInfo | null>;

  /**
   * Adds the users as members (role member) who see the whole history; no
   * system message. Current members and unknown users are skipped; a past
   * member comes back. Resolves with the ids added. Throws
   * StoreError('conversation_not_found') for a non-channel, ('member_limit')
   * when the channel would exceed `maxMembers` (then nobody is added).
   */
  addMembers(conversationId: string, userIds: readonly string[], at: string, maxMembers: number): Promise<string[]>;

  /**
   * Ends a membership; its window closes at the channel's lastSeq, which it
   * resolves with. Throws StoreError('not_member'), ('last_admin') for the
   * only admin.
   */
  remove(conversationId: string, userId: string): Promise<number>;

  /** Changes a current member's role. Throws ('not_member'), ('last_admin') demoting the only admin. */
  setRole(conversationId: string, userId: string, role: MemberRole): Promise<void>;

  /**
   * Moves a current member's read watermark forward (clamped to lastSeq), and
   * the reader counts with it, atomically. Null for anyone not a current member.
   */
  markRead(conversationId: string, userId: string, seq: number, at: string): Promise<ReadMove | null>;

  /** For each seq, the members whose read watermark reached it (past members keep counting). */
  readerCounts(conversationId: string, seqs: readonly number[]): Promise<Map<number, number>>;

  /** The channels the user is a current member of, with their lastSeq. */
  subscriptionsOf(userId: string): Promise<ChannelSubscription[]>;

  /** Public channels whose name starts with `prefix` (case-insensitive), by name, at most `limit`. */
  searchPublic(prefix: string, limit: number): Promise<ConversationRecord[]>;
}

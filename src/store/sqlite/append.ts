/**
 * Appends one draft inside an open transaction: the single insert path shared
 * by the group-committed MessageStore.append and the membership operations
 * (which post their system message in the same transaction as the change).
 */

import { annotations } from '../annotations.js';
import { StoreError } from '../errors.js';
import type { MessageDraft, MessageRecord } from '../records.js';
import type { AppendResult } from '../stores.js';
import type { Db } from './database.js';
import { MESSAGE_COLUMNS, type MessageRow, memberOrder, toMessage } from './rows.js';
import { SearchIndexer } from './search-index.js';

export interface AppendOptions {
  /**
   * Whether the sender must be a current member. Membership operations post
   * their system message on the domain's authority and pass false.
   */
  requireMember: boolean;
}

export class DraftWriter {
  private readonly byClientMsgId;
  private readonly conversationSeq;
  private readonly insert;
  private readonly bumpConversation;
  private readonly recipients;
  private readonly channelAdmins;
  private readonly searchIndex;

  constructor(private readonly db: Db) {
    this.searchIndex = new SearchIndexer(db);
    this.byClientMsgId = db.prepare<[string, string], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE sender_id = ? AND client_msg_id = ?`,
    );
    // One statement for the conversation and the sender's membership: every append asks both.
    this.conversationSeq = db.prepare<[string, string], { last_seq: number; type: string; is_member: 0 | 1 }>(
      `SELECT last_seq, type,
              EXISTS (SELECT 1 FROM memberships m
                       WHERE m.conversation_id = c.id AND m.user_id = ? AND m.visible_to_seq IS NULL) AS is_member
         FROM conversations c WHERE c.id = ?`,
    );
    this.insert = db.prepare(
      `INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, type, content,
                             media_id, reply_to_id, created_at, system_json, mentions_json, forwarded)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.bumpConversation = db.prepare<[number, string, string]>(
      'UPDATE conversations SET last_seq = ?, last_activity_at = max(last_activity_at, ?) WHERE id = ?',
    );
    this.recipients = db
      .prepare<[string], string>(
        `SELECT user_id FROM memberships
          WHERE conversation_id = ? AND visible_to_seq IS NULL ORDER BY ${memberOrder()}`,
      )
      .pluck();
    // A channel's readers (up to 100,000) are reached through the gateway's channel subscriptions.
    this.channelAdmins = db
      .prepare<[string], string>(
        `SELECT user_id FROM memberships INDEXED BY memberships_admins
          WHERE conversation_id = ? AND role = 'admin' AND visible_to_seq IS NULL ORDER BY ${memberOrder()}`,
      )
      .pluck();
  }

  /** Adds this transaction's appends to the search index; call once before its COMMIT. */
  indexAppended(): void {
    this.searchIndex.catchUp();
  }

  /** A system message posted on the domain's authority inside the caller's transaction, searchable once it commits. */
  postSystem(draft: MessageDraft): MessageRecord {
    const { message } = this.append(draft, { requireMember: false });
    this.indexAppended();
    return message;
  }

  /** Must run inside a transaction; refuses a draft with a StoreError before writing anything of it. */
  append(draft: MessageDraft, options: AppendOptions = { requireMember: true }): AppendResult {
    if (!this.db.inTransaction) throw new Error('DraftWriter.append needs an open transaction');

    const existing = this.byClientMsgId.get(draft.senderId, draft.clientMsgId);
    if (existing) return { message: toMessage(existing), created: false, recipientIds: [] };

    const conversation = this.conversationSeq.get(draft.senderId, draft.conversationId);
    if (!conversation) throw new StoreError('conversation_not_found');
    if (options.requireMember && !conversation.is_member) throw new StoreError('not_member');

    const seq = conversation.last_seq + 1;
    this.insert.run(
      draft.id,
      draft.conversationId,
      seq,
      draft.senderId,
      draft.clientMsgId,
      draft.type,
      draft.content,
      draft.mediaId,
      draft.replyToId,
      draft.createdAt,
      draft.system === null ? null : JSON.stringify(draft.system),
      draft.mentions && draft.mentions.length > 0 ? JSON.stringify(draft.mentions) : null,
      draft.forwarded ? 1 : 0,
    );
    this.bumpConversation.run(seq, draft.createdAt, draft.conversationId);
    // No watermark moves: sending says nothing about what the sender's devices
    // received or read of the others' messages (see MessageStore.append).

    const message: MessageRecord = {
      id: draft.id,
      conversationId: draft.conversationId,
      senderId: draft.senderId,
      seq,
      clientMsgId: draft.clientMsgId,
      type: draft.type,
      content: draft.content,
      mediaId: draft.mediaId,
      replyToId: draft.replyToId,
      createdAt: draft.createdAt,
      editedAt: null,
      deletedAt: null,
      system: draft.system === null ? null : { ...draft.system },
      ...annotations(draft.mentions, draft.forwarded),
    };
    // Read in the same transaction as the insert: exactly who may receive it.
    // For a membership change this is the membership before the change (a
    // removed member gets its removal, a member being added is not yet there).
    const recipientIds = (conversation.type === 'channel' ? this.channelAdmins : this.recipients).all(
      draft.conversationId,
    );
    return { message, created: true, recipientIds };
  }
}

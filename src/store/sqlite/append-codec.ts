/**
 * An append's answer from the writer thread, without what the caller sent: a
 * new message is the draft plus its seq (and its media, when it has some), so
 * only those cross between the threads. Copying whole messages back was a
 * measurable share of the main thread's time under load.
 */
import { annotations } from '../annotations.js';
import type { MediaRecord, MessageDraft, MessageRecord } from '../records.js';
import type { AppendResult } from '../stores.js';

export type PackedAppend =
  | { created: true; seq: number; recipientIds: string[]; media?: MediaRecord }
  | { created: false; result: AppendResult };

export function packAppend(result: AppendResult): PackedAppend {
  if (!result.created) return { created: false, result };
  const { seq, media } = result.message;
  return { created: true, seq, recipientIds: result.recipientIds, ...(media ? { media } : {}) };
}

export function unpackAppend(draft: MessageDraft, packed: PackedAppend): AppendResult {
  if (!packed.created) return packed.result;
  // Field by field rather than rest and spread of the whole draft: this runs for every message,
  // and that copy was a measurable share of the main thread. Mentions and the forwarded flag as
  // a read gives them back (absent when empty or false).
  const message: MessageRecord = {
    id: draft.id,
    conversationId: draft.conversationId,
    senderId: draft.senderId,
    clientMsgId: draft.clientMsgId,
    type: draft.type,
    content: draft.content,
    mediaId: draft.mediaId,
    replyToId: draft.replyToId,
    createdAt: draft.createdAt,
    system: draft.system,
    seq: packed.seq,
    editedAt: null,
    deletedAt: null,
    ...annotations(draft.mentions, draft.forwarded),
  };
  if (packed.media) message.media = packed.media;
  return { message, created: true, recipientIds: packed.recipientIds };
}

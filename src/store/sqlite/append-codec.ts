/**
 * An append's answer from the writer thread, without what the caller sent: a
 * new message is the draft plus its seq (and its media, when it has some), so
 * only those cross between the threads. Copying whole messages back was a
 * measurable share of the main thread's time under load.
 */
import { annotations } from '../annotations.js';
import type { MediaRecord, MessageDraft } from '../records.js';
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
  // Mentions and the forwarded flag as a read gives them back (absent when empty or false).
  const { mentions, forwarded, ...plain } = draft;
  return {
    message: {
      ...plain,
      ...annotations(mentions, forwarded),
      seq: packed.seq,
      editedAt: null,
      deletedAt: null,
      ...(packed.media ? { media: packed.media } : {}),
    },
    created: true,
    recipientIds: packed.recipientIds,
  };
}

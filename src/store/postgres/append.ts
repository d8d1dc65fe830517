/**
 * The single insert path, shared by the group-committed MessageStore.append
 * and the membership changes (which post their system message inside their
 * own transaction): the chat_append_one / chat_append_batch functions.
 */
import type pg from 'pg';
import { StoreError } from '../errors.js';
import type { MessageDraft, MessageRecord } from '../records.js';
import type { AppendResult } from '../stores.js';
import { BatchCommitter, type BatchOptions, type Outcome } from './batch.js';
import type { Queryable } from './pool.js';
import { type MessageRow, toMessage } from './rows.js';

interface AppendRow extends Omit<MessageRow, 'pos'> {
  outcome: 'created' | 'repeat' | 'conversation_not_found' | 'not_member';
  pos: number | null;
  recipients: string[] | null;
}

/** The draft as the SQL functions read it. */
function draftJson(draft: MessageDraft, requireMember: boolean): Record<string, unknown> {
  return {
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
    ...(draft.mentions && draft.mentions.length > 0 ? { mentions: draft.mentions } : {}),
    ...(draft.forwarded ? { forwarded: true } : {}),
    requireMember,
  };
}

function toOutcome(row: AppendRow): Outcome<AppendResult> {
  switch (row.outcome) {
    case 'created':
    case 'repeat': {
      const message = toMessage({ ...row, pos: row.pos ?? 0 });
      return row.outcome === 'created'
        ? { ok: true, value: { message, created: true, recipientIds: row.recipients ?? [] } }
        : { ok: true, value: { message, created: false, recipientIds: [] } };
    }
    case 'conversation_not_found':
    case 'not_member':
      return { ok: false, error: new StoreError(row.outcome) };
    default:
      return { ok: false, error: new Error(`unexpected append outcome ${String(row.outcome)}`) };
  }
}

/** Refused before reaching the database: a createdAt PostgreSQL could not store. */
export function invalidDraft(draft: MessageDraft): Error | null {
  return Number.isNaN(Date.parse(draft.createdAt)) ? new Error(`invalid createdAt ${draft.createdAt}`) : null;
}

/**
 * Appends one draft inside the caller's open transaction (the conversation
 * row should already be locked by the caller). Throws StoreError for refusals.
 */
export async function appendInTransaction(
  client: Queryable,
  draft: MessageDraft,
  requireMember: boolean,
): Promise<AppendResult> {
  const invalid = invalidDraft(draft);
  if (invalid) throw invalid;
  const { rows } = await client.query<AppendRow>('SELECT * FROM chat_append_one($1::jsonb, $2)', [
    JSON.stringify(draftJson(draft, requireMember)),
    requireMember,
  ]);
  const row = rows[0];
  if (!row) throw new Error('chat_append_one returned no row');
  const outcome = toOutcome(row);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** Posts a membership change's system message in the change's transaction. */
export async function postSystemMessage(client: Queryable, draft: MessageDraft): Promise<MessageRecord> {
  return (await appendInTransaction(client, draft, false)).message;
}

/** Group commit for MessageStore.append, observed as `messages.commit_batch`. */
export class AppendCommitter extends BatchCommitter<MessageDraft, AppendResult> {
  constructor(pool: pg.Pool, options: BatchOptions = {}) {
    super(
      async (drafts) => {
        // One statement: its implicit transaction commits the whole batch.
        const { rows } = await pool.query<AppendRow>('SELECT * FROM chat_append_batch($1::jsonb)', [
          JSON.stringify(drafts.map((draft) => draftJson(draft, true))),
        ]);
        return rows.map(toOutcome);
      },
      'messages.commit_batch',
      options,
    );
  }
}

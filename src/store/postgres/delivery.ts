/**
 * DeliveryStore on PostgreSQL: devices, their per-conversation cursors, and the
 * members' sent/delivered watermarks. Acks and sent marks are frequent (every
 * recipient acks every message), so they are group-committed like appends:
 * the calls queued meanwhile are written by one chat_delivery_batch call (one
 * round trip, one transaction), in call order, each seeing the state the
 * previous one left.
 */
import type pg from 'pg';
import type { DeliveryStore, OutboxHead, WatermarkMove } from '../stores.js';
import { BatchCommitter, type BatchOptions, type Flushable } from './batch.js';
import { type Observe, report, timed } from './pool.js';

interface Ack {
  kind: 'ack';
  userId: string;
  deviceId: string;
  conversationId: string;
  /** null for a non-finite seq. */
  seq: number | null;
  at: string;
}

interface SentMark {
  kind: 'sent';
  userId: string;
  conversationId: string;
  seq: number | null;
}

type DeliveryWrite = Ack | SentMark;

interface MoveRow {
  conversation_id: string | null;
  user_id: string | null;
  previous_delivered_seq: number | null;
  delivered_seq: number | null;
}

interface OutboxRow {
  o_conversation_id: string;
  o_after_seq: number;
  o_last_seq: number;
  o_window_closed: boolean;
}

/** A finite seq as an integer PostgreSQL's bigint takes; null otherwise. */
function seqValue(seq: number): number | null {
  if (!Number.isFinite(seq)) return null;
  return Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, Math.floor(seq)));
}

function toMove(row: MoveRow): WatermarkMove | null {
  if (row.conversation_id === null || row.user_id === null) return null;
  return {
    conversationId: row.conversation_id,
    userId: row.user_id,
    previousDeliveredSeq: row.previous_delivered_seq ?? 0,
    deliveredSeq: row.delivered_seq ?? 0,
  };
}

export class PostgresDeliveryStore implements DeliveryStore, Flushable {
  private readonly batcher: BatchCommitter<DeliveryWrite, WatermarkMove | null>;

  constructor(
    private readonly pool: pg.Pool,
    options: BatchOptions = {},
    private readonly observe?: Observe,
  ) {
    this.batcher = new BatchCommitter<DeliveryWrite, WatermarkMove | null>(
      async (writes) => {
        const { rows } = await pool.query<MoveRow>('SELECT * FROM chat_delivery_batch($1::jsonb)', [
          JSON.stringify(writes),
        ]);
        return rows.map((row) => ({ ok: true, value: toMove(row) }));
      },
      'delivery.commit_batch',
      options,
    );
  }

  openDevice(userId: string, deviceId: string, at: string): Promise<OutboxHead[]> {
    return timed(this.observe, 'delivery.openDevice', async () => {
      // Acks queued before this call count for its outbox.
      await this.batcher.flushAll();
      // Registration and outbox in one statement, hence one transaction.
      const { rows } = await this.pool.query<OutboxRow>('SELECT * FROM chat_open_device($1, $2, $3)', [
        userId,
        deviceId,
        at,
      ]);
      return rows.map((row) => ({
        conversationId: row.o_conversation_id,
        afterSeq: row.o_after_seq,
        lastSeq: row.o_last_seq,
        windowClosed: row.o_window_closed,
      }));
    });
  }

  ackDelivery(
    userId: string,
    deviceId: string,
    conversationId: string,
    seq: number,
    at: string,
  ): Promise<WatermarkMove | null> {
    return this.enqueue('delivery.ackDelivery', {
      kind: 'ack',
      userId,
      deviceId,
      conversationId,
      seq: seqValue(seq),
      at,
    });
  }

  async markSent(userId: string, conversationId: string, seq: number): Promise<void> {
    await this.enqueue('delivery.markSent', { kind: 'sent', userId, conversationId, seq: seqValue(seq) });
  }

  /** Resolves once the acks and sent marks queued so far are committed. */
  flushAll(): Promise<void> {
    return this.batcher.flushAll();
  }

  /** Refuses new writes and flushes what is queued. */
  close(): Promise<void> {
    return this.batcher.close();
  }

  private enqueue(operation: string, write: DeliveryWrite): Promise<WatermarkMove | null> {
    const startedAt = performance.now();
    const settled = () => report(this.observe, operation, startedAt);
    const result = this.batcher.enqueue(write);
    result.then(settled, settled);
    return result;
  }
}

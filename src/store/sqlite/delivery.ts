/**
 * DeliveryStore on SQLite: devices, their per-conversation cursors, and the
 * members' sent/delivered watermarks. Acks and sent marks are frequent (every
 * recipient acks every message), so they are group-committed like appends:
 * the calls of one tick are written in one transaction, in call order, each
 * seeing the state the previous one left.
 */
import type { DeliveryStore, OutboxHead, WatermarkMove } from '../stores.js';
import { type Db, type Observe, report, timed } from './database.js';
import { BatchCommitter, type Flushable, type GroupCommitOptions } from './group-commit.js';

interface Ack {
  kind: 'ack';
  userId: string;
  deviceId: string;
  conversationId: string;
  seq: number;
  at: string;
}

interface SentMark {
  kind: 'sent';
  userId: string;
  conversationId: string;
  seq: number;
}

type DeliveryWrite = Ack | SentMark;

interface MemberWindowRow {
  visible_from_seq: number;
  /** The window's last seq: the conversation's for a current member, the removal's for a past one. */
  window_end: number;
  window_closed: 0 | 1;
  sent_seq: number;
  delivered_seq: number;
}

interface OutboxRow {
  conversation_id: string;
  after_seq: number;
  last_seq: number;
  window_closed: 0 | 1;
}

export class SqliteDeliveryStore implements DeliveryStore, Flushable {
  private readonly batcher: BatchCommitter<DeliveryWrite, WatermarkMove | null>;
  private readonly open: (userId: string, deviceId: string, at: string) => OutboxHead[];
  private readonly statements;

  constructor(
    db: Db,
    options: GroupCommitOptions = {},
    private readonly observe?: Observe,
  ) {
    this.statements = {
      // Registers a known user's device; 0 changes for a known device (or an
      // unknown user, who has no memberships and so no outbox either).
      registerDevice: db.prepare<{ userId: string; deviceId: string; at: string }>(
        `INSERT OR IGNORE INTO devices (user_id, device_id, first_seen_at)
         SELECT id, @deviceId, @at FROM users WHERE id = @userId`,
      ),
      // A new device starts where the user's other devices got: the delivered watermarks.
      seedCursors: db.prepare<{ userId: string; deviceId: string }>(
        `INSERT OR IGNORE INTO device_cursors (user_id, device_id, conversation_id, acked_seq)
         SELECT user_id, @deviceId, conversation_id, delivered_seq
           FROM memberships WHERE user_id = @userId AND visible_to_seq IS NULL
            AND NOT EXISTS (SELECT 1 FROM channels ch WHERE ch.conversation_id = memberships.conversation_id)`,
      ),
      // Without a cursor (joined since the device was registered) from the
      // window's start; a cursor left from an earlier membership never reaches
      // below the current window. A closed window (the user left or was
      // removed) still owes the device what it had not acknowledged up to the
      // removal, when the device existed by then.
      outbox: db.prepare<{ userId: string; deviceId: string }, OutboxRow>(
        `SELECT conversation_id, last_seq, after_seq, window_closed FROM (
           SELECT c.id AS conversation_id, coalesce(mb.visible_to_seq, c.last_seq) AS last_seq,
                  max(coalesce(dc.acked_seq, mb.visible_from_seq - 1), mb.visible_from_seq - 1) AS after_seq,
                  mb.visible_to_seq IS NOT NULL AS window_closed,
                  dc.acked_seq IS NOT NULL
                    OR (SELECT d.first_seen_at FROM devices d WHERE d.user_id = mb.user_id AND d.device_id = @deviceId)
                       <= (SELECT m.created_at FROM messages m
                            WHERE m.conversation_id = mb.conversation_id AND m.seq = mb.visible_to_seq) AS device_knew,
                  c.last_activity_at, c.last_seq AS conversation_last_seq
             FROM memberships mb
             JOIN conversations c ON c.id = mb.conversation_id
             LEFT JOIN device_cursors dc
               ON dc.user_id = mb.user_id AND dc.device_id = @deviceId AND dc.conversation_id = mb.conversation_id
            WHERE mb.user_id = @userId AND c.type <> 'channel')
          WHERE NOT window_closed OR (after_seq < last_seq AND device_knew)
          ORDER BY last_activity_at ASC, conversation_last_seq ASC, conversation_id ASC`,
      ),
      memberWindow: db.prepare<[string, string], MemberWindowRow>(
        `SELECT mb.visible_from_seq, coalesce(mb.visible_to_seq, c.last_seq) AS window_end,
                mb.visible_to_seq IS NOT NULL AS window_closed, mb.sent_seq, mb.delivered_seq
           FROM memberships mb JOIN conversations c ON c.id = mb.conversation_id
          WHERE mb.conversation_id = ? AND mb.user_id = ?`,
      ),
      advanceCursor: db.prepare<{ userId: string; deviceId: string; conversationId: string; seq: number }>(
        `INSERT INTO device_cursors (user_id, device_id, conversation_id, acked_seq)
         VALUES (@userId, @deviceId, @conversationId, @seq)
         ON CONFLICT (user_id, device_id, conversation_id)
         DO UPDATE SET acked_seq = max(acked_seq, excluded.acked_seq)`,
      ),
      // Right-hand sides read the old values, so the CASE sees the old watermark.
      advanceDelivered: db.prepare<{ userId: string; conversationId: string; seq: number; at: string }>(
        `UPDATE memberships
            SET sent_seq = max(sent_seq, @seq),
                delivered_seq = max(delivered_seq, @seq),
                delivered_at = CASE WHEN delivered_seq < @seq THEN @at ELSE delivered_at END
          WHERE conversation_id = @conversationId AND user_id = @userId`,
      ),
      advanceSent: db.prepare<{ userId: string; conversationId: string; seq: number }>(
        `UPDATE memberships
            SET sent_seq = min(@seq, (SELECT last_seq FROM conversations WHERE id = @conversationId))
          WHERE conversation_id = @conversationId AND user_id = @userId AND visible_to_seq IS NULL
            AND sent_seq < min(@seq, (SELECT last_seq FROM conversations WHERE id = @conversationId))`,
      ),
    };

    this.open = db.transaction((userId: string, deviceId: string, at: string): OutboxHead[] => {
      this.ensureDevice(userId, deviceId, at);
      return this.statements.outbox.all({ userId, deviceId }).map((row) => ({
        conversationId: row.conversation_id,
        afterSeq: row.after_seq,
        lastSeq: row.last_seq,
        windowClosed: row.window_closed === 1,
      }));
    }).immediate;

    this.batcher = new BatchCommitter<DeliveryWrite, WatermarkMove | null>(
      db,
      (write) => (write.kind === 'ack' ? this.applyAck(write) : this.applySent(write)),
      // Not durable: a crash may lose the last acks, which only means those messages are delivered again.
      { ...options, operation: 'delivery.commit_batch', durable: false },
    );
  }

  openDevice(userId: string, deviceId: string, at: string): Promise<OutboxHead[]> {
    return timed(this.observe, 'delivery.openDevice', () => {
      // Acks queued before this call count for its outbox.
      this.batcher.flushAll();
      return this.open(userId, deviceId, at);
    });
  }

  ackDelivery(
    userId: string,
    deviceId: string,
    conversationId: string,
    seq: number,
    at: string,
  ): Promise<WatermarkMove | null> {
    return this.enqueue('delivery.ackDelivery', { kind: 'ack', userId, deviceId, conversationId, seq, at });
  }

  async markSent(userId: string, conversationId: string, seq: number): Promise<void> {
    await this.enqueue('delivery.markSent', { kind: 'sent', userId, conversationId, seq });
  }

  /** Commits the queued acks and sent marks now (before other writes, at close). */
  flushAll(): void {
    this.batcher.flushAll();
  }

  /** Flushes what is queued and refuses new writes. */
  close(): void {
    this.batcher.close();
  }

  private enqueue(operation: string, write: DeliveryWrite): Promise<WatermarkMove | null> {
    const startedAt = performance.now();
    const settled = () => report(this.observe, operation, startedAt);
    const result = this.batcher.enqueue(write);
    result.then(settled, settled);
    return result;
  }

  /** Registers the device on first sight, its cursors at the user's delivered watermarks. */
  private ensureDevice(userId: string, deviceId: string, at: string): void {
    if (this.statements.registerDevice.run({ userId, deviceId, at }).changes === 1) {
      this.statements.seedCursors.run({ userId, deviceId });
    }
  }

  private applyAck(ack: Ack): WatermarkMove | null {
    // A past member's device may still acknowledge what its window held.
    const member = this.statements.memberWindow.get(ack.conversationId, ack.userId);
    if (!member) return null;
    // An ack from a device never opened registers it like openDevice would, so
    // its other conversations do not replay from the start later.
    this.ensureDevice(ack.userId, ack.deviceId, ack.at);
    const floor = member.visible_from_seq - 1;
    const seq = Number.isFinite(ack.seq) ? Math.max(floor, Math.min(Math.floor(ack.seq), member.window_end)) : floor;
    const { userId, deviceId, conversationId } = ack;
    this.statements.advanceCursor.run({ userId, deviceId, conversationId, seq });
    // A past member's ack only ends its device's replay: it tells the group nothing.
    if (member.window_closed === 1) {
      return { conversationId, userId, previousDeliveredSeq: member.delivered_seq, deliveredSeq: member.delivered_seq };
    }
    if (seq > member.delivered_seq || seq > member.sent_seq) {
      this.statements.advanceDelivered.run({ userId, conversationId, seq, at: ack.at });
    }
    return {
      conversationId,
      userId,
      previousDeliveredSeq: member.delivered_seq,
      deliveredSeq: Math.max(member.delivered_seq, seq),
    };
  }

  private applySent(mark: SentMark): null {
    if (Number.isFinite(mark.seq)) {
      this.statements.advanceSent.run({
        userId: mark.userId,
        conversationId: mark.conversationId,
        seq: Math.floor(mark.seq),
      });
    }
    return null;
  }
}

/**
 * Outgoing receipts. Delivery acks (`message:received`) are cumulative per
 * conversation and coalesced: after messages reach the app, one ack per
 * conversation goes out within `delayMs` (or at once on `flush()`, e.g. on
 * sync:done). A replayed duplicate asks for an ack again, so a lost ack is
 * repeated on the next connection. Read marks (`message:read`) go out at once,
 * or on the next connection while offline.
 */
import type { ClientFrame } from './protocol.js';

export class ReceiptSender {
  /** Conversations with something delivered since their last ack. */
  private readonly due = new Set<string>();
  /** Highest ack sent per conversation on the current connection. */
  private readonly acked = new Map<string, number>();
  private readonly reads = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly transmit: (frame: ClientFrame) => boolean,
    /** Last seq delivered to the app in a conversation. */
    private readonly cursorOf: (conversationId: string) => number | undefined,
    private readonly delayMs = 100,
  ) {}

  /** Messages of this conversation reached the app (or were replayed again). */
  delivered(conversationId: string): void {
    this.due.add(conversationId);
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flush();
    }, this.delayMs);
  }

  /** Cumulative read mark; kept until it gets out. */
  read(conversationId: string, seq: number): void {
    if (seq > (this.reads.get(conversationId) ?? -1)) this.reads.set(conversationId, seq);
    this.flushReads();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const conversationId of [...this.due]) {
      const seq = this.cursorOf(conversationId);
      if (seq === undefined || seq <= 0 || (this.acked.get(conversationId) ?? -1) >= seq) {
        this.due.delete(conversationId);
        continue;
      }
      if (!this.transmit({ type: 'message:received', conversationId, seq })) return;
      this.acked.set(conversationId, seq);
      this.due.delete(conversationId);
    }
    this.flushReads();
  }

  /** A new connection: nothing is known to have been acked on it yet. */
  connected(): void {
    this.acked.clear();
    this.flush();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private flushReads(): void {
    for (const [conversationId, seq] of [...this.reads]) {
      if (!this.transmit({ type: 'message:read', conversationId, seq })) return;
      this.reads.delete(conversationId);
    }
  }
}

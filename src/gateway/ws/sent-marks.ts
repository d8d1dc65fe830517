/**
 * The sent watermark (a message reached a live connection) moves for every
 * recipient of every message. Only the highest seq per member matters, so the
 * marks are coalesced here and written a few times a second, not per frame.
 */
import type { DeliveryStore } from '../../store/stores.js';

export class SentMarks {
  private readonly pending = new Map<string, { userId: string; conversationId: string; seq: number }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly delivery: DeliveryStore,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  mark(userId: string, conversationId: string, seq: number): void {
    const key = `${userId}\u0000${conversationId}`;
    const entry = this.pending.get(key);
    if (entry) entry.seq = Math.max(entry.seq, seq);
    else this.pending.set(key, { userId, conversationId, seq });
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const entries = [...this.pending.values()];
    this.pending.clear();
    await Promise.all(
      entries.map((e) => this.delivery.markSent(e.userId, e.conversationId, e.seq).catch(this.onError)),
    );
  }
}

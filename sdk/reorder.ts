/**
 * Per-conversation reorder buffer: hands messages to the app in strictly
 * increasing seq with no gaps, each message once. A message ahead of the
 * cursor waits; if the gap is still open after `gapWaitMs` the missing range
 * is read over REST (`?after=cursor`). Seqs the caller may not see (outside its
 * membership window) are skipped when the history shows they are not there.
 */
import type { Message } from './protocol.js';

export interface HistoryPageLike {
  messages: Message[];
  hasMore: boolean;
}

export interface ReorderOptions {
  /** How long a gap may stay open before it is filled over REST (default 500 ms). */
  gapWaitMs?: number;
  /** Longest wait between attempts after REST failures (default 30 s). */
  maxRetryMs?: number;
  /** Messages with seq > afterSeq, ascending (the history route with `after`). */
  fetchAfter(conversationId: string, afterSeq: number): Promise<HistoryPageLike>;
  /** Messages of one conversation, contiguous and in order, to hand to the app. */
  deliver(conversationId: string, messages: Message[]): void;
  onError?(error: unknown): void;
}

interface Lane {
  /** Last seq delivered to the app; null until the first message sets the start. */
  cursor: number | null;
  pending: Map<number, Message>;
  timer: ReturnType<typeof setTimeout> | null;
  fetching: boolean;
  failures: number;
}

/** Ids of recently delivered messages: a second guard besides the seq cursor. */
const RECENT_IDS = 10_000;

export class ReorderBuffer {
  private readonly lanes = new Map<string, Lane>();
  private readonly recent = new Set<string>();
  private readonly gapWaitMs: number;
  private readonly maxRetryMs: number;
  private stopped = false;

  constructor(
    private readonly options: ReorderOptions,
    cursors: Record<string, number> = {},
  ) {
    this.gapWaitMs = options.gapWaitMs ?? 500;
    this.maxRetryMs = options.maxRetryMs ?? 30_000;
    for (const [conversationId, seq] of Object.entries(cursors)) this.lane(conversationId).cursor = seq;
  }

  /** A message from any source (live, replay, REST); duplicates and old ones are dropped. */
  push(message: Message): void {
    if (this.recent.has(message.id)) return;
    const lane = this.lane(message.conversationId);
    // The first message of a conversation without a cursor is its start.
    lane.cursor ??= message.seq - 1;
    if (message.seq <= lane.cursor || lane.pending.has(message.seq)) return;
    lane.pending.set(message.seq, message);
    this.drain(message.conversationId, lane);
  }

  /** Last delivered seq of a conversation, if known. */
  cursor(conversationId: string): number | undefined {
    return this.lanes.get(conversationId)?.cursor ?? undefined;
  }

  cursors(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, lane] of this.lanes) if (lane.cursor !== null) out[id] = lane.cursor;
    return out;
  }

  /** Conversations waiting on a gap, with their cursors (what a `sync` frame asks for). */
  gaps(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, lane] of this.lanes) if (lane.cursor !== null && lane.pending.size > 0) out[id] = lane.cursor;
    return out;
  }

  /** Number of messages held back, over all conversations. */
  get held(): number {
    let total = 0;
    for (const lane of this.lanes.values()) total += lane.pending.size;
    return total;
  }

  /** Drops a conversation's state (the caller left it): its next message starts it afresh. */
  forget(conversationId: string): void {
    const lane = this.lanes.get(conversationId);
    if (lane?.timer) clearTimeout(lane.timer);
    this.lanes.delete(conversationId);
  }

  /** Stops timers; pending gaps are filled again after `resume()`. */
  pause(): void {
    this.stopped = true;
    for (const lane of this.lanes.values()) {
      if (lane.timer) clearTimeout(lane.timer);
      lane.timer = null;
    }
  }

  resume(): void {
    this.stopped = false;
    for (const [id, lane] of this.lanes) this.schedule(id, lane);
  }

  private lane(conversationId: string): Lane {
    let lane = this.lanes.get(conversationId);
    if (!lane) {
      lane = { cursor: null, pending: new Map(), timer: null, fetching: false, failures: 0 };
      this.lanes.set(conversationId, lane);
    }
    return lane;
  }

  /** Delivers what is contiguous with the cursor; a remaining gap arms the timer. */
  private drain(conversationId: string, lane: Lane): void {
    const out: Message[] = [];
    for (;;) {
      if (lane.cursor === null) break;
      const next = lane.pending.get(lane.cursor + 1);
      if (!next) break;
      lane.pending.delete(next.seq);
      lane.cursor = next.seq;
      if (this.recent.has(next.id)) continue;
      this.remember(next.id);
      out.push(next);
    }
    if (lane.pending.size === 0) {
      if (lane.timer) clearTimeout(lane.timer);
      lane.timer = null;
      lane.failures = 0;
    } else {
      this.schedule(conversationId, lane);
    }
    if (out.length > 0) this.options.deliver(conversationId, out);
  }

  private schedule(conversationId: string, lane: Lane, delayMs?: number): void {
    if (this.stopped || lane.timer || lane.fetching || lane.pending.size === 0) return;
    const wait = delayMs ?? Math.min(this.gapWaitMs * 2 ** lane.failures, Math.max(this.maxRetryMs, this.gapWaitMs));
    lane.timer = setTimeout(() => {
      lane.timer = null;
      void this.fill(conversationId, lane);
    }, wait);
  }

  /** Reads the missing range over REST. */
  private async fill(conversationId: string, lane: Lane): Promise<void> {
    if (lane.cursor === null || lane.pending.size === 0 || this.lanes.get(conversationId) !== lane) return;
    const after = lane.cursor;
    lane.fetching = true;
    let more = false;
    try {
      const page = await this.options.fetchAfter(conversationId, after);
      lane.failures = 0;
      more = page.hasMore;
      if (this.lanes.get(conversationId) !== lane) return;
      for (const message of page.messages) {
        if (lane.cursor !== null && message.seq > lane.cursor && !lane.pending.has(message.seq)) {
          lane.pending.set(message.seq, message);
        }
      }
      if (lane.cursor === after) {
        // History answers the oldest messages after the cursor that we may see:
        // whatever lies between is outside our window and will never come.
        const first = page.messages[0]?.seq ?? (lane.pending.size > 0 ? Math.min(...lane.pending.keys()) : null);
        if (first !== null && first > after + 1) this.skipTo(lane, first - 1);
      }
    } catch (error) {
      lane.failures += 1;
      this.options.onError?.(error);
    } finally {
      lane.fetching = false;
    }
    this.drain(conversationId, lane);
    if (more && lane.pending.size > 0 && lane.timer) {
      clearTimeout(lane.timer);
      lane.timer = null;
      this.schedule(conversationId, lane, 0);
    }
  }

  private skipTo(lane: Lane, seq: number): void {
    lane.cursor = seq;
    for (const key of lane.pending.keys()) if (key <= seq) lane.pending.delete(key);
  }

  private remember(id: string): void {
    this.recent.add(id);
    if (this.recent.size > RECENT_IDS) {
      const oldest = this.recent.values().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
  }
}

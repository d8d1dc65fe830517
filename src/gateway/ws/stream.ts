/**
 * One conversation's message stream on one connection. It guarantees what the
 * protocol promises: `message:new` frames in strictly increasing seq with no
 * gaps, live and replayed frames together. Live messages that arrive ahead of
 * the cursor wait in a small buffer while the missing ones are read from the
 * store (they are durable before any event is emitted, so the store has them).
 */
import type { MessageRecord } from '../../store/records.js';

export interface StreamSource {
  /** Messages with seq > afterSeq and <= toSeq, ascending, at most `limit`. */
  readAfter(afterSeq: number, toSeq: number, limit: number): Promise<MessageRecord[]>;
}

export interface StreamSink {
  /** Sends one message frame, in call order. */
  /** `replayed`: read from the store (catch-up), not offered live. */
  deliver(message: MessageRecord, replayed?: boolean): void;
  /** Resolves when the connection can take more (replay paces itself by this). */
  drained(): Promise<void>;
}

const PAGE = 200;
/** Live messages held while catching up; beyond this they are re-read from the store. */
const MAX_PENDING = 512;
const OPEN_END = Number.MAX_SAFE_INTEGER;

export class ConversationStream {
  private pending = new Map<number, MessageRecord>();
  private highestOffered = 0;
  private catchingUp: Promise<void> | null = null;
  /** Last seq this member may see: set when removed. */
  private endSeq = OPEN_END;
  private closed = false;

  constructor(
    readonly conversationId: string,
    /** Last seq sent on this connection; null until the starting point is known. */
    private cursor: number | null,
    private readonly source: StreamSource,
    private readonly sink: StreamSink,
    private readonly onError: (error: unknown) => void,
  ) {}

  get position(): number | null {
    return this.cursor;
  }

  /** A live message. */
  offer(message: MessageRecord): void {
    if (this.closed || message.seq > this.endSeq) return;
    if (this.cursor !== null && message.seq <= this.cursor) return;
    this.highestOffered = Math.max(this.highestOffered, message.seq);
    if (this.cursor !== null && !this.catchingUp && message.seq === this.cursor + 1 && this.pending.size === 0) {
      this.cursor = message.seq;
      this.sink.deliver(message);
      return;
    }
    if (this.pending.size < MAX_PENDING) this.pending.set(message.seq, message);
    if (this.cursor !== null) void this.catchUp();
  }

  /** Starts (or restarts, for a client's `sync`) from `afterSeq` and replays up to `knownLastSeq`. */
  resumeFrom(afterSeq: number, knownLastSeq: number): Promise<void> {
    this.cursor = afterSeq;
    this.highestOffered = Math.max(this.highestOffered, knownLastSeq);
    return this.catchUp();
  }

  /** Catches up from where it is to at least `knownLastSeq` (live messages may have been missed). */
  catchUpTo(knownLastSeq: number): Promise<void> {
    this.highestOffered = Math.max(this.highestOffered, knownLastSeq);
    return this.cursor === null ? Promise.resolve() : this.catchUp();
  }

  /** The member was removed: nothing after `lastVisibleSeq` goes out. */
  end(lastVisibleSeq: number): void {
    this.endSeq = Math.min(this.endSeq, lastVisibleSeq);
  }

  /** Whether `seq` lies past the end set by end(): this stream will never send it. */
  endsBefore(seq: number): boolean {
    return seq > this.endSeq;
  }

  close(): void {
    this.closed = true;
    this.pending.clear();
  }

  /** Resolves once everything known up to now has been sent. */
  catchUp(): Promise<void> {
    this.catchingUp ??= this.runCatchUp().then((outcome) => {
      this.catchingUp = null;
      // A live message may have arrived between the loop's last check and now.
      if (outcome === 'done' && this.isBehind()) return this.catchUp();
    });
    return this.catchingUp;
  }

  private isBehind(): boolean {
    return !this.closed && this.cursor !== null && this.cursor < Math.min(this.highestOffered, this.endSeq);
  }

  /** 'stuck' and 'failed' wait for the next live message to try again, rather than spin. */
  private async runCatchUp(): Promise<'done' | 'stuck' | 'failed'> {
    try {
      while (!this.closed && this.cursor !== null) {
        await this.drainPending();
        if (!this.isBehind()) return 'done';
        const before = this.cursor;
        const page = await this.source.readAfter(this.cursor, this.endSeq, PAGE);
        for (const message of page) {
          if (this.closed) return 'done';
          // The member may have been removed while this page was read or sent: stop at its end.
          if (message.seq > this.endSeq) break;
          if (message.seq !== this.cursor + 1) continue;
          this.cursor = message.seq;
          this.pending.delete(message.seq);
          this.sink.deliver(message, true);
          await this.sink.drained();
        }
        // Nothing more in the store (or a hole it cannot fill): stop rather than spin.
        if (this.cursor === before) return 'stuck';
      }
      return 'done';
    } catch (error) {
      this.onError(error);
      return 'failed';
    }
  }

  private async drainPending(): Promise<void> {
    for (;;) {
      if (this.cursor === null || this.closed) return;
      for (const seq of this.pending.keys()) if (seq <= this.cursor) this.pending.delete(seq);
      const next = this.pending.get(this.cursor + 1);
      if (!next || next.seq > this.endSeq) return;
      this.pending.delete(next.seq);
      this.cursor = next.seq;
      this.sink.deliver(next);
    }
  }
}

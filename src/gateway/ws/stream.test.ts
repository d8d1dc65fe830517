/**
 * ConversationStream on its own, with a fake store (source) and a fake socket
 * (sink): the per-conversation guarantee of the protocol (docs/PROTOCOL.md,
 * "Ordering and delivery guarantees") — message:new in strictly increasing seq
 * with no gaps, live and replayed frames together, nothing after the member's
 * removal, nothing after close.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageRecord } from '../../store/records.js';
import { ConversationStream, type StreamSink, type StreamSource } from './stream.js';

const CONVERSATION = 'conv-1';

function record(seq: number): MessageRecord {
  return {
    id: `m-${seq}`,
    conversationId: CONVERSATION,
    senderId: 'sender',
    seq,
    clientMsgId: `c-${seq}`,
    type: 'text',
    content: `message ${seq}`,
    mediaId: null,
    replyToId: null,
    createdAt: new Date(0).toISOString(),
    editedAt: null,
    deletedAt: null,
    system: null,
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** A store holding some seqs, counting its reads; `gate` (when set) holds each read until released. */
class FakeSource implements StreamSource {
  readonly stored = new Map<number, MessageRecord>();
  readonly reads: Array<{ afterSeq: number; toSeq: number; limit: number }> = [];
  failNext = 0;
  gate: Promise<void> | null = null;

  store(...seqs: number[]): void {
    for (const seq of seqs) this.stored.set(seq, record(seq));
  }

  async readAfter(afterSeq: number, toSeq: number, limit: number): Promise<MessageRecord[]> {
    this.reads.push({ afterSeq, toSeq, limit });
    if (this.gate) await this.gate;
    await Promise.resolve();
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('store unavailable');
    }
    return [...this.stored.values()]
      .filter((m) => m.seq > afterSeq && m.seq <= toSeq)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit);
  }
}

class FakeSink implements StreamSink {
  readonly delivered: number[] = [];
  drains = 0;

  deliver(message: MessageRecord): void {
    this.delivered.push(message.seq);
  }

  async drained(): Promise<void> {
    this.drains += 1;
  }
}

function setup(cursor: number | null) {
  const source = new FakeSource();
  const sink = new FakeSink();
  const errors: unknown[] = [];
  const stream = new ConversationStream(CONVERSATION, cursor, source, sink, (error) => errors.push(error));
  return { source, sink, errors, stream };
}

/** Lets every queued promise callback and timer of the stream run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** The store holds `seqs` and each is offered live, in the given order (as the bus would). */
function storeAndOffer(source: FakeSource, stream: ConversationStream, seqs: number[]): void {
  for (const seq of seqs) {
    source.store(seq);
    stream.offer(record(seq));
  }
}

function assertContiguous(delivered: number[], from: number, to: number): void {
  assert.deepEqual(delivered, range(from, to), `expected seqs ${from}..${to} exactly once, in order`);
}

describe('ConversationStream', () => {
  describe('in-order live messages', () => {
    it('delivers the next seq at once, without reading the store', () => {
      const { source, sink, stream } = setup(0);
      storeAndOffer(source, stream, [1, 2, 3]);
      assert.deepEqual(sink.delivered, [1, 2, 3]);
      assert.equal(source.reads.length, 0);
      assert.equal(stream.position, 3);
    });

    it('continues from a cursor in the middle of the conversation', () => {
      const { source, sink, stream } = setup(41);
      storeAndOffer(source, stream, [42, 43]);
      assert.deepEqual(sink.delivered, [42, 43]);
    });
  });

  describe('gaps', () => {
    it('fills a gap ahead of a live message from the store, in order', async () => {
      const { source, sink, stream } = setup(0);
      source.store(1, 2, 3, 4);
      stream.offer(record(4));
      await stream.catchUp();
      await settle();
      assertContiguous(sink.delivered, 1, 4);
      assert.ok(source.reads.length >= 1, 'the missing seqs come from the store');
    });

    it('reorders live messages that arrive out of order', async () => {
      const { source, sink, stream } = setup(0);
      source.store(...range(1, 6));
      for (const seq of [3, 1, 2, 6, 5, 4]) stream.offer(record(seq));
      await stream.catchUp();
      await settle();
      assertContiguous(sink.delivered, 1, 6);
    });

    it('holds a live message while a hole the store cannot fill yet remains, without spinning', async () => {
      const { source, sink, stream } = setup(0);
      // seq 2 is committed but its read is not visible yet; 1 and 3 are.
      source.store(1, 3);
      stream.offer(record(3));
      await stream.catchUp();
      await settle();
      assert.deepEqual(sink.delivered, [1], 'nothing past the hole');
      const readsWhileStuck = source.reads.length;
      await settle();
      assert.equal(source.reads.length, readsWhileStuck, 'a stuck stream waits instead of re-reading in a loop');
      // The hole fills and the next live message arrives: everything goes out in order.
      source.store(2, 4);
      stream.offer(record(4));
      await stream.catchUp();
      await settle();
      assertContiguous(sink.delivered, 1, 4);
    });

    it('retries after a failed read when the next message arrives, and reports the failure', async () => {
      const { source, sink, stream, errors } = setup(0);
      source.store(1, 2);
      source.failNext = 1;
      stream.offer(record(2));
      await stream.catchUp();
      await settle();
      assert.deepEqual(sink.delivered, []);
      assert.equal(errors.length, 1, 'the failure is reported');
      storeAndOffer(source, stream, [3]);
      await stream.catchUp();
      await settle();
      assertContiguous(sink.delivered, 1, 3);
    });

    it('reads a long gap page by page, pacing itself by the sink', async () => {
      const { source, sink, stream } = setup(0);
      source.store(...range(1, 450));
      stream.offer(record(450));
      await stream.catchUp();
      await settle();
      assertContiguous(sink.delivered, 1, 450);
      assert.ok(source.reads.length >= 3, `450 messages need several pages (${source.reads.length} reads)`);
      for (const read of source.reads) assert.ok(read.limit <= 200, 'pages are bounded');
      assert.ok(sink.drains >= 449, 'replay waits for the sink between frames');
    });
  });

  describe('duplicates', () => {
    it('drops a repeated live message and one at or below the cursor', async () => {
      const { source, sink, stream } = setup(5);
      storeAndOffer(source, stream, [6, 7]);
      stream.offer(record(7));
      stream.offer(record(6));
      stream.offer(record(3));
      source.store(8);
      stream.offer(record(8));
      await stream.catchUp();
      await settle();
      assert.deepEqual(sink.delivered, [6, 7, 8]);
    });

    it('drops a message offered twice while it waits in the buffer', async () => {
      const { source, sink, stream } = setup(0);
      source.store(1, 2, 3);
      source.gate = new Promise<void>(() => {}); // reads hang: the live messages stay buffered
      stream.offer(record(3));
      stream.offer(record(3));
      stream.offer(record(2));
      stream.offer(record(2));
      stream.offer(record(1));
      await settle();
      assert.deepEqual(sink.delivered, [], 'nothing goes out past an unfilled gap');
    });

    it('merges replay and live messages for the same seqs: each once, in order', async () => {
      const { source, sink, stream } = setup(null);
      source.store(...range(1, 10));
      // Live messages 8..12 arrive before the starting point is known.
      storeAndOffer(source, stream, range(8, 12));
      assert.deepEqual(sink.delivered, [], 'nothing goes out before the cursor is known');
      const replay = stream.resumeFrom(0, 10);
      // More live ones, some already replayed, arrive during the replay.
      storeAndOffer(source, stream, [9, 13, 11, 14]);
      await replay;
      await stream.catchUp();
      await settle();
      assertContiguous(sink.delivered, 1, 14);
    });
  });

  describe('resumeFrom (outbox replay and sync)', () => {
    it('replays after the given seq up to the known last seq', async () => {
      const { source, sink, stream } = setup(null);
      source.store(...range(1, 20));
      await stream.resumeFrom(12, 20);
      assertContiguous(sink.delivered, 13, 20);
      assert.equal(stream.position, 20);
    });

    it('replays nothing when the device is up to date', async () => {
      const { source, sink, stream } = setup(null);
      source.store(...range(1, 5));
      await stream.resumeFrom(5, 5);
      assert.deepEqual(sink.delivered, []);
      storeAndOffer(source, stream, [6]);
      assert.deepEqual(sink.delivered, [6], 'live messages then go out at once');
    });

    it('a sync rewinds the cursor and sends the range again', async () => {
      const { source, sink, stream } = setup(0);
      storeAndOffer(source, stream, range(1, 6));
      await stream.resumeFrom(3, 6);
      assert.deepEqual(sink.delivered, [...range(1, 6), ...range(4, 6)]);
      storeAndOffer(source, stream, [7]);
      await stream.catchUp();
      assert.equal(sink.delivered.at(-1), 7);
    });
  });

  describe('end()', () => {
    it('sends nothing after the last visible seq, live or from the store', async () => {
      const { source, sink, stream } = setup(0);
      storeAndOffer(source, stream, [1, 2]);
      stream.end(4);
      source.store(3, 4, 5, 6);
      // 3 is missing live: it must come from the store, but nothing past 4 may.
      stream.offer(record(4));
      stream.offer(record(6));
      stream.offer(record(5));
      await stream.catchUp();
      await settle();
      assertContiguous(sink.delivered, 1, 4);
      for (const read of source.reads) assert.ok(read.toSeq <= 4, 'reads stop at the end');
      storeAndOffer(source, stream, [7]);
      await stream.catchUp();
      await settle();
      assertContiguous(sink.delivered, 1, 4);
    });

    it('a replay of a removed member stops at its removal', async () => {
      const { source, sink, stream } = setup(null);
      source.store(...range(1, 10));
      stream.end(6);
      await stream.resumeFrom(2, 10);
      assertContiguous(sink.delivered, 3, 6);
    });

    it('drops buffered messages past the end, and the rest of a page read before the end was known', async () => {
      const { source, sink, stream } = setup(0);
      let release!: () => void;
      source.gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      source.store(1, 2, 3, 4);
      stream.offer(record(4)); // a read for 1.. starts, unbounded: the end is not known yet
      stream.offer(record(3));
      stream.offer(record(2));
      await settle();
      assert.equal(source.reads.length, 1, 'a read is under way');
      assert.equal(source.reads[0]?.toSeq, Number.MAX_SAFE_INTEGER);
      stream.end(2); // the member was removed at seq 2 while the read was under way
      source.gate = null;
      release();
      await stream.catchUp();
      await settle();
      assert.deepEqual(sink.delivered, [1, 2]);
    });

    it('keeps the earliest end when called twice', async () => {
      const { source, sink, stream } = setup(0);
      stream.end(2);
      stream.end(5);
      storeAndOffer(source, stream, range(1, 5));
      await stream.catchUp();
      await settle();
      assertContiguous(sink.delivered, 1, 2);
    });
  });

  describe('overflow of the live buffer', () => {
    it('re-reads from the store what did not fit in the 512 pending slots', async () => {
      const { source, sink, stream } = setup(null);
      const last = 1300;
      // Everything arrives live before the starting point is known: far more than the buffer holds.
      storeAndOffer(source, stream, range(1, last));
      assert.deepEqual(sink.delivered, []);
      await stream.resumeFrom(0, 0);
      await stream.catchUp();
      await settle();
      assertContiguous(sink.delivered, 1, last);
      const readSeqs = source.reads.map((r) => r.afterSeq);
      assert.ok(
        readSeqs.some((afterSeq) => afterSeq >= 512),
        `the seqs beyond the buffer were read from the store (reads after ${readSeqs.join(', ')})`,
      );
    });

    it('overflows while catching up behind a slow store and still loses nothing', async () => {
      const { source, sink, stream } = setup(0);
      let release!: () => void;
      source.gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      source.store(1);
      stream.offer(record(2)); // seq 1 missing: a read starts and hangs
      source.store(2);
      storeAndOffer(source, stream, range(3, 900));
      source.gate = null;
      release();
      await stream.catchUp();
      await settle();
      assertContiguous(sink.delivered, 1, 900);
    });

    it('keeps delivering in order once the buffer has drained', async () => {
      const { source, sink, stream } = setup(null);
      storeAndOffer(source, stream, range(1, 700));
      await stream.resumeFrom(0, 700);
      await settle();
      storeAndOffer(source, stream, range(701, 720));
      await stream.catchUp();
      await settle();
      assertContiguous(sink.delivered, 1, 720);
    });
  });

  describe('close()', () => {
    it('sends nothing after close, even a read already under way', async () => {
      const { source, sink, stream } = setup(0);
      let release!: () => void;
      source.gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      source.store(1, 2, 3);
      stream.offer(record(3));
      stream.close();
      release();
      await settle();
      stream.offer(record(4));
      await settle();
      assert.deepEqual(sink.delivered, []);
    });

    it('stops a replay part-way', async () => {
      const { source, stream } = setup(null);
      source.store(...range(1, 50));
      const sink = { delivered: [] as number[] };
      const closing = new ConversationStream(
        CONVERSATION,
        null,
        source,
        {
          deliver: (m) => {
            sink.delivered.push(m.seq);
            if (m.seq === 10) closing.close();
          },
          drained: async () => {},
        },
        () => {},
      );
      await closing.resumeFrom(0, 50);
      assertContiguous(sink.delivered, 1, 10);
      assert.equal(stream.position, null);
    });
  });
});

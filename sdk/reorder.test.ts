import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message } from './protocol.js';
import { type HistoryPageLike, ReorderBuffer, type ReorderOptions } from './reorder.js';
import { sleep, waitFor } from './testkit.js';

function msg(seq: number, conversationId = 'c1', id = `${conversationId}-m${seq}`): Message {
  return {
    id,
    conversationId,
    senderId: 'u1',
    seq,
    clientMsgId: `k${seq}`,
    type: 'text',
    content: `message ${seq}`,
    media: null,
    replyToId: null,
    createdAt: new Date(0).toISOString(),
    editedAt: null,
    deletedAt: null,
  };
}

/** A buffer whose deliveries are recorded and whose REST history is a fake over `store`. */
function setup(options: Partial<ReorderOptions> & { store?: Message[]; cursors?: Record<string, number> } = {}) {
  const delivered: Message[] = [];
  const fetches: Array<{ conversationId: string; after: number }> = [];
  const store = options.store ?? [];
  const buffer = new ReorderBuffer(
    {
      gapWaitMs: 30,
      fetchAfter: async (conversationId, after): Promise<HistoryPageLike> => {
        fetches.push({ conversationId, after });
        const newer = store
          .filter((m) => m.conversationId === conversationId && m.seq > after)
          .sort((a, b) => a.seq - b.seq);
        return { messages: newer.slice(0, 200), hasMore: newer.length > 200 };
      },
      deliver: (_conversationId, messages) => delivered.push(...messages),
      ...options,
    },
    options.cursors,
  );
  const seqs = (conversationId = 'c1') =>
    delivered.filter((m) => m.conversationId === conversationId).map((m) => m.seq);
  return { buffer, delivered, fetches, seqs };
}

describe('ReorderBuffer', () => {
  it('delivers in-order messages at once, and takes the first as the start without a cursor', () => {
    const { buffer, seqs } = setup();
    for (const seq of [7, 8, 9]) buffer.push(msg(seq));
    assert.deepEqual(seqs(), [7, 8, 9]);
    assert.deepEqual(buffer.cursors(), { c1: 9 });
    assert.deepEqual(buffer.gaps(), {});
  });

  it('holds messages after a gap until the missing one arrives', () => {
    const { buffer, seqs } = setup({ gapWaitMs: 10_000 });
    buffer.push(msg(1));
    buffer.push(msg(3));
    buffer.push(msg(5));
    buffer.push(msg(4));
    assert.deepEqual(seqs(), [1]);
    assert.equal(buffer.held, 3);
    assert.deepEqual(buffer.gaps(), { c1: 1 });
    buffer.push(msg(2));
    assert.deepEqual(seqs(), [1, 2, 3, 4, 5]);
    assert.equal(buffer.held, 0);
    buffer.pause();
  });

  it('drops duplicates: by seq, by id, and replays of what was delivered', () => {
    const { buffer, delivered } = setup({ gapWaitMs: 10_000 });
    buffer.push(msg(1));
    buffer.push(msg(1));
    buffer.push(msg(3));
    buffer.push(msg(3));
    buffer.push(msg(2));
    for (const seq of [1, 2, 3]) buffer.push(msg(seq));
    // The same id again under another conversation lane is still the same message.
    buffer.push({ ...msg(4), id: 'c1-m2' });
    assert.deepEqual(
      delivered.map((m) => m.id),
      ['c1-m1', 'c1-m2', 'c1-m3'],
    );
    buffer.pause();
  });

  it('keeps conversations independent', () => {
    const { buffer, seqs } = setup({ gapWaitMs: 10_000 });
    buffer.push(msg(1, 'a'));
    buffer.push(msg(3, 'a'));
    buffer.push(msg(10, 'b'));
    buffer.push(msg(11, 'b'));
    assert.deepEqual(seqs('a'), [1]);
    assert.deepEqual(seqs('b'), [10, 11]);
    assert.deepEqual(buffer.gaps(), { a: 1 });
    buffer.pause();
  });

  it('respects given cursors: older messages are dropped, a later start is a gap', async () => {
    const store = [1, 2, 3, 4, 5, 6].map((seq) => msg(seq));
    const { buffer, seqs, fetches } = setup({ store, cursors: { c1: 3 } });
    buffer.push(msg(2));
    buffer.push(msg(3));
    assert.deepEqual(seqs(), []);
    buffer.push(msg(6));
    await waitFor(() => seqs().length === 3, 'the gap fill');
    assert.deepEqual(seqs(), [4, 5, 6]);
    assert.deepEqual(fetches, [{ conversationId: 'c1', after: 3 }]);
  });

  it('fills a gap over REST after the wait, and not before', async () => {
    const store = [1, 2, 3, 4].map((seq) => msg(seq));
    const { buffer, seqs, fetches } = setup({ store, gapWaitMs: 60 });
    buffer.push(msg(1));
    buffer.push(msg(4));
    await sleep(30);
    assert.equal(fetches.length, 0, 'fetched before the gap wait');
    await waitFor(() => seqs().length === 4, 'the gap fill');
    assert.deepEqual(seqs(), [1, 2, 3, 4]);
    buffer.push(msg(5));
    buffer.push(msg(3));
    assert.deepEqual(seqs(), [1, 2, 3, 4, 5]);
    assert.equal(fetches.length, 1);
  });

  it('does not fetch when the gap closes in time', async () => {
    const { buffer, seqs, fetches } = setup({ gapWaitMs: 40 });
    buffer.push(msg(1));
    buffer.push(msg(3));
    buffer.push(msg(2));
    await sleep(80);
    assert.deepEqual(seqs(), [1, 2, 3]);
    assert.equal(fetches.length, 0);
  });

  it('pages through a gap larger than one history page', async () => {
    const store = Array.from({ length: 450 }, (_, i) => msg(i + 1));
    const { buffer, seqs, fetches } = setup({ store });
    buffer.push(msg(1));
    buffer.push(msg(450));
    await waitFor(() => seqs().length === 450, 'the paged gap fill');
    assert.deepEqual(
      seqs(),
      store.map((m) => m.seq),
    );
    assert.deepEqual(
      fetches.map((f) => f.after),
      [1, 201, 401],
    );
  });

  it('skips seqs outside the membership window (history starts later)', async () => {
    // The member left after 2 and was added back at 8: 3..7 are not visible to it.
    const store = [1, 2, 8, 9].map((seq) => msg(seq));
    const { buffer, seqs } = setup({ store });
    buffer.push(msg(1));
    buffer.push(msg(2));
    buffer.push(msg(9));
    await waitFor(() => seqs().length === 4, 'the skip');
    assert.deepEqual(seqs(), [1, 2, 8, 9]);
  });

  it('retries a failed fill, reporting the error', async () => {
    const store = [1, 2, 3].map((seq) => msg(seq));
    let failures = 2;
    const errors: unknown[] = [];
    const { buffer, seqs } = setup({
      store,
      gapWaitMs: 10,
      onError: (error) => errors.push(error),
      fetchAfter: async (_id, after) => {
        if (failures-- > 0) throw new Error('offline');
        return { messages: store.filter((m) => m.seq > after), hasMore: false };
      },
    });
    buffer.push(msg(1));
    buffer.push(msg(3));
    await waitFor(() => seqs().length === 3, 'the retried fill');
    assert.deepEqual(seqs(), [1, 2, 3]);
    assert.equal(errors.length, 2);
  });

  it('a message arriving live during a fill is delivered once', async () => {
    const store = [1, 2, 3, 4].map((seq) => msg(seq));
    let release: () => void = () => {};
    const { buffer, delivered } = setup({
      store,
      gapWaitMs: 5,
      fetchAfter: async (_id, after) => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return { messages: store.filter((m) => m.seq > after), hasMore: false };
      },
    });
    buffer.push(msg(1));
    buffer.push(msg(4));
    await sleep(20);
    buffer.push(msg(2));
    buffer.push(msg(3));
    release();
    await sleep(20);
    assert.deepEqual(
      delivered.map((m) => m.seq),
      [1, 2, 3, 4],
    );
  });

  it('forget() starts a conversation afresh; pause() stops timers', async () => {
    const { buffer, seqs, fetches } = setup({ gapWaitMs: 20 });
    buffer.push(msg(1));
    buffer.push(msg(5));
    buffer.pause();
    await sleep(50);
    assert.equal(fetches.length, 0);
    buffer.forget('c1');
    assert.equal(buffer.cursor('c1'), undefined);
    buffer.push(msg(20));
    assert.deepEqual(seqs(), [1, 20]);
  });
});

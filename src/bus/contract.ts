/**
 * The contract every Bus implementation meets, given a harness that opens the
 * bus of a named node. One-node implementations (memory) run the local part;
 * multi-node ones also the routing, ordering and gap parts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatEvent } from '../domain/events.js';
import type { MessageRecord } from '../store/records.js';
import { waitFor } from '../testing/ws.js';
import type { Bus, BusEvent } from './bus.js';

export interface BusHarness {
  /** The bus of a node; with one node (multiNode false) every id names the same bus. */
  open(nodeId: string): Promise<Bus>;
  /** Says the user has a connection on the node, as the presence registry would. */
  place(userId: string, nodeId: string): void;
  multiNode: boolean;
  /** Drops the node's subscriber connection at the server; it reconnects by itself. */
  dropSubscriber?(nodeId: string): Promise<void>;
  cleanup(): Promise<void>;
}

let counter = 0;
const unique = (label: string) => `${label}-${process.pid}-${++counter}`;

function message(conversationId: string, seq: number): MessageRecord {
  return {
    id: unique('m'),
    conversationId,
    senderId: 'sender',
    seq,
    clientMsgId: unique('c'),
    type: 'text',
    content: `message ${seq} ✓`,
    mediaId: null,
    replyToId: null,
    createdAt: new Date(1_700_000_000_000 + seq).toISOString(),
    editedAt: null,
    deletedAt: null,
    system: null,
  };
}

function samples(recipientIds: string[]): BusEvent[] {
  const conversationId = unique('conv');
  const created: ChatEvent = { type: 'message.created', message: message(conversationId, 1), recipientIds };
  return [
    created,
    {
      type: 'message.updated',
      message: { ...message(conversationId, 1), editedAt: new Date().toISOString() },
      recipientIds,
    },
    { type: 'receipt', kind: 'read', conversationId, userId: 'reader', seq: 1, notifyUserIds: recipientIds },
    {
      type: 'conversation.updated',
      conversation: {
        id: conversationId,
        type: 'group',
        name: 'g',
        avatarUrl: null,
        createdBy: 'sender',
        createdAt: new Date(0).toISOString(),
        lastSeq: 1,
        lastActivityAt: new Date(0).toISOString(),
        sendPolicy: 'all',
        members: [],
      },
      removed: [{ userId: 'gone', atSeq: 1 }],
    },
    { type: 'typing', conversationId, userId: 'typist', typing: true, recipientIds },
  ];
}

function has(seen: readonly BusEvent[], event: BusEvent): boolean {
  return seen.some((e) => JSON.stringify(e) === JSON.stringify(event));
}

function record(bus: Bus): BusEvent[] {
  const seen: BusEvent[] = [];
  bus.subscribe((event) => seen.push(event));
  return seen;
}

export function describeBus(name: string, makeHarness: () => Promise<BusHarness>): void {
  describe(`Bus contract: ${name}`, () => {
    async function withHarness(run: (harness: BusHarness) => Promise<void>): Promise<void> {
      const harness = await makeHarness();
      try {
        await run(harness);
      } finally {
        await harness.cleanup();
      }
    }

    it("hands every kind of event to this node's listeners before publish returns", () =>
      withHarness(async (harness) => {
        const bus = await harness.open('a');
        const seen = record(bus);
        const events = samples(['u1']);
        for (const event of events) {
          bus.publish(event);
          assert.deepEqual(seen.at(-1), event);
        }
        assert.equal(seen.length, events.length);
      }));

    it('stops after unsubscribe and after close; a failing listener does not stop the others', () =>
      withHarness(async (harness) => {
        const bus = await harness.open('a');
        const kept: BusEvent[] = [];
        const dropped: BusEvent[] = [];
        bus.subscribe(() => {
          throw new Error('listener failure');
        });
        bus.subscribe((event) => kept.push(event));
        const unsubscribe = bus.subscribe((event) => dropped.push(event));
        const [first, second] = samples(['u1']) as [BusEvent, BusEvent];
        bus.publish(first);
        unsubscribe();
        bus.publish(second);
        assert.deepEqual(kept, [first, second]);
        assert.deepEqual(dropped, [first]);
        await bus.close();
        bus.publish(first);
        assert.equal(kept.length, 2, 'nothing after close');
        await bus.close();
      }));

    it('routes an event to the nodes holding its audience, once each, and to no other', async (t) => {
      await withHarness(async (harness) => {
        if (!harness.multiNode) return t.skip('one node');
        const [a, b, c] = [await harness.open('a'), await harness.open('b'), await harness.open('c')];
        const [onB, onC] = [record(b), record(c)];
        const user = unique('user');
        harness.place(user, 'b');
        harness.place(unique('local'), 'a');
        const events = samples([user]).filter((e) => e.type !== 'conversation.updated');
        for (const event of events) a.publish(event);
        const barrier = samples([]).find((e) => e.type === 'conversation.updated');
        assert.ok(barrier);
        a.publish(barrier);
        await waitFor('the barrier on b and c', () => (has(onB, barrier) && has(onC, barrier)) || undefined);
        assert.deepEqual(onB, [...events, barrier], 'b hears each event once, in order, intact');
        assert.deepEqual(onC, [barrier], 'c holds no recipient: it hears only what is for everyone');
      });
    });

    it("keeps one publisher's order", async (t) => {
      await withHarness(async (harness) => {
        if (!harness.multiNode) return t.skip('one node');
        const [a, b] = await Promise.all([harness.open('a'), harness.open('b')]);
        const user = unique('user');
        harness.place(user, 'b');
        const seen = record(b);
        const conversationId = unique('conv');
        for (let seq = 1; seq <= 200; seq++) {
          a.publish({ type: 'message.created', message: message(conversationId, seq), recipientIds: [user] });
        }
        await waitFor('200 events on b', () => (seen.length >= 200 ? true : undefined));
        const seqs = seen.map((e) => (e.type === 'message.created' ? e.message.seq : 0));
        assert.deepEqual(
          seqs,
          Array.from({ length: 200 }, (_, i) => i + 1),
        );
      });
    });

    it('tells a node whose subscription was lost of the gap once it is back, and delivers again', async (t) => {
      await withHarness(async (harness) => {
        if (!harness.multiNode || !harness.dropSubscriber) return t.skip('one node');
        const [a, b] = await Promise.all([harness.open('a'), harness.open('b')]);
        const user = unique('user');
        harness.place(user, 'b');
        let gaps = 0;
        b.onGap(() => {
          gaps += 1;
        });
        const seen = record(b);
        await harness.dropSubscriber('b');
        await waitFor('a gap on b', () => (gaps > 0 ? true : undefined));
        const event = samples([user])[0] as BusEvent;
        a.publish(event);
        await waitFor('the event on b', () => (seen.length > 0 ? true : undefined));
        assert.deepEqual(seen, [event]);
      });
    });
  });
}

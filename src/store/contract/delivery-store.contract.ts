/** The DeliveryStore contract: devices, per-device cursors, delivered and sent watermarks. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OutboxHead, Storage } from '../stores.js';
import {
  createGroup,
  createUsers,
  id,
  messageDraft,
  nextTime,
  type OpenStorage,
  systemDraft,
  useStorage,
} from './harness.js';

async function directChat(storage: Storage) {
  const [a, b] = await createUsers(storage, 2);
  const { conversation } = await storage.conversations.getOrCreateDirect(id('d'), a!.id, b!.id, nextTime());
  return { a: a!, b: b!, conversation };
}

async function post(storage: Storage, conversationId: string, senderId: string, count: number): Promise<number> {
  let seq = 0;
  for (let i = 0; i < count; i++) {
    seq = (await storage.messages.append(messageDraft(conversationId, senderId, `message ${i}`))).message.seq;
  }
  return seq;
}

/** The outbox entry of one conversation when it has something to replay, or undefined. */
async function head(
  storage: Storage,
  userId: string,
  deviceId: string,
  conversationId: string,
): Promise<OutboxHead | undefined> {
  return (await storage.delivery.openDevice(userId, deviceId, nextTime())).find(
    (h) => h.conversationId === conversationId && h.lastSeq > h.afterSeq,
  );
}

export function describeDeliveryStore(name: string, open: OpenStorage): void {
  describe(`DeliveryStore contract: ${name}`, () => {
    const storage = useStorage(open);

    it('starts a new device at the user delivered watermarks, oldest activity first', async () => {
      const { a, b, conversation } = await directChat(storage());
      const [c] = await createUsers(storage(), 1);
      const other = (await storage().conversations.getOrCreateDirect(id('d'), c!.id, b.id, nextTime())).conversation;
      await post(storage(), conversation.id, a.id, 5);
      await post(storage(), other.id, c!.id, 2);

      const phone = await storage().delivery.openDevice(b.id, 'phone', nextTime());
      // `other` had the latest activity: it comes last.
      assert.deepEqual(phone, [
        { conversationId: conversation.id, afterSeq: 0, lastSeq: 5, windowClosed: false },
        { conversationId: other.id, afterSeq: 0, lastSeq: 2, windowClosed: false },
      ]);
      await storage().delivery.ackDelivery(b.id, 'phone', conversation.id, 3, nextTime());
      await storage().delivery.ackDelivery(b.id, 'phone', other.id, 2, nextTime());

      // A new device does not replay what the user received on another one;
      // conversations with nothing to replay are listed with their position.
      assert.deepEqual(await storage().delivery.openDevice(b.id, 'laptop', nextTime()), [
        { conversationId: conversation.id, afterSeq: 3, lastSeq: 5, windowClosed: false },
        { conversationId: other.id, afterSeq: 2, lastSeq: 2, windowClosed: false },
      ]);
      // Sending is no delivery: a new device of the sender replays its own
      // messages too, as no device of the sender acknowledged them.
      assert.deepEqual(await storage().delivery.openDevice(a.id, 'tablet', nextTime()), [
        { conversationId: conversation.id, afterSeq: 0, lastSeq: 5, windowClosed: false },
      ]);
      // Reopening a known device is no registration: nothing changes.
      assert.deepEqual(await storage().delivery.openDevice(b.id, 'laptop', nextTime()), [
        { conversationId: conversation.id, afterSeq: 3, lastSeq: 5, windowClosed: false },
        { conversationId: other.id, afterSeq: 2, lastSeq: 2, windowClosed: false },
      ]);
      assert.deepEqual(await storage().delivery.openDevice(id('nobody'), 'phone', nextTime()), []);
    });

    it("starts a new device of a user who sent a message before the others' unacknowledged ones", async () => {
      const { a, b, conversation } = await directChat(storage());
      await post(storage(), conversation.id, a.id, 2); // seqs 1, 2: no device of b got them
      await post(storage(), conversation.id, b.id, 1); // seq 3: b answers, e.g. over REST
      assert.deepEqual(await head(storage(), b.id, 'first-device', conversation.id), {
        conversationId: conversation.id,
        afterSeq: 0,
        lastSeq: 3,
        windowClosed: false,
      });

      // In a group, after a partial ack by another device, a send and a
      // membership change of the user's own: the new device starts at the ack.
      const [admin, c] = await createUsers(storage(), 2);
      const group = (await createGroup(storage(), admin!.id, [b.id])).conversation; // seq 1
      await post(storage(), group.id, admin!.id, 3); // seqs 2..4
      await storage().delivery.ackDelivery(b.id, 'phone', group.id, 2, nextTime());
      await storage().conversations.setRole(group.id, b.id, 'admin', systemDraft(admin!.id, 'role_changed', b.id)); // 5
      await storage().conversations.addMember(group.id, c!.id, 'member', 10, systemDraft(b.id, 'member_added', c!.id)); // 6
      await post(storage(), group.id, b.id, 1); // seq 7
      assert.deepEqual(await head(storage(), b.id, 'tablet', group.id), {
        conversationId: group.id,
        afterSeq: 2,
        lastSeq: 7,
        windowClosed: false,
      });
      assert.equal((await storage().conversations.membership(group.id, b.id))?.deliveredSeq, 2);
      // The admin never acknowledged anything: its new device replays all, its own included.
      assert.equal((await head(storage(), admin!.id, 'laptop', group.id))?.afterSeq, 0);
    });

    it('keeps a cursor per device', async () => {
      const { a, b, conversation } = await directChat(storage());
      await storage().delivery.openDevice(b.id, 'phone', nextTime());
      await storage().delivery.openDevice(b.id, 'laptop', nextTime());
      await post(storage(), conversation.id, a.id, 6);

      const move = await storage().delivery.ackDelivery(b.id, 'phone', conversation.id, 5, nextTime());
      assert.deepEqual(move, {
        conversationId: conversation.id,
        userId: b.id,
        previousDeliveredSeq: 0,
        deliveredSeq: 5,
      });
      assert.deepEqual(await head(storage(), b.id, 'laptop', conversation.id), {
        conversationId: conversation.id,
        afterSeq: 0,
        lastSeq: 6,
        windowClosed: false,
      });
      assert.equal((await head(storage(), b.id, 'phone', conversation.id))?.afterSeq, 5);

      // The laptop acks less than the phone did: its cursor moves, the watermark does not.
      const behind = await storage().delivery.ackDelivery(b.id, 'laptop', conversation.id, 2, nextTime());
      assert.deepEqual(behind, {
        conversationId: conversation.id,
        userId: b.id,
        previousDeliveredSeq: 5,
        deliveredSeq: 5,
      });
      assert.equal((await head(storage(), b.id, 'laptop', conversation.id))?.afterSeq, 2);
      assert.equal((await head(storage(), b.id, 'phone', conversation.id))?.afterSeq, 5);
      assert.equal((await storage().conversations.membership(conversation.id, b.id))?.deliveredSeq, 5);

      await storage().delivery.ackDelivery(b.id, 'laptop', conversation.id, 6, nextTime());
      assert.equal(await head(storage(), b.id, 'laptop', conversation.id), undefined);
      assert.equal((await head(storage(), b.id, 'phone', conversation.id))?.afterSeq, 5);
    });

    it('replays a conversation joined after the device was registered from its window start', async () => {
      const [admin, b, c] = await createUsers(storage(), 3);
      await storage().delivery.openDevice(b!.id, 'phone', nextTime());
      const { conversation } = await createGroup(storage(), admin!.id, [c!.id]);
      await post(storage(), conversation.id, admin!.id, 2);
      const added = await storage().conversations.addMember(
        conversation.id,
        b!.id,
        'member',
        10,
        systemDraft(admin!.id, 'member_added', b!.id),
      );
      assert.equal(added.message.seq, 4);
      await post(storage(), conversation.id, c!.id, 2);
      assert.deepEqual(await head(storage(), b!.id, 'phone', conversation.id), {
        conversationId: conversation.id,
        afterSeq: 3,
        lastSeq: 6,
        windowClosed: false,
      });
      // A device new since the join starts at the delivered watermark, here the window start too.
      assert.equal((await head(storage(), b!.id, 'laptop', conversation.id))?.afterSeq, 3);
    });

    it("replays to a removed member's device what it had not acknowledged up to the removal, and takes its acks", async () => {
      const [admin, b] = await createUsers(storage(), 2);
      const { conversation } = await createGroup(storage(), admin!.id, [b!.id]);
      await storage().delivery.openDevice(b!.id, 'phone', nextTime());
      await post(storage(), conversation.id, admin!.id, 3);
      assert.equal((await head(storage(), b!.id, 'phone', conversation.id))?.lastSeq, 4);

      const removal = await storage().conversations.removeMember(
        conversation.id,
        b!.id,
        systemDraft(admin!.id, 'member_removed', b!.id),
      );
      assert.equal(removal.message.seq, 5);
      await post(storage(), conversation.id, admin!.id, 2);
      // Up to and including its own removal, nothing after it.
      assert.deepEqual(await head(storage(), b!.id, 'phone', conversation.id), {
        conversationId: conversation.id,
        afterSeq: 0,
        lastSeq: 5,
        windowClosed: true,
      });
      // A device first seen after the removal never was owed anything of it.
      assert.equal(await head(storage(), b!.id, 'laptop', conversation.id), undefined);
      // The ack moves the device's cursor only: a past member's watermark tells the group nothing.
      assert.deepEqual(await storage().delivery.ackDelivery(b!.id, 'phone', conversation.id, 3, nextTime()), {
        conversationId: conversation.id,
        userId: b!.id,
        previousDeliveredSeq: 0,
        deliveredSeq: 0,
      });
      assert.equal((await head(storage(), b!.id, 'phone', conversation.id))?.afterSeq, 3);
      // Clamped to the window's end, not the conversation's last message.
      await storage().delivery.ackDelivery(b!.id, 'phone', conversation.id, 99, nextTime());
      assert.equal(await head(storage(), b!.id, 'phone', conversation.id), undefined);
      assert.equal((await storage().conversations.membership(conversation.id, b!.id))?.deliveredSeq, 0);
      const left = (await storage().delivery.openDevice(b!.id, 'phone', nextTime())).map((h) => h.conversationId);
      assert.ok(!left.includes(conversation.id), 'a fully acknowledged closed window is not listed');
      // Someone who never was a member still has nothing to acknowledge.
      const [stranger] = await createUsers(storage(), 1);
      assert.equal(await storage().delivery.ackDelivery(stranger!.id, 'phone', conversation.id, 3, nextTime()), null);
    });

    it('replays a re-added member from the new window, not from a cursor of the old one', async () => {
      const [admin, b] = await createUsers(storage(), 2);
      const { conversation } = await createGroup(storage(), admin!.id, [b!.id]);
      await storage().delivery.openDevice(b!.id, 'phone', nextTime());
      await post(storage(), conversation.id, admin!.id, 3);
      await storage().delivery.ackDelivery(b!.id, 'phone', conversation.id, 2, nextTime());
      await storage().conversations.removeMember(
        conversation.id,
        b!.id,
        systemDraft(admin!.id, 'member_removed', b!.id),
      );
      await post(storage(), conversation.id, admin!.id, 2); // seqs 6, 7
      const readd = await storage().conversations.addMember(
        conversation.id,
        b!.id,
        'member',
        10,
        systemDraft(admin!.id, 'member_added', b!.id),
      );
      assert.equal(readd.message.seq, 8);
      await post(storage(), conversation.id, admin!.id, 1);
      assert.deepEqual(await head(storage(), b!.id, 'phone', conversation.id), {
        conversationId: conversation.id,
        afterSeq: 7,
        lastSeq: 9,
        windowClosed: false,
      });
      // An ack below the window is clamped up to its start: no watermark move.
      const low = await storage().delivery.ackDelivery(b!.id, 'phone', conversation.id, 3, nextTime());
      assert.deepEqual(low, {
        conversationId: conversation.id,
        userId: b!.id,
        previousDeliveredSeq: 7,
        deliveredSeq: 7,
      });
      assert.equal((await head(storage(), b!.id, 'phone', conversation.id))?.afterSeq, 7);
    });

    it('moves acks forward only, clamped to the last message, and tells whether they moved', async () => {
      const { a, b, conversation } = await directChat(storage());
      await post(storage(), conversation.id, a.id, 5);
      const ack = (seq: number, at = nextTime()) =>
        storage().delivery.ackDelivery(b.id, 'phone', conversation.id, seq, at);
      const membership = () => storage().conversations.membership(conversation.id, b.id);

      const firstAt = nextTime();
      assert.deepEqual(await ack(3, firstAt), {
        conversationId: conversation.id,
        userId: b.id,
        previousDeliveredSeq: 0,
        deliveredSeq: 3,
      });
      let m = await membership();
      assert.deepEqual([m?.sentSeq, m?.deliveredSeq, m?.readSeq, m?.deliveredAt], [3, 3, 0, firstAt]);

      assert.deepEqual(await ack(2), {
        conversationId: conversation.id,
        userId: b.id,
        previousDeliveredSeq: 3,
        deliveredSeq: 3,
      });
      assert.deepEqual(await ack(3), {
        conversationId: conversation.id,
        userId: b.id,
        previousDeliveredSeq: 3,
        deliveredSeq: 3,
      });
      assert.deepEqual(await ack(-4), {
        conversationId: conversation.id,
        userId: b.id,
        previousDeliveredSeq: 3,
        deliveredSeq: 3,
      });
      assert.deepEqual(await ack(Number.NaN), {
        conversationId: conversation.id,
        userId: b.id,
        previousDeliveredSeq: 3,
        deliveredSeq: 3,
      });
      m = await membership();
      assert.equal(m?.deliveredAt, firstAt, 'deliveredAt changes only when the watermark moves');
      assert.equal((await head(storage(), b.id, 'phone', conversation.id))?.afterSeq, 3);

      const lastAt = nextTime();
      assert.deepEqual(await ack(1000, lastAt), {
        conversationId: conversation.id,
        userId: b.id,
        previousDeliveredSeq: 3,
        deliveredSeq: 5,
      });
      m = await membership();
      assert.deepEqual([m?.sentSeq, m?.deliveredSeq, m?.readSeq, m?.deliveredAt], [5, 5, 0, lastAt]);
      assert.equal(
        await head(storage(), b.id, 'phone', conversation.id),
        undefined,
        'the cursor is clamped to lastSeq',
      );
      await post(storage(), conversation.id, a.id, 1);
      assert.deepEqual(await head(storage(), b.id, 'phone', conversation.id), {
        conversationId: conversation.id,
        afterSeq: 5,
        lastSeq: 6,
        windowClosed: false,
      });

      const [stranger] = await createUsers(storage(), 1);
      assert.equal(await storage().delivery.ackDelivery(stranger!.id, 'phone', conversation.id, 1, nextTime()), null);
      assert.equal(await storage().delivery.ackDelivery(b.id, 'phone', id('missing'), 1, nextTime()), null);
    });

    it('applies 200 concurrent acks in call order; each cursor ends at its device max', async () => {
      const [admin, b] = await createUsers(storage(), 2);
      const { conversation } = await createGroup(storage(), admin!.id, [b!.id]);
      const lastSeq = await post(storage(), conversation.id, admin!.id, 29);
      assert.equal(lastSeq, 30);
      await storage().delivery.openDevice(b!.id, 'phone', nextTime());
      await storage().delivery.openDevice(b!.id, 'laptop', nextTime());
      const acks = Array.from({ length: 200 }, (_, i) =>
        i % 4 === 0
          ? { deviceId: 'laptop', seq: (((i / 4) * 3) % 10) + 1 }
          : { deviceId: 'phone', seq: ((i * 7919) % 29) + 1 },
      );
      const results = await Promise.all(
        acks.map(({ deviceId, seq }) =>
          storage().delivery.ackDelivery(b!.id, deviceId, conversation.id, seq, nextTime()),
        ),
      );
      let delivered = 0;
      results.forEach((move, i) => {
        assert.ok(move);
        // Each sees the state the previous one left.
        assert.equal(move.previousDeliveredSeq, delivered, `ack ${i}`);
        delivered = Math.max(delivered, acks[i]!.seq);
        assert.equal(move.deliveredSeq, delivered, `ack ${i}`);
      });
      const max = (deviceId: string) => Math.max(...acks.filter((a) => a.deviceId === deviceId).map((a) => a.seq));
      assert.equal(max('phone'), 29);
      assert.equal(max('laptop'), 10);
      assert.equal((await head(storage(), b!.id, 'phone', conversation.id))?.afterSeq, 29);
      assert.equal((await head(storage(), b!.id, 'laptop', conversation.id))?.afterSeq, 10);
      const m = await storage().conversations.membership(conversation.id, b!.id);
      assert.deepEqual([m?.sentSeq, m?.deliveredSeq], [29, 29]);
    });

    it('moves the sent watermark forward only, clamped, for members only', async () => {
      const { a, b, conversation } = await directChat(storage());
      await post(storage(), conversation.id, a.id, 5);
      const marks = async () => {
        const m = await storage().conversations.membership(conversation.id, b.id);
        return [m?.sentSeq, m?.deliveredSeq, m?.readSeq];
      };
      await storage().delivery.markSent(b.id, conversation.id, 3);
      assert.deepEqual(await marks(), [3, 0, 0]);
      await storage().delivery.markSent(b.id, conversation.id, 2);
      assert.deepEqual(await marks(), [3, 0, 0]);
      await storage().delivery.markSent(b.id, conversation.id, 99);
      assert.deepEqual(await marks(), [5, 0, 0]);
      await Promise.all([4, 1, 5, 2].map((seq) => storage().delivery.markSent(b.id, conversation.id, seq)));
      assert.deepEqual(await marks(), [5, 0, 0]);

      const [stranger] = await createUsers(storage(), 1);
      await storage().delivery.markSent(stranger!.id, conversation.id, 3);
      await storage().delivery.markSent(b.id, id('missing'), 3);
      assert.equal(await storage().conversations.membership(conversation.id, stranger!.id), null);
      // A sent mark is no delivery: the device still replays.
      assert.equal((await head(storage(), b.id, 'phone', conversation.id))?.afterSeq, 0);
    });
  });

  describe(`DeliveryStore durability: ${name}`, () => {
    it('keeps acknowledged acks, cursors and sent marks after a restart', async (t) => {
      const harness = await open();
      try {
        if (!harness.reopen) {
          t.skip('the harness cannot reopen');
          return;
        }
        const { a, b, conversation } = await directChat(harness.storage);
        await post(harness.storage, conversation.id, a.id, 8);
        await harness.storage.delivery.openDevice(b.id, 'phone', nextTime());
        await harness.storage.delivery.openDevice(b.id, 'laptop', nextTime());
        await Promise.all([
          ...[1, 4, 6, 2].map((seq) =>
            harness.storage.delivery.ackDelivery(b.id, 'phone', conversation.id, seq, nextTime()),
          ),
          harness.storage.delivery.ackDelivery(b.id, 'laptop', conversation.id, 3, nextTime()),
          harness.storage.delivery.markSent(b.id, conversation.id, 7),
        ]);
        const reopened = await harness.reopen();
        const m = await reopened.conversations.membership(conversation.id, b.id);
        assert.deepEqual([m?.sentSeq, m?.deliveredSeq], [7, 6]);
        assert.deepEqual(await head(reopened, b.id, 'phone', conversation.id), {
          conversationId: conversation.id,
          afterSeq: 6,
          lastSeq: 8,
          windowClosed: false,
        });
        assert.equal((await head(reopened, b.id, 'laptop', conversation.id))?.afterSeq, 3);
        // The devices are known: a third one starts at the delivered watermark.
        assert.equal((await head(reopened, b.id, 'tablet', conversation.id))?.afterSeq, 6);
      } finally {
        await harness.cleanup();
      }
    });
  });
}

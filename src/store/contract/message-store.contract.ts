/** The MessageStore contract: appends, idempotency, concurrency, history, edits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConversationRecord, MessageRecord } from '../records.js';
import type { Storage } from '../stores.js';
import {
  createGroup,
  createUsers,
  id,
  messageDraft,
  nextTime,
  type OpenStorage,
  rejectsWith,
  systemDraft,
  useStorage,
} from './harness.js';
import { describeMessageSearch } from './message-search.contract.js';

async function directChat(storage: Storage) {
  const [a, b] = await createUsers(storage, 2);
  const { conversation } = await storage.conversations.getOrCreateDirect(id('d'), a!.id, b!.id, nextTime());
  return { a: a!, b: b!, conversation };
}

const seqs = (messages: readonly MessageRecord[]) => messages.map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export function describeMessageStore(name: string, open: OpenStorage): void {
  describe(`MessageStore contract: ${name}`, () => {
    const storage = useStorage(open);

    it('appends with the next seq and moves the conversation, not the watermarks', async () => {
      const { a, b, conversation } = await directChat(storage());
      const draft = messageDraft(conversation.id, a.id, 'hello');
      const first = await storage().messages.append(draft);
      assert.equal(first.created, true);
      assert.deepEqual(first.message, { ...draft, seq: 1, editedAt: null, deletedAt: null });
      assert.deepEqual(await storage().messages.byId(draft.id), first.message);
      assert.deepEqual(await storage().messages.bySeq(conversation.id, 1), first.message);

      const reply = await storage().messages.append(
        messageDraft(conversation.id, b.id, '', { type: 'image', mediaId: 'media-1', replyToId: draft.id }),
      );
      assert.equal(reply.message.seq, 2);
      assert.equal(reply.message.mediaId, 'media-1');
      assert.equal(reply.message.replyToId, draft.id);
      assert.equal(reply.message.type, 'image');

      const after = await storage().conversations.byId(conversation.id);
      assert.equal(after?.lastSeq, 2);
      assert.equal(after?.lastActivityAt, reply.message.createdAt);
      const marks = (userId: string) => {
        const m = after?.members.find((x) => x.userId === userId);
        return [m?.sentSeq, m?.deliveredSeq, m?.readSeq];
      };
      // Sending is no receipt: neither the sender's marks nor the other's move.
      assert.deepEqual(marks(a.id), [0, 0, 0]);
      assert.deepEqual(marks(b.id), [0, 0, 0]);
      assert.equal(await storage().messages.byId(id('missing')), null);
      assert.equal(await storage().messages.bySeq(conversation.id, 3), null);
    });

    it("moves no member's watermarks, the senders' included, for messages and system messages", async () => {
      const [a, b, c] = await createUsers(storage(), 3);
      const { conversation } = await createGroup(storage(), a!.id, [b!.id]); // seq 1, system, by a
      const cs = storage().conversations;
      const marks = async (userId: string) => {
        const m = await cs.membership(conversation.id, userId);
        return [m?.sentSeq, m?.deliveredSeq, m?.readSeq, m?.deliveredAt, m?.readAt];
      };
      assert.deepEqual(await marks(a!.id), [0, 0, 0, null, null], 'creating the group moves none');
      // Both have read and received up to the system message; the sends must not move that.
      const at = nextTime();
      await cs.advanceWatermarks(conversation.id, a!.id, { read: 1 }, at);
      await cs.advanceWatermarks(conversation.id, b!.id, { read: 1 }, at);
      for (let i = 0; i < 3; i++) await storage().messages.append(messageDraft(conversation.id, a!.id, `a ${i}`));
      const fromB = await storage().messages.append(messageDraft(conversation.id, b!.id, 'b'));
      assert.equal(fromB.message.seq, 5);
      assert.deepEqual(await marks(a!.id), [1, 1, 1, at, at]);
      assert.deepEqual(await marks(b!.id), [1, 1, 1, at, at]);
      // Concurrent appends (committed together) move none either.
      await Promise.all(
        [a!, b!, a!, b!].map((sender, i) =>
          storage().messages.append(messageDraft(conversation.id, sender.id, `${i}`)),
        ),
      );
      assert.deepEqual(await marks(a!.id), [1, 1, 1, at, at]);
      assert.deepEqual(await marks(b!.id), [1, 1, 1, at, at]);
      // Nor do the system messages of membership changes, for their actor.
      await cs.addMember(conversation.id, c!.id, 'member', 10, systemDraft(a!.id, 'member_added', c!.id));
      await cs.setRole(conversation.id, b!.id, 'admin', systemDraft(a!.id, 'role_changed', b!.id));
      await cs.removeMember(conversation.id, c!.id, systemDraft(b!.id, 'member_removed', c!.id));
      assert.equal((await cs.byId(conversation.id))?.lastSeq, 12);
      assert.deepEqual(await marks(a!.id), [1, 1, 1, at, at]);
      assert.deepEqual(await marks(b!.id), [1, 1, 1, at, at]);
      // The added member starts just below its system message (seq 10) and stays there.
      assert.deepEqual((await marks(c!.id)).slice(0, 3), [9, 9, 9]);
    });

    it('refuses conversation_not_found and not_member', async () => {
      const { a, conversation } = await directChat(storage());
      const [stranger] = await createUsers(storage(), 1);
      await rejectsWith(storage().messages.append(messageDraft(id('missing'), a.id, 'x')), 'conversation_not_found');
      await rejectsWith(storage().messages.append(messageDraft(conversation.id, stranger!.id, 'x')), 'not_member');
      assert.equal((await storage().conversations.byId(conversation.id))?.lastSeq, 0);
    });

    it('answers a repeat of (sender, clientMsgId) with the first message', async () => {
      const { a, b, conversation } = await directChat(storage());
      const draft = messageDraft(conversation.id, a.id, 'once');
      const first = await storage().messages.append(draft);
      const repeat = await storage().messages.append({ ...draft, id: id('m'), content: 'twice' });
      assert.equal(repeat.created, false);
      assert.deepEqual(repeat.message, first.message);
      // The same clientMsgId from another sender is another message.
      const other = await storage().messages.append(
        messageDraft(conversation.id, b.id, 'b', { clientMsgId: draft.clientMsgId }),
      );
      assert.equal(other.created, true);
      assert.equal(other.message.seq, 2);
      assert.equal((await storage().conversations.byId(conversation.id))?.lastSeq, 2);
    });

    it('keeps seqs dense under 300 concurrent appends over 3 conversations by 5 senders', async () => {
      const users = await createUsers(storage(), 5);
      const groups: ConversationRecord[] = [];
      for (let g = 0; g < 3; g++) {
        groups.push(
          (
            await createGroup(
              storage(),
              users[0]!.id,
              users.slice(1).map((u) => u.id),
            )
          ).conversation,
        );
      }
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          storage().messages.append(messageDraft(groups[i % 3]!.id, users[i % 5]!.id, `message ${i}`)),
        ),
      );
      assert.ok(results.every((r) => r.created));
      for (const group of groups) {
        const got = results.filter((r) => r.message.conversationId === group.id).map((r) => r.message.seq);
        assert.deepEqual(
          [...got].sort((x, y) => x - y),
          range(2, 101),
          'seqs 2..101 after the system message',
        );
        const history = await storage().messages.page(group.id, { fromSeq: 1, toSeq: 1000 }, { limit: 200 });
        assert.deepEqual(seqs(history.messages), range(1, 101));
        assert.equal((await storage().conversations.byId(group.id))?.lastSeq, 101);
      }
      assert.equal(new Set(results.map((r) => r.message.id)).size, 300);
    });

    it('creates one message for 50 concurrent repeats of the same (sender, clientMsgId)', async () => {
      const { a, conversation } = await directChat(storage());
      await storage().messages.append(messageDraft(conversation.id, a.id, 'before'));
      const clientMsgId = id('c');
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          storage().messages.append(messageDraft(conversation.id, a.id, `attempt ${i}`, { clientMsgId })),
        ),
      );
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(new Set(results.map((r) => r.message.id)).size, 1);
      assert.deepEqual(new Set(results.map((r) => r.message.seq)), new Set([2]));
      const history = await storage().messages.page(conversation.id, { fromSeq: 1, toSeq: 100 }, { limit: 100 });
      assert.equal(history.messages.filter((m) => m.clientMsgId === clientMsgId).length, 1);
      assert.deepEqual(seqs(history.messages), [1, 2]);
    });

    it('rejects only the removed member append among concurrent appends', async () => {
      const [admin, b, c] = await createUsers(storage(), 3);
      const { conversation } = await createGroup(storage(), admin!.id, [b!.id, c!.id]);
      await storage().conversations.removeMember(
        conversation.id,
        c!.id,
        systemDraft(admin!.id, 'member_removed', c!.id),
      );
      const senders = [admin!, c!, b!, c!, admin!, b!];
      const settled = await Promise.allSettled(
        senders.map((s, i) => storage().messages.append(messageDraft(conversation.id, s.id, `try ${i}`))),
      );
      settled.forEach((result, i) => {
        if (senders[i] === c) {
          assert.equal(result.status, 'rejected');
          assert.equal((result as PromiseRejectedResult).reason?.kind, 'not_member');
        } else {
          assert.equal(result.status, 'fulfilled');
        }
      });
      const ok = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value.message.seq] : []));
      assert.deepEqual(
        ok.sort((x, y) => x - y),
        [3, 4, 5, 6],
      );
      assert.equal((await storage().conversations.byId(conversation.id))?.lastSeq, 6);
    });

    it('returns the current members as recipients, the sender included; none for a repeat', async () => {
      const { a, b, conversation } = await directChat(storage());
      const draft = messageDraft(conversation.id, a.id, 'to b');
      const first = await storage().messages.append(draft);
      assert.deepEqual([...first.recipientIds].sort(), [a.id, b.id].sort());
      const reply = await storage().messages.append(messageDraft(conversation.id, b.id, 'to a'));
      assert.deepEqual([...reply.recipientIds].sort(), [a.id, b.id].sort());
      const repeat = await storage().messages.append({ ...draft, id: id('m') });
      assert.equal(repeat.created, false);
      assert.deepEqual(repeat.recipientIds, []);
    });

    it('leaves a removed member out of the recipients of later messages, and adds a new one', async () => {
      const [admin, b, c, d] = await createUsers(storage(), 4);
      const { conversation } = await createGroup(storage(), admin!.id, [b!.id, c!.id]);
      const before = await storage().messages.append(messageDraft(conversation.id, b!.id, 'all three'));
      assert.deepEqual([...before.recipientIds].sort(), [admin!.id, b!.id, c!.id].sort());
      await storage().conversations.removeMember(
        conversation.id,
        c!.id,
        systemDraft(admin!.id, 'member_removed', c!.id),
      );
      const after = await storage().messages.append(messageDraft(conversation.id, b!.id, 'without c'));
      assert.deepEqual([...after.recipientIds].sort(), [admin!.id, b!.id].sort());
      await storage().conversations.addMember(
        conversation.id,
        d!.id,
        'member',
        10,
        systemDraft(admin!.id, 'member_added', d!.id),
      );
      const [withD, again] = await Promise.all([
        storage().messages.append(messageDraft(conversation.id, admin!.id, 'with d')),
        storage().messages.append(messageDraft(conversation.id, d!.id, 'from d')),
      ]);
      assert.deepEqual([...withD!.recipientIds].sort(), [admin!.id, b!.id, d!.id].sort());
      assert.deepEqual([...again!.recipientIds].sort(), [admin!.id, b!.id, d!.id].sort());
    });

    it('lists the distinct senders of a seq range, system messages included', async () => {
      const [admin, b, c] = await createUsers(storage(), 3);
      const { conversation } = await createGroup(storage(), admin!.id, [b!.id, c!.id]); // seq 1 by admin
      for (const sender of [b!, c!, b!, b!, admin!]) {
        await storage().messages.append(messageDraft(conversation.id, sender.id, 'x')); // seqs 2..6
      }
      const between = async (after: number, to: number) =>
        [...(await storage().messages.sendersBetween(conversation.id, after, to))].sort();
      assert.deepEqual(await between(0, 1), [admin!.id]);
      assert.deepEqual(await between(1, 5), [b!.id, c!.id].sort());
      assert.deepEqual(await between(3, 5), [b!.id]);
      assert.deepEqual(await between(0, 100), [admin!.id, b!.id, c!.id].sort());
      assert.deepEqual(await between(5, 6), [admin!.id]);
      assert.deepEqual(await between(4, 4), []);
      assert.deepEqual(await between(5, 3), []);
      assert.deepEqual(await between(6, 100), []);
      assert.deepEqual(await storage().messages.sendersBetween(id('missing'), 0, 10), []);
    });

    it('pages before, after and newest, with hasMore at the edges and within a window', async () => {
      const { a, conversation } = await directChat(storage());
      for (let i = 1; i <= 10; i++) await storage().messages.append(messageDraft(conversation.id, a.id, `n${i}`));
      const page = async (
        window: { fromSeq: number; toSeq: number },
        options: { limit: number; before?: number; after?: number },
      ) => {
        const result = await storage().messages.page(conversation.id, window, options);
        return { seqs: seqs(result.messages), hasMore: result.hasMore };
      };
      const all = { fromSeq: 1, toSeq: 10 };
      assert.deepEqual(await page(all, { limit: 3 }), { seqs: [8, 9, 10], hasMore: true });
      assert.deepEqual(await page(all, { limit: 10 }), { seqs: range(1, 10), hasMore: false });
      assert.deepEqual(await page({ fromSeq: 1, toSeq: 500 }, { limit: 20 }), { seqs: range(1, 10), hasMore: false });
      assert.deepEqual(await page(all, { limit: 3, before: 5 }), { seqs: [2, 3, 4], hasMore: true });
      assert.deepEqual(await page(all, { limit: 3, before: 4 }), { seqs: [1, 2, 3], hasMore: false });
      assert.deepEqual(await page(all, { limit: 3, before: 1 }), { seqs: [], hasMore: false });
      assert.deepEqual(await page(all, { limit: 3, after: 6 }), { seqs: [7, 8, 9], hasMore: true });
      assert.deepEqual(await page(all, { limit: 3, after: 7 }), { seqs: [8, 9, 10], hasMore: false });
      assert.deepEqual(await page(all, { limit: 3, after: 10 }), { seqs: [], hasMore: false });
      assert.deepEqual(await page(all, { limit: 3, after: 0 }), { seqs: [1, 2, 3], hasMore: true });

      const window = { fromSeq: 3, toSeq: 7 };
      assert.deepEqual(await page(window, { limit: 10 }), { seqs: [3, 4, 5, 6, 7], hasMore: false });
      assert.deepEqual(await page(window, { limit: 2 }), { seqs: [6, 7], hasMore: true });
      assert.deepEqual(await page(window, { limit: 2, before: 5 }), { seqs: [3, 4], hasMore: false });
      assert.deepEqual(await page(window, { limit: 2, before: 6 }), { seqs: [4, 5], hasMore: true });
      assert.deepEqual(await page(window, { limit: 2, before: 20 }), { seqs: [6, 7], hasMore: true });
      assert.deepEqual(await page(window, { limit: 2, after: 5 }), { seqs: [6, 7], hasMore: false });
      assert.deepEqual(await page(window, { limit: 2, after: 4 }), { seqs: [5, 6], hasMore: true });
      assert.deepEqual(await page(window, { limit: 2, after: 1 }), { seqs: [3, 4], hasMore: true });
      assert.deepEqual(await page(window, { limit: 2, after: 7 }), { seqs: [], hasMore: false });
      assert.deepEqual(await page({ fromSeq: 5, toSeq: 4 }, { limit: 2 }), { seqs: [], hasMore: false });
      const result = await storage().messages.page(conversation.id, all, { limit: 2, before: 3 });
      assert.deepEqual(
        result.messages.map((m) => m.content),
        ['n1', 'n2'],
      );
    });

    it('edits a message unless it is deleted', async () => {
      const { a, conversation } = await directChat(storage());
      const { message } = await storage().messages.append(messageDraft(conversation.id, a.id, 'first'));
      const editedAt = nextTime();
      const edited = await storage().messages.edit(message.id, 'second', editedAt);
      assert.deepEqual(edited, { ...message, content: 'second', editedAt });
      assert.deepEqual(await storage().messages.byId(message.id), edited);
      assert.equal(await storage().messages.edit(id('missing'), 'x', nextTime()), null);
      await storage().messages.softDelete(message.id, nextTime());
      assert.equal(await storage().messages.edit(message.id, 'third', nextTime()), null);
      assert.equal((await storage().messages.byId(message.id))?.content, '');
    });

    it('soft-deletes: erases content and media, keeps the row, idempotent', async () => {
      const { a, conversation } = await directChat(storage());
      const { message } = await storage().messages.append(
        messageDraft(conversation.id, a.id, 'photo caption', { type: 'image', mediaId: 'media-9' }),
      );
      const deletedAt = nextTime();
      const deleted = await storage().messages.softDelete(message.id, deletedAt);
      assert.deepEqual(deleted, { ...message, content: '', mediaId: null, deletedAt });
      const again = await storage().messages.softDelete(message.id, nextTime());
      assert.deepEqual(again, deleted);
      assert.deepEqual(await storage().messages.bySeq(conversation.id, message.seq), deleted);
      assert.equal(await storage().messages.softDelete(id('missing'), nextTime()), null);
      assert.equal((await storage().conversations.byId(conversation.id))?.lastSeq, 1);
    });

    describeMessageSearch(storage);
  });

  describe(`MessageStore durability: ${name}`, () => {
    it('finds acknowledged messages after a restart', async (t) => {
      const harness = await open();
      try {
        if (!harness.reopen) {
          t.skip('the harness cannot reopen');
          return;
        }
        const { a, b, conversation } = await directChat(harness.storage);
        const acked = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            harness.storage.messages.append(messageDraft(conversation.id, i % 2 ? a.id : b.id, `durable ${i}`)),
          ),
        );
        const reopened = await harness.reopen();
        for (const { message } of acked) assert.deepEqual(await reopened.messages.byId(message.id), message);
        assert.equal((await reopened.conversations.byId(conversation.id))?.lastSeq, 40);
        assert.equal((await reopened.users.byId(a.id))?.username, a.username);
        const next = await reopened.messages.append(messageDraft(conversation.id, a.id, 'after restart'));
        assert.equal(next.message.seq, 41);
      } finally {
        await harness.cleanup();
      }
    });
  });
}

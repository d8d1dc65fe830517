/** The ChangeStore contract (reactions and the change stream), run against SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createGroup,
  createUsers,
  messageDraft,
  nextTime,
  type OpenStorage,
  useStorage,
} from '../../store/contract/harness.js';
import type { Storage } from '../../store/stores.js';

async function groupWithMessage(storage: Storage, members: number) {
  const users = await createUsers(storage, members);
  const [owner, ...others] = users;
  assert.ok(owner);
  const group = await createGroup(
    storage,
    owner.id,
    others.map((u) => u.id),
  );
  const { message } = await storage.messages.append(messageDraft(group.conversation.id, owner.id, 'hello'));
  return { users, owner, conversationId: group.conversation.id, message };
}

export function describeChangeStore(name: string, open: OpenStorage): void {
  describe(`ChangeStore contract: ${name}`, () => {
    const storage = useStorage(open);

    it('keeps one reaction per user: set, replace, repeat (no change), remove; each change numbered densely', async () => {
      const { users, conversationId, message } = await groupWithMessage(storage(), 3);
      const [alice, bob] = users;
      assert.ok(alice && bob);
      const changes = storage().changes;
      const first = await changes.react(message.id, alice.id, '👍', nextTime());
      assert.equal(first?.change?.changeSeq, 1);
      assert.equal(first?.change?.kind, 'reaction');
      assert.equal(first?.change?.messageSeq, message.seq);
      assert.deepEqual(first?.reactions, [{ emoji: '👍', count: 1 }]);
      const second = await changes.react(message.id, bob.id, '👍', nextTime());
      assert.equal(second?.change?.changeSeq, 2);
      assert.deepEqual(second?.reactions, [{ emoji: '👍', count: 2 }]);
      const same = await changes.react(message.id, bob.id, '👍', nextTime());
      assert.equal(same?.change, null, 'the same reaction again changes nothing');
      const replaced = await changes.react(message.id, bob.id, '❤️', nextTime());
      assert.equal(replaced?.change?.changeSeq, 3);
      assert.equal(replaced?.change?.emoji, '❤️');
      assert.deepEqual(
        replaced?.reactions.map((r) => [r.emoji, r.count]).sort(),
        [
          ['❤️', 1],
          ['👍', 1],
        ].sort(),
      );
      const removed = await changes.react(message.id, alice.id, null, nextTime());
      assert.equal(removed?.change?.changeSeq, 4);
      assert.equal(removed?.change?.emoji, null);
      assert.deepEqual(removed?.reactions, [{ emoji: '❤️', count: 1 }]);
      assert.equal((await changes.react(message.id, alice.id, null, nextTime()))?.change, null);

      const log = await changes.after(conversationId, 0, 10);
      assert.deepEqual(
        log.map((c) => [c.changeSeq, c.userId, c.emoji]),
        [
          [1, alice.id, '👍'],
          [2, bob.id, '👍'],
          [3, bob.id, '❤️'],
          [4, alice.id, null],
        ],
      );
      assert.equal(await changes.head(conversationId), 4);
      assert.deepEqual(await changes.reactors(message.id, 10), [{ userId: bob.id, emoji: '❤️', at: log[2]?.at }]);
    });

    it('never moves the message seq: the next message takes the next dense seq', async () => {
      const { owner, conversationId, message } = await groupWithMessage(storage(), 2);
      await storage().changes.react(message.id, owner.id, '😂', nextTime());
      await storage().changes.edit(message.id, 'hello again', owner.id, nextTime());
      assert.equal((await storage().conversations.byId(conversationId))?.lastSeq, message.seq);
      const next = await storage().messages.append(messageDraft(conversationId, owner.id, 'next'));
      assert.equal(next.message.seq, message.seq + 1);
    });

    it('records edits and deletions in the same stream; a deletion drops the reactions, once', async () => {
      const { users, owner, conversationId, message } = await groupWithMessage(storage(), 2);
      const [, bob] = users;
      assert.ok(bob);
      const changes = storage().changes;
      await changes.react(message.id, bob.id, '🎉', nextTime());
      const edited = await changes.edit(message.id, 'edited', owner.id, nextTime());
      assert.equal(edited?.message.content, 'edited');
      assert.ok(edited?.message.editedAt);
      assert.equal(edited?.change?.kind, 'edit');
      assert.equal(edited?.change?.changeSeq, 2);
      const deleted = await changes.softDelete(message.id, owner.id, nextTime());
      assert.equal(deleted?.message.content, '');
      assert.ok(deleted?.message.deletedAt);
      assert.equal(deleted?.change?.kind, 'delete');
      assert.equal(deleted?.change?.changeSeq, 3);
      const again = await changes.softDelete(message.id, owner.id, nextTime());
      assert.equal(again?.change, null);
      assert.ok(again?.message.deletedAt);
      assert.equal(await changes.head(conversationId), 3);
      assert.deepEqual(await changes.reactors(message.id, 10), []);
      assert.equal(await changes.react(message.id, bob.id, '👍', nextTime()), null, 'no reaction on a deleted message');
      assert.equal(await changes.edit(message.id, 'x', owner.id, nextTime()), null, 'no edit of a deleted message');
      assert.equal(await changes.react('missing-message', bob.id, '👍', nextTime()), null);
      assert.equal(await changes.edit('missing-message', 'x', owner.id, nextTime()), null);
      assert.equal(await changes.softDelete('missing-message', owner.id, nextTime()), null);
      assert.equal(await changes.head(conversationId), 3);
    });

    it('summarises reactions per viewer and pages the change log', async () => {
      const { users, conversationId, message } = await groupWithMessage(storage(), 4);
      const [a, b, c, d] = users;
      assert.ok(a && b && c && d);
      const other = await storage().messages.append(messageDraft(conversationId, b.id, 'other'));
      await storage().changes.react(message.id, a.id, '👍', nextTime());
      await storage().changes.react(message.id, b.id, '👍', nextTime());
      await storage().changes.react(message.id, c.id, '😮', nextTime());
      await storage().changes.react(other.message.id, d.id, '🙏', nextTime());
      const seenByC = await storage().changes.summaries([message.id, other.message.id, 'none'], c.id);
      assert.deepEqual(seenByC.get(message.id), [
        { emoji: '👍', count: 2, me: false },
        { emoji: '😮', count: 1, me: true },
      ]);
      assert.deepEqual(seenByC.get(other.message.id), [{ emoji: '🙏', count: 1, me: false }]);
      assert.equal(seenByC.has('none'), false);
      assert.deepEqual(await storage().changes.summaries([], c.id), new Map());
      const page1 = await storage().changes.after(conversationId, 0, 3);
      const page2 = await storage().changes.after(conversationId, page1.at(-1)?.changeSeq ?? 0, 3);
      assert.deepEqual(
        [...page1, ...page2].map((ch) => ch.changeSeq),
        [1, 2, 3, 4],
      );
      assert.equal(page2.length, 1);
      const heads = await storage().changes.heads(a.id);
      assert.equal(heads.get(conversationId), 4);
    });

    it('numbers concurrent changes densely, without repeats', async () => {
      const { users, conversationId, message } = await groupWithMessage(storage(), 12);
      const results = await Promise.all(
        users.map((u, i) => storage().changes.react(message.id, u.id, i % 2 ? '👍' : '❤️', nextTime())),
      );
      const seqs = results.map((r) => r?.change?.changeSeq ?? 0).sort((x, y) => x - y);
      assert.deepEqual(
        seqs,
        users.map((_, i) => i + 1),
      );
      const log = await storage().changes.after(conversationId, 0, 100);
      assert.equal(log.length, users.length);
      const total = (await storage().changes.summaries([message.id], 'nobody')).get(message.id);
      assert.equal(
        total?.reduce((sum, r) => sum + r.count, 0),
        users.length,
      );
    });
  });
}

/**
 * The mentions and forwarding contract: a message's mentions and forwarded
 * flag are stored with it and come back on every read; MentionStore finds a
 * group's members by username and counts a user's unread mentions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Storage } from '../stores.js';
import {
  createGroup,
  createUsers,
  messageDraft,
  nextTime,
  type OpenStorage,
  systemDraft,
  useStorage,
} from './harness.js';

async function group(storage: Storage) {
  const [alice, bob, carol, dave] = await createUsers(storage, 4);
  if (!alice || !bob || !carol || !dave) throw new Error('users');
  const { conversation } = await createGroup(storage, alice.id, [bob.id, carol.id]);
  return { alice, bob, carol, dave, conversationId: conversation.id };
}

export function describeMentionStore(name: string, open: OpenStorage): void {
  describe(`Mentions and forwarding contract: ${name}`, () => {
    const storage = useStorage(open);

    it('stores mentions and the forwarded flag with the message; every read returns them', async () => {
      const { alice, bob, carol, conversationId } = await group(storage());
      const draft = messageDraft(conversationId, alice.id, 'hi @bob and @carol', {
        mentions: [bob.id, carol.id],
        forwarded: true,
      });
      const appended = await storage().messages.append(draft);
      assert.deepEqual(appended.message, { ...draft, seq: 2, editedAt: null, deletedAt: null });
      assert.deepEqual(await storage().messages.byId(draft.id), appended.message);
      assert.deepEqual(await storage().messages.bySeq(conversationId, 2), appended.message);
      const page = await storage().messages.page(conversationId, { fromSeq: 1, toSeq: 2 }, { limit: 10 });
      assert.deepEqual(page.messages.at(-1), appended.message);
      const entry = (await storage().conversations.listForUser(bob.id)).find(
        (e) => e.conversation.id === conversationId,
      );
      assert.deepEqual(entry?.lastMessage, appended.message);
      // A repeat answers the first message, mentions included.
      const repeat = await storage().messages.append({ ...draft, id: 'other-id', mentions: [carol.id] });
      assert.equal(repeat.created, false);
      assert.deepEqual(repeat.message, appended.message);
    });

    it('leaves both fields off a plain message', async () => {
      const { alice, conversationId } = await group(storage());
      const draft = messageDraft(conversationId, alice.id, 'no one');
      const appended = await storage().messages.append(draft);
      const read = await storage().messages.byId(draft.id);
      assert.equal(read !== null && 'mentions' in read, false);
      assert.equal(read !== null && 'forwarded' in read, false);
      assert.deepEqual(read, appended.message);
    });

    it('finds current members by username, not others', async () => {
      const { alice, bob, carol, dave, conversationId } = await group(storage());
      await storage().conversations.removeMember(conversationId, carol.id, systemDraft(alice.id, 'member_removed'));
      const found = await storage().mentions.membersNamed(conversationId, [
        bob.username,
        carol.username,
        dave.username,
        'nosuchuser',
      ]);
      assert.deepEqual(found, [{ userId: bob.id, username: bob.username }]);
      assert.deepEqual(await storage().mentions.membersNamed(conversationId, []), []);
    });

    it('counts unread mentions above the read watermark, not deleted ones; reading clears them', async () => {
      const { alice, bob, carol, conversationId } = await group(storage());
      const mention = (content: string, mentions: string[]) =>
        storage().messages.append(messageDraft(conversationId, alice.id, content, { mentions }));
      const first = await mention('@bob one', [bob.id]);
      await mention('@bob @carol two', [bob.id, carol.id]);
      await storage().messages.append(messageDraft(conversationId, alice.id, 'nobody'));
      const deleted = await mention('@bob gone', [bob.id]);
      await storage().messages.softDelete(deleted.message.id, nextTime());

      assert.equal((await storage().mentions.unreadCounts(bob.id)).get(conversationId), 2);
      assert.equal((await storage().mentions.unreadCounts(carol.id)).get(conversationId), 1);
      assert.equal((await storage().mentions.unreadCounts(alice.id)).has(conversationId), false);

      await storage().conversations.advanceWatermarks(conversationId, bob.id, { read: first.message.seq }, nextTime());
      assert.equal((await storage().mentions.unreadCounts(bob.id)).get(conversationId), 1);
      const last = await storage().conversations.byId(conversationId);
      await storage().conversations.advanceWatermarks(conversationId, bob.id, { read: last?.lastSeq ?? 0 }, nextTime());
      assert.equal((await storage().mentions.unreadCounts(bob.id)).has(conversationId), false);

      // A member who left counts nothing there any more.
      await storage().conversations.removeMember(conversationId, carol.id, systemDraft(carol.id, 'member_left'));
      assert.equal((await storage().mentions.unreadCounts(carol.id)).has(conversationId), false);
    });
  });
}

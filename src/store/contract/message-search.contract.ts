/** Part of the MessageStore contract: full-text search. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Storage } from '../stores.js';
import { createGroup, createUsers, id, messageDraft, nextTime, systemDraft } from './harness.js';

export function describeMessageSearch(storage: () => Storage): void {
  /** A direct chat of two fresh users holding these messages, oldest first. */
  async function chat(contents: readonly string[]) {
    const [a, b] = await createUsers(storage(), 2);
    const { conversation } = await storage().conversations.getOrCreateDirect(id('d'), a!.id, b!.id, nextTime());
    for (const content of contents) await storage().messages.append(messageDraft(conversation.id, a!.id, content));
    return { a: a!, b: b!, conversation };
  }

  async function find(
    userId: string,
    query: string,
    options: { conversationId?: string; limit?: number; cursor?: string } = {},
  ) {
    const hits = await storage().messages.search(userId, query, { limit: 50, ...options });
    return hits.map((hit) => hit.message.content);
  }

  it('finds messages holding every word, newest first, for both members', async () => {
    const { a, b } = await chat(['the quick brown fox', 'a quick cat', 'brown bread', 'The Fox is QUICK']);
    assert.deepEqual(await find(b.id, 'quick fox'), ['The Fox is QUICK', 'the quick brown fox']);
    assert.deepEqual(await find(a.id, 'Quick'), ['The Fox is QUICK', 'a quick cat', 'the quick brown fox']);
    assert.deepEqual(await find(b.id, 'quick', { limit: 1 }), ['The Fox is QUICK']);
    assert.deepEqual(await find(b.id, 'dog'), []);
    assert.deepEqual(await find(b.id, ''), []);
    assert.deepEqual(await find(b.id, '   '), []);
  });

  it('matches word prefixes', async () => {
    const { b } = await chat(['the quick brown fox', 'brown bread']);
    assert.deepEqual(await find(b.id, 'qui bro'), ['the quick brown fox']);
    assert.deepEqual(await find(b.id, 'bre'), ['brown bread']);
    assert.deepEqual(await find(b.id, 'br'), ['brown bread', 'the quick brown fox']);
    assert.deepEqual(await find(b.id, 'uick'), [], 'prefixes only, not infixes');
  });

  it('ignores case and diacritics', async () => {
    const { b } = await chat(['Un café au lait', 'Crème brûlée', 'naïve résumé', 'Tiếng Việt']);
    assert.deepEqual(await find(b.id, 'cafe'), ['Un café au lait']);
    assert.deepEqual(await find(b.id, 'CAFÉ'), ['Un café au lait']);
    assert.deepEqual(await find(b.id, 'creme brulee'), ['Crème brûlée']);
    assert.deepEqual(await find(b.id, 'resume naive'), ['naïve résumé']);
    // Letters with two diacritics (ế, ệ) too.
    assert.deepEqual(await find(b.id, 'tieng viet'), ['Tiếng Việt']);
    assert.deepEqual(await find(b.id, 'TIẾNG'), ['Tiếng Việt']);
  });

  it('handles emoji and right-to-left text', async () => {
    const { b } = await chat(['שלום עולם 👋', 'مرحبا بالعالم', 'party 🎉 time', 'Привет мир']);
    assert.deepEqual(await find(b.id, 'שלום'), ['שלום עולם 👋']);
    assert.deepEqual(await find(b.id, '👋 עולם'), ['שלום עולם 👋']);
    assert.deepEqual(await find(b.id, 'مرحبا'), ['مرحبا بالعالم']);
    assert.deepEqual(await find(b.id, 'party 🎉'), ['party 🎉 time']);
    assert.deepEqual(await find(b.id, 'привет'), ['Привет мир']);
    assert.deepEqual(await find(b.id, '🎉'), []);
    assert.deepEqual(await find(b.id, '🎉👋‏‎'), []);
  });

  it('treats quotes and operators in the query as text', async () => {
    const { b } = await chat(['salt and pepper near the door', 'sugar only']);
    const salt = ['salt and pepper near the door'];
    for (const query of [
      '"',
      '*',
      '-',
      '(',
      ')',
      '^',
      ':',
      '""',
      'AND',
      'NEAR(',
      'salt AND pepper',
      'salt -pepper',
      '"salt',
      'salt"pepper',
      'sal*',
      '^salt',
      'NEAR(salt pepper',
      'salt + pepper',
      '(salt)',
    ]) {
      const got = await find(b.id, query);
      const words = query.match(/[\p{L}\p{N}]+/gu);
      if (!words) assert.deepEqual(got, [], `no words in ${JSON.stringify(query)}`);
      else assert.deepEqual(got, salt, `query ${JSON.stringify(query)}`);
    }
    // As operators these would match: OR, NOT and column filters are words here.
    assert.deepEqual(await find(b.id, 'pepper OR sugar'), []);
    assert.deepEqual(await find(b.id, 'content:salt'), []);
    assert.deepEqual(await find(b.id, 'sugar NOT salt'), []);
  });

  it('leaves out deleted and system messages and follows edits', async () => {
    const [admin, b] = await createUsers(storage(), 2);
    const group = await createGroup(storage(), admin!.id, [b!.id]);
    const cid = group.conversation.id;
    assert.match(group.message.content, /created/);
    await storage().messages.append(messageDraft(cid, admin!.id, 'I created a poll'));
    const secret = await storage().messages.append(messageDraft(cid, admin!.id, 'secret plan'));
    const old = await storage().messages.append(messageDraft(cid, admin!.id, 'old wording'));
    await storage().conversations.addMember(
      cid,
      (await createUsers(storage(), 1))[0]!.id,
      'member',
      10,
      systemDraft(admin!.id, 'member_added', 'someone'),
    );
    assert.deepEqual(await find(b!.id, 'created'), ['I created a poll']);
    assert.deepEqual(await find(b!.id, 'member added'), []);
    await storage().messages.softDelete(secret.message.id, nextTime());
    assert.deepEqual(await find(b!.id, 'secret'), []);
    assert.deepEqual(await find(b!.id, 'plan'), []);
    await storage().messages.edit(old.message.id, 'new wording', nextTime());
    assert.deepEqual(await find(b!.id, 'old'), []);
    assert.deepEqual(await find(b!.id, 'new wording'), ['new wording']);
  });

  it('respects membership windows', async () => {
    const [a, b, c, stranger] = await createUsers(storage(), 4);
    const { conversation } = await createGroup(storage(), a!.id, [b!.id]);
    const cs = storage().conversations;
    const say = (content: string) => storage().messages.append(messageDraft(conversation.id, a!.id, content));
    await say('zebra alpha');
    await cs.addMember(conversation.id, c!.id, 'member', 10, systemDraft(a!.id, 'member_added', c!.id));
    await say('zebra beta');
    await cs.removeMember(conversation.id, b!.id, systemDraft(a!.id, 'member_removed', b!.id));
    await say('zebra gamma');
    assert.deepEqual(await find(a!.id, 'zebra'), ['zebra gamma', 'zebra beta', 'zebra alpha']);
    assert.deepEqual(await find(b!.id, 'zebra'), ['zebra beta', 'zebra alpha'], 'removed: nothing after removal');
    assert.deepEqual(await find(c!.id, 'zebra'), ['zebra gamma', 'zebra beta'], 'added: nothing before joining');
    assert.deepEqual(await find(stranger!.id, 'zebra'), []);
    assert.deepEqual(await find(stranger!.id, 'zebra', { conversationId: conversation.id }), []);
  });

  it('filters by conversation', async () => {
    const first = await chat(['lunch at noon']);
    const [other] = await createUsers(storage(), 1);
    const { conversation } = await storage().conversations.getOrCreateDirect(
      id('d'),
      first.a.id,
      other!.id,
      nextTime(),
    );
    await storage().messages.append(messageDraft(conversation.id, other!.id, 'lunch tomorrow'));
    assert.deepEqual(await find(first.a.id, 'lunch'), ['lunch tomorrow', 'lunch at noon']);
    assert.deepEqual(await find(first.a.id, 'lunch', { conversationId: first.conversation.id }), ['lunch at noon']);
    assert.deepEqual(await find(first.a.id, 'lunch', { conversationId: conversation.id }), ['lunch tomorrow']);
    assert.deepEqual(await find(first.b.id, 'lunch'), ['lunch at noon']);
    assert.deepEqual(await find(first.a.id, 'lunch', { conversationId: id('missing') }), []);
  });

  it('pages with the cursor, strictly older each page', async () => {
    const { a, conversation } = await chat(['item one', 'item two', 'other', 'item three', 'item four', 'item five']);
    const pages: string[][] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 5; i++) {
      const hits = await storage().messages.search(a.id, 'item', {
        limit: 2,
        conversationId: conversation.id,
        ...(cursor !== undefined ? { cursor } : {}),
      });
      if (hits.length === 0) break;
      for (const hit of hits) assert.equal(typeof hit.cursor, 'string');
      pages.push(hits.map((hit) => hit.message.content));
      cursor = hits.at(-1)!.cursor;
    }
    assert.deepEqual(pages, [['item five', 'item four'], ['item three', 'item two'], ['item one']]);
  });
}

/**
 * Messages against the contract (../shared/CONTRACT.md): send and its shape,
 * idempotency, dense seqs under concurrency, replies, edit, delete for
 * everyone, read marks and receipts, history paging and full-text search.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Message, Receipt } from '../../protocol/dto.js';
import { assertError, assertStatus } from '../../testing/assertions.js';
import { type Api, startTestServer, type TestServer, type TestUser } from '../../testing/server.js';

let server: TestServer;
let api: Api;

before(async () => {
  server = await startTestServer();
  api = server.api;
});
after(() => server.close());

// ---------------------------------------------------------------- helpers

const MESSAGE_KEYS = [
  'clientMsgId',
  'content',
  'conversationId',
  'createdAt',
  'deletedAt',
  'editedAt',
  'id',
  'media',
  'replyToId',
  'senderId',
  'seq',
  'type',
];

function isIsoTime(value: unknown): boolean {
  return typeof value === 'string' && /Z$/.test(value) && !Number.isNaN(Date.parse(value));
}

async function send(user: TestUser, conversationId: string, content: string, extra: Record<string, unknown> = {}) {
  const res = await api.request<{ message: Message }>('POST', '/api/v1/messages', {
    token: user.token,
    body: { conversationId, clientMsgId: `c-${Math.random()}`, content, ...extra },
  });
  assertStatus(res, 201, `send "${content}"`);
  return res.body.message;
}

function history(user: TestUser, conversationId: string, query = '') {
  return api.request<{ messages: Message[]; hasMore: boolean }>(
    'GET',
    `/api/v1/conversations/${conversationId}/messages${query ? `?${query}` : ''}`,
    { token: user.token },
  );
}

/** The whole visible history, oldest first, paged forwards with the largest page. */
async function fullHistory(user: TestUser, conversationId: string): Promise<Message[]> {
  const all: Message[] = [];
  let after = 0;
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 1000, 'history paging does not end');
    const res = await history(user, conversationId, `after=${after}&limit=200`);
    assertStatus(res, 200, 'history page');
    all.push(...res.body.messages);
    const last = res.body.messages.at(-1);
    if (!res.body.hasMore || !last) break;
    after = last.seq;
  }
  return all;
}

function search(user: TestUser, params: Record<string, string>) {
  return api.request<{ messages: Message[]; nextCursor: string | null }>(
    'GET',
    `/api/v1/search/messages?${new URLSearchParams(params)}`,
    { token: user.token },
  );
}

function receipts(user: TestUser, messageId: string) {
  return api.request<{ receipts: Receipt[] }>('GET', `/api/v1/messages/${messageId}/receipts`, { token: user.token });
}

function markRead(user: TestUser, messageId: string) {
  return api.request('POST', `/api/v1/messages/${messageId}/read`, { token: user.token });
}

function edit(user: TestUser, messageId: string, content: string) {
  return api.request<{ message: Message }>('PATCH', `/api/v1/messages/${messageId}`, {
    token: user.token,
    body: { content },
  });
}

function remove(user: TestUser, messageId: string) {
  return api.request<{ message: Message }>('DELETE', `/api/v1/messages/${messageId}`, { token: user.token });
}

function byUser(list: Receipt[]): Record<string, Receipt> {
  return Object.fromEntries(list.map((r) => [r.userId, r]));
}

function uniqueWord(prefix: string): string {
  return `${prefix}${Math.random().toString(36).slice(2, 10)}`;
}

function seqs(messages: Message[]): number[] {
  return messages.map((m) => m.seq);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

// ---------------------------------------------------------------- send

describe('send', () => {
  it('answers 201 with the message shape of the contract', async () => {
    const a = await api.user('shape_a');
    const b = await api.user('shape_b');
    const conversationId = await api.direct(a, b);
    const res = await api.request('POST', '/api/v1/messages', {
      token: a.token,
      body: { conversationId, clientMsgId: 'shape-1', content: 'hello there' },
    });
    assertStatus(res, 201, 'send');
    assert.deepEqual(Object.keys(res.body), ['message']);
    const message = res.body.message as Message;
    assert.deepEqual(Object.keys(message).sort(), MESSAGE_KEYS);
    assert.equal(typeof message.id, 'string');
    assert.ok(message.id.length > 0);
    assert.equal(message.conversationId, conversationId);
    assert.equal(message.senderId, a.user.id);
    assert.equal(message.seq, 1);
    assert.equal(message.clientMsgId, 'shape-1');
    assert.equal(message.type, 'text');
    assert.equal(message.content, 'hello there');
    assert.equal(message.media, null);
    assert.equal(message.replyToId, null);
    assert.ok(isIsoTime(message.createdAt), `createdAt ${message.createdAt}`);
    assert.equal(message.editedAt, null);
    assert.equal(message.deletedAt, null);

    const second = await send(b, conversationId, 'and back');
    assert.equal(second.seq, 2);

    const page = await history(b, conversationId);
    assertStatus(page, 200, 'history');
    assert.deepEqual(page.body.messages[0], message, 'history answers the same message');
  });

  it('a repeated clientMsgId answers 200 with the first message and stores nothing new', async () => {
    const a = await api.user('idem_a');
    const b = await api.user('idem_b');
    const conversationId = await api.direct(a, b);
    const body = { conversationId, clientMsgId: 'idem-1', content: 'only once' };
    const first = await api.request('POST', '/api/v1/messages', { token: a.token, body });
    assertStatus(first, 201, 'first');
    const again = await api.request('POST', '/api/v1/messages', { token: a.token, body });
    assertStatus(again, 200, 'repeat');
    assert.equal(again.body.message.id, first.body.message.id);
    assert.equal(again.body.message.seq, first.body.message.seq);
    assert.equal(again.body.message.content, 'only once');

    // The same clientMsgId from another sender is another message.
    const other = await api.request('POST', '/api/v1/messages', { token: b.token, body });
    assertStatus(other, 201, 'same clientMsgId, other sender');
    assert.notEqual(other.body.message.id, first.body.message.id);

    const all = await fullHistory(a, conversationId);
    assert.deepEqual(seqs(all), [1, 2]);
  });

  it('30 concurrent repeats store one message', async () => {
    const a = await api.user('conc_a');
    const b = await api.user('conc_b');
    const conversationId = await api.direct(a, b);
    const body = { conversationId, clientMsgId: 'burst-1', content: 'burst' };
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => api.request('POST', '/api/v1/messages', { token: a.token, body })),
    );
    const statuses = answers.map((r) => r.status);
    assert.ok(
      statuses.every((s) => s === 200 || s === 201),
      `statuses ${statuses}`,
    );
    assert.equal(statuses.filter((s) => s === 201).length, 1, 'exactly one 201');
    assert.equal(new Set(answers.map((r) => r.body.message.id)).size, 1, 'one id');
    assert.equal(new Set(answers.map((r) => r.body.message.seq)).size, 1, 'one seq');

    const all = await fullHistory(b, conversationId);
    assert.equal(all.length, 1, 'history shows it once');
    assert.equal(all[0]?.id, answers[0]?.body.message.id);
  });

  it('10 users x 20 concurrent sends into one group give dense seqs 1..N', async () => {
    const users = await Promise.all(Array.from({ length: 10 }, (_, i) => api.user(`dense${i}`)));
    const [admin, ...members] = users as [TestUser, ...TestUser[]];
    const groupId = await api.group(admin, members, 'dense');
    const answers = await Promise.all(
      users.flatMap((user, u) =>
        Array.from({ length: 20 }, (_, i) =>
          api.request('POST', '/api/v1/messages', {
            token: user.token,
            body: { conversationId: groupId, clientMsgId: `dense-${u}-${i}`, content: `u${u} m${i}` },
          }),
        ),
      ),
    );
    const bad = answers.filter((r) => r.status !== 201);
    assert.deepEqual(
      bad.map((r) => `${r.status} ${JSON.stringify(r.body)}`),
      [],
      'every send answered 201',
    );
    const acked = answers.map((r) => r.body.message as Message);
    assert.equal(new Set(acked.map((m) => m.seq)).size, 200, 'no two acks share a seq');

    const all = await fullHistory(admin, groupId);
    const n = all.length;
    assert.equal(n, 201, 'one system message and 200 sends');
    assert.deepEqual(seqs(all), range(1, n), 'seqs exactly 1..N');
    assert.equal(new Set(all.map((m) => m.id)).size, n, 'no duplicate ids');
    const stored = new Map(all.map((m) => [m.id, m]));
    for (const m of acked) {
      const found = stored.get(m.id);
      assert.ok(found, `acked message ${m.id} missing`);
      assert.equal(found.seq, m.seq);
      assert.equal(found.content, m.content);
    }
    // Each sender's 20 messages are all there.
    for (const user of users) {
      assert.equal(all.filter((m) => m.senderId === user.user.id && m.type === 'text').length, 20);
    }
  });
});

// ---------------------------------------------------------------- replies, edits, deletes

describe('reply, edit and delete', () => {
  it('replyToId names a message of the same conversation, else 400', async () => {
    const a = await api.user('reply_a');
    const b = await api.user('reply_b');
    const c = await api.user('reply_c');
    const conversationId = await api.direct(a, b);
    const elsewhere = await api.direct(a, c);
    const original = await send(b, conversationId, 'question?');
    const foreign = await send(c, elsewhere, 'unrelated');

    const reply = await send(a, conversationId, 'answer!', { replyToId: original.id });
    assert.equal(reply.replyToId, original.id);
    const page = await history(b, conversationId);
    assert.equal(page.body.messages.find((m) => m.id === reply.id)?.replyToId, original.id);

    const cross = await api.request('POST', '/api/v1/messages', {
      token: a.token,
      body: { conversationId, clientMsgId: 'cross', content: 'x', replyToId: foreign.id },
    });
    assertError(cross, 400, 'invalid_request', 'reply to a message of another conversation');
    assert.ok(!JSON.stringify(cross.body).includes('unrelated'), 'the error leaks the other message');

    const missing = await api.request('POST', '/api/v1/messages', {
      token: a.token,
      body: { conversationId, clientMsgId: 'missing', content: 'x', replyToId: 'no_such_message_123' },
    });
    assertError(missing, 400, 'invalid_request', 'reply to a missing message');
    assert.equal((await fullHistory(a, conversationId)).length, 2, 'refused replies are not stored');
  });

  it('edit: the sender 200 with editedAt; another member 403; a deleted message 409', async () => {
    const a = await api.user('edit_a');
    const b = await api.user('edit_b');
    const c = await api.user('edit_c');
    const groupId = await api.group(a, [b, c]);
    const message = await send(b, groupId, 'teh typo');

    const edited = await edit(b, message.id, 'the typo');
    assertStatus(edited, 200, 'edit by sender');
    assert.equal(edited.body.message.id, message.id);
    assert.equal(edited.body.message.seq, message.seq);
    assert.equal(edited.body.message.content, 'the typo');
    assert.ok(isIsoTime(edited.body.message.editedAt), 'editedAt set');
    assert.equal(edited.body.message.deletedAt, null);

    const seen = (await history(c, groupId)).body.messages.find((m) => m.id === message.id);
    assert.equal(seen?.content, 'the typo');
    assert.equal(seen?.editedAt, edited.body.message.editedAt);

    assertError(await edit(c, message.id, 'vandalised'), 403, 'forbidden', 'edit by another member');
    assertError(await edit(a, message.id, 'admin edits'), 403, 'forbidden', 'edit by the group admin');
    const unchanged = (await history(c, groupId)).body.messages.find((m) => m.id === message.id);
    assert.equal(unchanged?.content, 'the typo', 'a refused edit changes nothing');

    const system = (await history(a, groupId)).body.messages[0];
    assert.ok(system);
    assert.equal(system.type, 'system');
    assertError(await edit(a, system.id, 'rewrite history'), 403, 'forbidden', 'edit of a system message');

    assertStatus(await remove(b, message.id), 200, 'delete');
    assertError(await edit(b, message.id, 'resurrect'), 409, 'conflict', 'edit of a deleted message');
    const still = (await history(c, groupId)).body.messages.find((m) => m.id === message.id);
    assert.equal(still?.content, '', 'the deleted message stays empty');
  });

  it('delete for everyone: the sender and a group admin 200; a plain member 403; the row stays', async () => {
    const a = await api.user('del_a');
    const b = await api.user('del_b');
    const c = await api.user('del_c');
    const groupId = await api.group(a, [b, c]);
    const own = await send(b, groupId, 'my own words');
    const moderated = await send(c, groupId, 'something rude');
    const protectedOne = await send(b, groupId, 'keep me');

    const bySender = await remove(b, own.id);
    assertStatus(bySender, 200, 'delete by sender');
    assert.equal(bySender.body.message.id, own.id);
    assert.equal(bySender.body.message.content, '');
    assert.ok(isIsoTime(bySender.body.message.deletedAt), 'deletedAt set');

    const byAdmin = await remove(a, moderated.id);
    assertStatus(byAdmin, 200, 'delete by group admin');
    assert.equal(byAdmin.body.message.content, '');
    assert.ok(isIsoTime(byAdmin.body.message.deletedAt));

    const byMember = await remove(c, protectedOne.id);
    assertError(byMember, 403, 'forbidden', "a member deletes another's message");

    const all = await fullHistory(c, groupId);
    assert.deepEqual(seqs(all), range(1, 4), 'deleted rows stay in history, seqs unchanged');
    const rows = new Map(all.map((m) => [m.id, m]));
    assert.equal(rows.get(own.id)?.content, '');
    assert.ok(rows.get(own.id)?.deletedAt);
    assert.equal(rows.get(moderated.id)?.content, '');
    assert.ok(rows.get(moderated.id)?.deletedAt);
    assert.equal(rows.get(protectedOne.id)?.content, 'keep me');
    assert.equal(rows.get(protectedOne.id)?.deletedAt, null);
    assert.ok(!JSON.stringify(all).includes('something rude'), 'deleted content is gone');
  });

  it('in a direct chat only the sender may delete', async () => {
    const a = await api.user('ddel_a');
    const b = await api.user('ddel_b');
    const conversationId = await api.direct(a, b);
    const message = await send(a, conversationId, 'mine');
    assertError(await remove(b, message.id), 403, 'forbidden', 'the other side deletes');
    const res = await remove(a, message.id);
    assertStatus(res, 200, 'sender deletes');
    assert.equal(res.body.message.content, '');
  });
});

// ---------------------------------------------------------------- reads and receipts

describe('read marks and receipts', () => {
  it('one receipt per other member: queued until read, then read with at', async () => {
    const a = await api.user('rcpt_a');
    const b = await api.user('rcpt_b');
    const c = await api.user('rcpt_c');
    const groupId = await api.group(a, [b, c]);
    const first = await send(a, groupId, 'first');
    const second = await send(a, groupId, 'second');

    const initial = await receipts(a, first.id);
    assertStatus(initial, 200, 'receipts');
    assert.equal(initial.body.receipts.length, 2, 'one per other member');
    const initialBy = byUser(initial.body.receipts);
    assert.deepEqual(Object.keys(initialBy).sort(), [b.user.id, c.user.id].sort(), 'not the sender');
    for (const r of initial.body.receipts) {
      assert.equal(r.status, 'queued');
      assert.equal(r.at, null);
    }

    // b reads the second message: cumulative, so the first is read too.
    const read = await markRead(b, second.id);
    assertStatus(read, 200, 'read');
    for (const message of [first, second]) {
      const res = await receipts(a, message.id);
      assertStatus(res, 200, 'receipts after read');
      const by = byUser(res.body.receipts);
      assert.equal(by[b.user.id]?.status, 'read', `b read seq ${message.seq}`);
      assert.ok(isIsoTime(by[b.user.id]?.at), 'read receipt has at');
      assert.equal(by[c.user.id]?.status, 'queued', 'c has not read');
      assert.equal(by[c.user.id]?.at, null);
    }

    // c reads only the first: the second stays unread for c.
    assertStatus(await markRead(c, first.id), 200, 'c reads first');
    const firstBy = byUser((await receipts(a, first.id)).body.receipts);
    const secondBy = byUser((await receipts(a, second.id)).body.receipts);
    assert.equal(firstBy[c.user.id]?.status, 'read');
    assert.notEqual(secondBy[c.user.id]?.status, 'read');

    // Members may ask too; the answer never lists the sender.
    const asMember = await receipts(c, second.id);
    assertStatus(asMember, 200, 'receipts by a member');
    assert.ok(!asMember.body.receipts.some((r) => r.userId === a.user.id));
  });

  it('a read mark never moves back', async () => {
    const a = await api.user('back_a');
    const b = await api.user('back_b');
    const conversationId = await api.direct(a, b);
    const first = await send(a, conversationId, 'one');
    const second = await send(a, conversationId, 'two');
    assertStatus(await markRead(b, second.id), 200, 'read second');
    assertStatus(await markRead(b, first.id), 200, 'read first again');
    const by = byUser((await receipts(a, second.id)).body.receipts);
    assert.equal(by[b.user.id]?.status, 'read');
  });

  it('receipts of a message that came before a member joined leave that member out', async () => {
    const a = await api.user('late_a');
    const b = await api.user('late_b');
    const groupId = await api.group(a, []);
    const old = await send(a, groupId, 'before b');
    const add = await api.request('PUT', `/api/v1/groups/${groupId}/members`, {
      token: a.token,
      body: { userId: b.user.id },
    });
    assertStatus(add, 200, 'add');
    const res = await receipts(a, old.id);
    assertStatus(res, 200, 'receipts');
    assert.deepEqual(res.body.receipts, []);
  });
});

// ---------------------------------------------------------------- history

describe('history paging', () => {
  it('before/after/limit/hasMore at both ends', async () => {
    const a = await api.user('page_a');
    const b = await api.user('page_b');
    const conversationId = await api.direct(a, b);
    for (let i = 1; i <= 7; i++) await send(i % 2 ? a : b, conversationId, `m${i}`);

    const cases: Array<[string, number[], boolean]> = [
      ['limit=3', [5, 6, 7], true],
      ['limit=3&before=5', [2, 3, 4], true],
      ['limit=3&before=4', [1, 2, 3], false],
      ['limit=3&before=2', [1], false],
      ['limit=3&before=1', [], false],
      ['limit=7', range(1, 7), false],
      ['limit=3&after=0', [1, 2, 3], true],
      ['limit=3&after=3', [4, 5, 6], true],
      ['limit=3&after=4', [5, 6, 7], false],
      ['limit=3&after=6', [7], false],
      ['limit=3&after=7', [], false],
      ['limit=3&after=100', [], false],
      ['before=100&limit=2', [6, 7], true],
      ['limit=200', range(1, 7), false],
    ];
    for (const [query, expected, hasMore] of cases) {
      const res = await history(a, conversationId, query);
      assertStatus(res, 200, query);
      assert.deepEqual(seqs(res.body.messages), expected, `${query}: seqs`);
      assert.equal(res.body.hasMore, hasMore, `${query}: hasMore`);
      assert.deepEqual(
        res.body.messages.map((m) => m.content),
        expected.map((s) => `m${s}`),
        `${query}: contents`,
      );
    }
  });

  it('limit above 200, below 1, or not a number, and before with after, answer 400', async () => {
    const a = await api.user('lim_a');
    const b = await api.user('lim_b');
    const conversationId = await api.direct(a, b);
    await send(a, conversationId, 'x');
    for (const query of ['limit=201', 'limit=0', 'limit=-1', 'limit=abc', 'before=-1', 'after=x', 'before=2&after=1']) {
      assertError(await history(a, conversationId, query), 400, 'invalid_request', query);
    }
  });

  it('defaults to the newest 50', async () => {
    const a = await api.user('def_a');
    const b = await api.user('def_b');
    const conversationId = await api.direct(a, b);
    const answers = await Promise.all(
      Array.from({ length: 55 }, (_, i) =>
        api.request('POST', '/api/v1/messages', {
          token: a.token,
          body: { conversationId, clientMsgId: `def-${i}`, content: `n${i}` },
        }),
      ),
    );
    assert.ok(answers.every((r) => r.status === 201));
    const res = await history(b, conversationId);
    assertStatus(res, 200, 'default page');
    assert.deepEqual(seqs(res.body.messages), range(6, 55));
    assert.equal(res.body.hasMore, true);
    const rest = await history(b, conversationId, 'before=6');
    assert.deepEqual(seqs(rest.body.messages), range(1, 5));
    assert.equal(rest.body.hasMore, false);
  });
});

// ---------------------------------------------------------------- search

describe('search', () => {
  it('finds words, newest first, only in the caller conversations', async () => {
    const a = await api.user('srch_a');
    const b = await api.user('srch_b');
    const c = await api.user('srch_c');
    const d = await api.user('srch_d');
    const word = uniqueWord('word');
    const withB = await api.direct(a, b);
    const withC = await api.direct(a, c);
    const private_ = await api.direct(c, d);

    const m1 = await send(a, withB, `the ${word} is here`);
    const m2 = await send(b, withB, `second ${word} mention`);
    const m3 = await send(c, withC, `${word} in another chat`);
    await send(a, withB, 'nothing relevant');
    const hidden = await send(c, private_, `private ${word} between c and d`);

    const res = await search(a, { q: word });
    assertStatus(res, 200, 'search');
    assert.deepEqual(
      res.body.messages.map((m) => m.id),
      [m3.id, m2.id, m1.id],
      'newest first, only the caller conversations',
    );
    assert.ok(!JSON.stringify(res.body).includes('private'), 'another user private message found');
    assert.deepEqual(Object.keys(res.body.messages[0] ?? {}).sort(), MESSAGE_KEYS);

    const filtered = await search(a, { q: word, conversationId: withB });
    assertStatus(filtered, 200, 'filtered');
    assert.deepEqual(
      filtered.body.messages.map((m) => m.id),
      [m2.id, m1.id],
    );

    // d finds only its own conversation's hit.
    const dRes = await search(d, { q: word });
    assert.deepEqual(
      dRes.body.messages.map((m) => m.id),
      [hidden.id],
    );

    // Another word of the same message, and two words together.
    const both = await search(a, { q: `second ${word}` });
    assert.deepEqual(
      both.body.messages.map((m) => m.id),
      [m2.id],
      'all words must match',
    );
    const none = await search(a, { q: uniqueWord('absent') });
    assertStatus(none, 200, 'no hits');
    assert.deepEqual(none.body.messages, []);
  });

  it('excludes deleted messages and follows edits', async () => {
    const a = await api.user('sdel_a');
    const b = await api.user('sdel_b');
    const conversationId = await api.direct(a, b);
    const word = uniqueWord('gone');
    const fresh = uniqueWord('fresh');
    const doomed = await send(a, conversationId, `soon ${word}`);
    const kept = await send(a, conversationId, `stays ${word}`);
    const edited = await send(a, conversationId, `old ${word}`);
    assert.equal((await search(b, { q: word })).body.messages.length, 3);

    assertStatus(await remove(a, doomed.id), 200, 'delete');
    assertStatus(await edit(a, edited.id, `new ${fresh}`), 200, 'edit');
    const res = await search(b, { q: word });
    assert.deepEqual(
      res.body.messages.map((m) => m.id),
      [kept.id],
    );
    const byNew = await search(b, { q: fresh });
    assert.deepEqual(
      byNew.body.messages.map((m) => m.id),
      [edited.id],
    );
  });

  it('pages with limit and cursor/nextCursor', async () => {
    const a = await api.user('scur_a');
    const b = await api.user('scur_b');
    const conversationId = await api.direct(a, b);
    const word = uniqueWord('page');
    const sent: Message[] = [];
    for (let i = 0; i < 5; i++) sent.push(await send(i % 2 ? a : b, conversationId, `${word} number ${i}`));
    const expected = sent.map((m) => m.id).reverse();

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const params: Record<string, string> = { q: word, limit: '2' };
      if (cursor) params.cursor = cursor;
      const res = await search(a, params);
      assertStatus(res, 200, `page ${pages}`);
      assert.ok(res.body.messages.length <= 2, 'limit respected');
      seen.push(...res.body.messages.map((m) => m.id));
      cursor = res.body.nextCursor;
      if (cursor === null) break;
      assert.equal(typeof cursor, 'string');
    }
    assert.equal(cursor, null, 'paging ends');
    assert.deepEqual(seen, expected, 'every hit once, newest first');

    const exact = await search(a, { q: word, limit: '5' });
    assert.equal(exact.body.messages.length, 5);
    assert.equal(exact.body.nextCursor, null, 'no cursor when nothing follows');
  });

  it('folds diacritics: cafe finds café', async () => {
    const a = await api.user('diac_a');
    const b = await api.user('diac_b');
    const conversationId = await api.direct(a, b);
    const tag = uniqueWord('tag');
    const accented = await send(a, conversationId, `un café ${tag} au lait`);
    const plain = await send(b, conversationId, `naive resume ${tag}`);

    const res = await search(b, { q: `cafe ${tag}` });
    assertStatus(res, 200, 'cafe');
    assert.deepEqual(
      res.body.messages.map((m) => m.id),
      [accented.id],
    );
    const reverse = await search(a, { q: `résumé naïve ${tag}` });
    assertStatus(reverse, 200, 'résumé');
    assert.deepEqual(
      reverse.body.messages.map((m) => m.id),
      [plain.id],
    );
    const upper = await search(a, { q: `CAFÉ ${tag.toUpperCase()}` });
    assert.deepEqual(
      upper.body.messages.map((m) => m.id),
      [accented.id],
      'case-insensitive',
    );
  });

  it('emoji in text or query do not break it', async () => {
    const a = await api.user('emoji_a');
    const b = await api.user('emoji_b');
    const conversationId = await api.direct(a, b);
    const word = uniqueWord('party');
    const message = await send(a, conversationId, `🎉🎉 ${word} time 👩‍👩‍👧‍👦 ok`);
    const res = await search(b, { q: word });
    assertStatus(res, 200, 'word beside emoji');
    assert.deepEqual(
      res.body.messages.map((m) => m.id),
      [message.id],
    );
    assert.equal(res.body.messages[0]?.content, `🎉🎉 ${word} time 👩‍👩‍👧‍👦 ok`, 'content intact');
    for (const q of ['🎉', '👩‍👩‍👧‍👦', `${word} 🎉`, '🎉🎉🎉🎉']) {
      const r = await search(b, { q });
      assertStatus(r, 200, `query ${q}`);
      assert.ok(Array.isArray(r.body.messages));
    }
  });

  it('FTS syntax in the query is not an error', async () => {
    const a = await api.user('fts_a');
    const b = await api.user('fts_b');
    const conversationId = await api.direct(a, b);
    const word = uniqueWord('fts');
    const message = await send(a, conversationId, `plain ${word} text`);
    const queries = [
      '"',
      '""',
      '*',
      '**',
      'NEAR(',
      'NEAR(a b',
      'OR',
      'AND',
      'NOT',
      'a OR',
      'OR b',
      '-',
      '--',
      '-a',
      '(',
      ')',
      '^',
      ':',
      'content:',
      '{a b}',
      '+',
      "'",
      '\\',
      '%',
      '_',
      `${word}"`,
      `"${word}`,
      `${word} NEAR(`,
      `${word} OR`,
      `-${word}`,
    ];
    const failures: string[] = [];
    for (const q of queries) {
      const r = await search(b, { q });
      if (r.status !== 200 || !Array.isArray(r.body.messages))
        failures.push(`${q} -> ${r.status} ${JSON.stringify(r.body)}`);
      else if (r.body.messages.some((m) => m.conversationId !== conversationId)) failures.push(`${q} -> foreign hit`);
    }
    assert.deepEqual(failures, [], 'queries that failed');

    // Operators and quotes are text, not syntax: the word is still found.
    for (const q of [`"${word}"`, `${word}*`, `(${word})`, `"${word}`, `${word}"`]) {
      const r = await search(b, { q });
      assertStatus(r, 200, q);
      assert.deepEqual(
        r.body.messages.map((m) => m.id),
        [message.id],
        `query ${q}`,
      );
    }
  });

  it('an empty query or a bad cursor answers 400, not 5xx', async () => {
    const a = await api.user('sbad_a');
    assertError(await search(a, { q: '' }), 400, 'invalid_request', 'empty q');
    assertError(await search(a, { q: '   ' }), 400, 'invalid_request', 'blank q');
    assertError(await search(a, { q: 'x', cursor: 'not-a-cursor' }), 400, 'invalid_request', 'bad cursor');
    const noQ = await api.request('GET', '/api/v1/search/messages', { token: a.token });
    assertError(noQ, 400, 'invalid_request', 'missing q');
  });
});

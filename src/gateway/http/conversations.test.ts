/**
 * Conversations and groups against the contract (../shared/CONTRACT.md):
 * direct chats, group creation and settings, membership changes and what a
 * removed member may still see, the member cap, and the conversation list.
 *
 * The one server of this file runs with CHAT_MAX_GROUP_MEMBERS=3, so the cap is
 * exercised without a second node; every other test keeps groups at 3 or less.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Conversation, ConversationSummary, Message } from '../../protocol/dto.js';
import { assertError, assertStatus } from '../../testing/assertions.js';
import { type Api, type ApiResponse, startTestServer, type TestServer, type TestUser } from '../../testing/server.js';

const MAX_MEMBERS = 3;

let server: TestServer;
let api: Api;

before(async () => {
  server = await startTestServer({ CHAT_MAX_GROUP_MEMBERS: String(MAX_MEMBERS) });
  api = server.api;
});
after(() => server.close());

// ---------------------------------------------------------------- helpers

async function getConversation(user: TestUser, id: string): Promise<ApiResponse<{ conversation: Conversation }>> {
  return api.request('GET', `/api/v1/conversations/${id}`, { token: user.token });
}

async function history(
  user: TestUser,
  id: string,
  query = '',
): Promise<ApiResponse<{ messages: Message[]; hasMore: boolean }>> {
  return api.request('GET', `/api/v1/conversations/${id}/messages${query ? `?${query}` : ''}`, { token: user.token });
}

/** Every message the user may read, oldest first, paged backwards in small pages. */
async function fullHistory(user: TestUser, id: string, pageSize = 2): Promise<Message[]> {
  const all: Message[] = [];
  let res = await history(user, id, `limit=${pageSize}`);
  assertStatus(res, 200, 'history');
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 1000, 'history paging does not end');
    all.unshift(...res.body.messages);
    if (!res.body.hasMore) break;
    const oldest = res.body.messages[0];
    assert.ok(oldest, 'hasMore with an empty page');
    res = await history(user, id, `limit=${pageSize}&before=${oldest.seq}`);
    assertStatus(res, 200, 'history page');
  }
  return all;
}

async function listConversations(user: TestUser): Promise<ConversationSummary[]> {
  const res = await api.request<{ conversations: ConversationSummary[] }>(
    'GET',
    `/api/v1/users/${user.user.id}/conversations`,
    { token: user.token },
  );
  assertStatus(res, 200, 'conversation list');
  return res.body.conversations;
}

async function send(user: TestUser, conversationId: string, content: string): Promise<Message> {
  const res = await api.send(user, conversationId, content);
  assertStatus(res, 201, `send "${content}"`);
  return res.body.message as Message;
}

function addMember(admin: TestUser, groupId: string, user: TestUser, role?: 'admin' | 'member') {
  return api.request<{ conversation: Conversation }>('PUT', `/api/v1/groups/${groupId}/members`, {
    token: admin.token,
    body: role ? { userId: user.user.id, role } : { userId: user.user.id },
  });
}

function removeMember(caller: TestUser, groupId: string, userId: string) {
  return api.request<{ conversation: Conversation }>('DELETE', `/api/v1/groups/${groupId}/members/${userId}`, {
    token: caller.token,
  });
}

function setRole(caller: TestUser, groupId: string, userId: string, role: 'admin' | 'member') {
  return api.request<{ conversation: Conversation }>('PUT', `/api/v1/groups/${groupId}/members/${userId}/role`, {
    token: caller.token,
    body: { role },
  });
}

function patchGroup(caller: TestUser, groupId: string, body: Record<string, unknown>) {
  return api.request<{ conversation: Conversation }>('PATCH', `/api/v1/groups/${groupId}`, {
    token: caller.token,
    body,
  });
}

function search(user: TestUser, q: string, conversationId?: string) {
  const params = new URLSearchParams({ q });
  if (conversationId) params.set('conversationId', conversationId);
  return api.request<{ messages: Message[] }>('GET', `/api/v1/search/messages?${params}`, { token: user.token });
}

function roleOf(conversation: Conversation, user: TestUser): string | undefined {
  return conversation.members.find((m) => m.userId === user.user.id)?.role;
}

function memberIds(conversation: Conversation): string[] {
  return conversation.members.map((m) => m.userId).sort();
}

function ids(...users: TestUser[]): string[] {
  return users.map((u) => u.user.id).sort();
}

/** A word no other message of the run contains. */
function uniqueWord(prefix: string): string {
  return `${prefix}${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Waits (by polling the clock, a few hundred microseconds at most) until the
 * millisecond changes, so activity stamps of consecutive steps differ.
 */
async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() === start) await new Promise((resolve) => setImmediate(resolve));
}

function assertConversationShape(c: Conversation): void {
  for (const key of ['id', 'type', 'name', 'avatarUrl', 'createdBy', 'createdAt', 'lastSeq', 'members', 'settings']) {
    assert.ok(key in c, `conversation lacks ${key}`);
  }
  assert.equal(typeof c.id, 'string');
  assert.ok(!Number.isNaN(Date.parse(c.createdAt)), 'createdAt is a time');
  assert.equal(typeof c.lastSeq, 'number');
  assert.ok(['all', 'admins'].includes(c.settings.sendPolicy));
  for (const m of c.members) {
    assert.equal(typeof m.userId, 'string');
    assert.ok(['admin', 'member'].includes(m.role));
    assert.ok(!Number.isNaN(Date.parse(m.joinedAt)), 'joinedAt is a time');
  }
}

// ---------------------------------------------------------------- direct chats

describe('direct conversations', () => {
  it('creates with 201, then answers 200 with the same id from either side', async () => {
    const a = await api.user('dir_a');
    const b = await api.user('dir_b');
    const first = await api.request('POST', '/api/v1/conversations', {
      token: a.token,
      body: { type: 'direct', userId: b.user.id },
    });
    assertStatus(first, 201, 'first open');
    const conversation = first.body.conversation as Conversation;
    assertConversationShape(conversation);
    assert.equal(conversation.type, 'direct');
    assert.deepEqual(memberIds(conversation), ids(a, b));

    const again = await api.request('POST', '/api/v1/conversations', {
      token: a.token,
      body: { type: 'direct', userId: b.user.id },
    });
    assertStatus(again, 200, 'open again');
    assert.equal(again.body.conversation.id, conversation.id);

    const otherSide = await api.request('POST', '/api/v1/conversations', {
      token: b.token,
      body: { type: 'direct', userId: a.user.id },
    });
    assertStatus(otherSide, 200, 'open from the other side');
    assert.equal(otherSide.body.conversation.id, conversation.id);

    const got = await getConversation(b, conversation.id);
    assertStatus(got, 200, 'GET by member');
    assert.equal(got.body.conversation.id, conversation.id);
  });

  it('concurrent opens of the same pair yield one conversation', async () => {
    const a = await api.user('dir_ca');
    const b = await api.user('dir_cb');
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api.request('POST', '/api/v1/conversations', {
          token: i % 2 ? a.token : b.token,
          body: { type: 'direct', userId: i % 2 ? b.user.id : a.user.id },
        }),
      ),
    );
    const statuses = answers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 200, 201], 'one 201, the rest 200');
    assert.equal(new Set(answers.map((r) => r.body.conversation.id)).size, 1, 'one conversation id');
  });

  it('refuses a direct chat with oneself (400)', async () => {
    const a = await api.user('dir_self');
    const res = await api.request('POST', '/api/v1/conversations', {
      token: a.token,
      body: { type: 'direct', userId: a.user.id },
    });
    assertError(res, 400, 'invalid_request', 'direct with self');
  });

  it('answers 404 for an unknown user', async () => {
    const a = await api.user('dir_unk');
    const res = await api.request('POST', '/api/v1/conversations', {
      token: a.token,
      body: { type: 'direct', userId: 'no_such_user_0123456789' },
    });
    assertError(res, 404, 'not_found', 'direct with unknown user');
  });
});

// ---------------------------------------------------------------- groups

describe('groups', () => {
  it('creates with 201: creator admin, others members, a seq-1 system message', async () => {
    const a = await api.user('grp_a');
    const b = await api.user('grp_b');
    const c = await api.user('grp_c');
    const res = await api.request('POST', '/api/v1/groups', {
      token: a.token,
      body: { name: 'Trip planning', memberIds: [b.user.id, c.user.id] },
    });
    assertStatus(res, 201, 'create group');
    const group = res.body.conversation as Conversation;
    assertConversationShape(group);
    assert.equal(group.type, 'group');
    assert.equal(group.name, 'Trip planning');
    assert.equal(group.createdBy, a.user.id);
    assert.equal(group.settings.sendPolicy, 'all');
    assert.equal(group.lastSeq, 1);
    assert.deepEqual(memberIds(group), ids(a, b, c));
    assert.equal(roleOf(group, a), 'admin');
    assert.equal(roleOf(group, b), 'member');
    assert.equal(roleOf(group, c), 'member');

    for (const viewer of [a, b, c]) {
      const page = await history(viewer, group.id);
      assertStatus(page, 200, 'history');
      assert.equal(page.body.messages.length, 1, 'only the system message');
      const [first] = page.body.messages;
      assert.equal(first?.seq, 1);
      assert.equal(first?.type, 'system');
      assert.equal(first?.conversationId, group.id);
      assert.equal(page.body.hasMore, false);
    }
  });

  it('PATCH by an admin changes name, avatarUrl and sendPolicy; by a member 403', async () => {
    const a = await api.user('patch_a');
    const b = await api.user('patch_b');
    const groupId = await api.group(a, [b], 'before');

    const denied = await patchGroup(b, groupId, { name: 'hijacked' });
    assertError(denied, 403, 'forbidden', 'member renames');

    const ok = await patchGroup(a, groupId, {
      name: 'after',
      avatarUrl: 'https://example.com/avatar.png',
      sendPolicy: 'admins',
    });
    assertStatus(ok, 200, 'admin patch');
    assert.equal(ok.body.conversation.name, 'after');
    assert.equal(ok.body.conversation.avatarUrl, 'https://example.com/avatar.png');
    assert.equal(ok.body.conversation.settings.sendPolicy, 'admins');

    const seen = await getConversation(b, groupId);
    assertStatus(seen, 200, 'GET after patch');
    assert.equal(seen.body.conversation.name, 'after');
    assert.equal(seen.body.conversation.avatarUrl, 'https://example.com/avatar.png');
    assert.equal(seen.body.conversation.settings.sendPolicy, 'admins');

    const deniedPolicy = await patchGroup(b, groupId, { sendPolicy: 'all' });
    assertError(deniedPolicy, 403, 'forbidden', 'member changes the send policy');
    const stillAdmins = await getConversation(a, groupId);
    assert.equal(stillAdmins.body.conversation.settings.sendPolicy, 'admins', 'a refused patch changes nothing');

    const cleared = await patchGroup(a, groupId, { avatarUrl: null });
    assertStatus(cleared, 200, 'clear avatar');
    assert.equal(cleared.body.conversation.avatarUrl, null);
  });

  it('adds a member (admin only) with a system message; the new member sees history from it on', async () => {
    const a = await api.user('add_a');
    const b = await api.user('add_b');
    const c = await api.user('add_c');
    const groupId = await api.group(a, [b]);
    const earlyWord = uniqueWord('early');
    const early = await send(a, groupId, `before ${earlyWord} joined`);

    const byMember = await addMember(b, groupId, c);
    assertError(byMember, 403, 'forbidden', 'member adds');
    assert.equal((await getConversation(c, groupId)).status, 404, 'a refused add adds nobody');

    const added = await addMember(a, groupId, c);
    assertStatus(added, 200, 'admin adds');
    assert.deepEqual(memberIds(added.body.conversation), ids(a, b, c));
    assert.equal(roleOf(added.body.conversation, c), 'member');
    const addSeq = added.body.conversation.lastSeq;
    assert.equal(addSeq, early.seq + 1, 'the add posted one message');

    const adminView = await history(a, groupId);
    const addMessage = adminView.body.messages.at(-1);
    assert.equal(addMessage?.seq, addSeq);
    assert.equal(addMessage?.type, 'system');
    assert.equal(addMessage?.system?.event, 'member_added');
    assert.equal(addMessage?.system?.targetId, c.user.id);
    assert.equal(addMessage?.system?.actorId, a.user.id);

    assertStatus(await getConversation(c, groupId), 200, 'new member GET');
    const seen = await fullHistory(c, groupId);
    assert.deepEqual(
      seen.map((m) => m.seq),
      [addSeq],
      'the new member sees only from its add message on',
    );
    const before = await history(c, groupId, `before=${addSeq}`);
    assertStatus(before, 200, 'history before the add');
    assert.deepEqual(before.body.messages, []);
    assert.equal(before.body.hasMore, false);
    const found = await search(c, earlyWord);
    assertStatus(found, 200, 'search');
    assert.deepEqual(found.body.messages, [], 'search does not reach before the add');

    const later = await send(b, groupId, 'welcome');
    const seenLater = await fullHistory(c, groupId);
    assert.deepEqual(
      seenLater.map((m) => m.id),
      [addMessage?.id, later.id],
    );
    assert.equal(later.seq, addSeq + 1);
  });

  it('adding a current member answers 409 conflict', async () => {
    const a = await api.user('dup_a');
    const b = await api.user('dup_b');
    const groupId = await api.group(a, [b]);
    const res = await addMember(a, groupId, b);
    assertError(res, 409, 'conflict', 'add current member');
    const self = await addMember(a, groupId, a);
    assertError(self, 409, 'conflict', 'add oneself');
    const after = await getConversation(a, groupId);
    assert.equal(after.body.conversation.lastSeq, 1, 'no system message for a refused add');
  });

  it('adding an unknown user answers 404', async () => {
    const a = await api.user('unk_a');
    const groupId = await api.group(a, []);
    const res = await api.request('PUT', `/api/v1/groups/${groupId}/members`, {
      token: a.token,
      body: { userId: 'no_such_user_0123456789' },
    });
    assertError(res, 404, 'not_found', 'add unknown user');
  });

  it('remove by an admin and leave by oneself post system messages', async () => {
    const a = await api.user('rm_a');
    const b = await api.user('rm_b');
    const c = await api.user('rm_c');
    const groupId = await api.group(a, [b, c]);

    const byMember = await removeMember(b, groupId, c.user.id);
    assertError(byMember, 403, 'forbidden', 'member removes another');

    const removed = await removeMember(a, groupId, b.user.id);
    assertStatus(removed, 200, 'admin removes');
    assert.deepEqual(memberIds(removed.body.conversation), ids(a, c));
    const removeSeq = removed.body.conversation.lastSeq;
    assert.equal(removeSeq, 2);

    const left = await removeMember(c, groupId, c.user.id);
    assertStatus(left, 200, 'member leaves');
    assert.deepEqual(memberIds(left.body.conversation), ids(a));
    assert.equal(left.body.conversation.lastSeq, 3);

    const page = await history(a, groupId);
    const [created, removal, leave] = page.body.messages;
    assert.equal(page.body.messages.length, 3);
    assert.equal(created?.type, 'system');
    assert.equal(removal?.type, 'system');
    assert.equal(removal?.system?.event, 'member_removed');
    assert.equal(removal?.system?.targetId, b.user.id);
    assert.equal(removal?.system?.actorId, a.user.id);
    assert.equal(leave?.type, 'system');
    assert.equal(leave?.system?.event, 'member_left');
    assert.equal(leave?.system?.targetId, c.user.id);

    const again = await removeMember(a, groupId, b.user.id);
    assert.ok([404, 409].includes(again.status), `removing a non-member: got ${again.status}`);
    assert.equal((await getConversation(a, groupId)).body.conversation.lastSeq, 3, 'no message for a refused remove');
  });

  it('a removed member sees nothing after its removal, and can no longer act', async () => {
    const a = await api.user('gone_a');
    const b = await api.user('gone_b');
    const groupId = await api.group(a, [b], 'club');
    const beforeWord = uniqueWord('before');
    const afterWord = uniqueWord('after');
    const seenByB = await send(b, groupId, `while a member ${beforeWord}`);
    await send(a, groupId, `reply ${beforeWord}`);

    const removed = await removeMember(a, groupId, b.user.id);
    assertStatus(removed, 200, 'remove');
    const removeSeq = removed.body.conversation.lastSeq;

    const secret = await send(a, groupId, `secret ${afterWord}`);
    await patchGroup(a, groupId, { name: `renamed ${afterWord}` });

    // GET conversation: not 200, and nothing of the group's current state.
    const got = await getConversation(b, groupId);
    assert.notEqual(got.status, 200);
    assert.ok([403, 404].includes(got.status), `GET by removed member: ${got.status}`);
    assert.ok(!JSON.stringify(got.body).includes(afterWord), 'GET leaks the new name');

    // Cannot send.
    const sent = await api.send(b, groupId, 'let me back in');
    assert.ok([403, 404].includes(sent.status), `send by removed member: ${sent.status}`);

    // History: up to its removal message, nothing after, pageable.
    const page = await history(b, groupId);
    assertStatus(page, 200, 'history by removed member');
    assert.equal(page.body.messages.at(-1)?.seq, removeSeq, 'the last visible message is its removal');
    assert.ok(page.body.messages.every((m) => m.seq <= removeSeq));
    assert.ok(!JSON.stringify(page.body).includes(afterWord), 'history leaks a later message');
    const afterPage = await history(b, groupId, `after=${removeSeq}`);
    assertStatus(afterPage, 200, 'history after removal');
    assert.deepEqual(afterPage.body.messages, []);
    assert.equal(afterPage.body.hasMore, false);
    const pastPage = await history(b, groupId, `after=${secret.seq - 1}`);
    assert.ok(!JSON.stringify(pastPage.body).includes(afterWord), 'after= beyond the window leaks');
    const all = await fullHistory(b, groupId, 1);
    assert.deepEqual(
      all.map((m) => m.seq),
      Array.from({ length: removeSeq }, (_, i) => i + 1),
      'pages every message it saw, one by one',
    );
    assert.ok(all.some((m) => m.id === seenByB.id));

    // Search: nothing after the removal.
    const found = await search(b, afterWord);
    assertStatus(found, 200, 'search by removed member');
    assert.deepEqual(found.body.messages, []);
    const foundInGroup = await search(b, afterWord, groupId);
    assert.ok(
      foundInGroup.status === 200 || [403, 404].includes(foundInGroup.status),
      `search with conversationId: ${foundInGroup.status}`,
    );
    assert.ok(!JSON.stringify(foundInGroup.body).includes(afterWord), 'search leaks a later message');
    // The member who stayed does find it: the search itself works.
    const adminFound = await search(a, afterWord);
    assert.deepEqual(
      adminFound.body.messages.map((m) => m.id),
      [secret.id],
    );

    // The list no longer shows the group.
    const list = await listConversations(b);
    assert.ok(!list.some((c) => c.id === groupId), 'the group stays in the removed member list');
  });

  it('when the last admin leaves, the oldest member becomes admin', async () => {
    const a = await api.user('last_a');
    const b = await api.user('last_b');
    const c = await api.user('last_c');
    const groupId = await api.group(a, [b]);
    await nextMillisecond();
    assertStatus(await addMember(a, groupId, c), 200, 'add c');

    const left = await removeMember(a, groupId, a.user.id);
    assertStatus(left, 200, 'last admin leaves');
    assert.deepEqual(memberIds(left.body.conversation), ids(b, c));
    assert.equal(roleOf(left.body.conversation, b), 'admin', 'the oldest member is promoted');
    assert.equal(roleOf(left.body.conversation, c), 'member', 'only the oldest');

    const seen = await getConversation(c, groupId);
    assert.equal(roleOf(seen.body.conversation, b), 'admin');
    // The promoted admin can act as one.
    assertStatus(await patchGroup(b, groupId, { name: 'new leadership' }), 200, 'promoted admin patches');
  });

  it('an admin leaving while another admin remains promotes nobody', async () => {
    const a = await api.user('two_a');
    const b = await api.user('two_b');
    const c = await api.user('two_c');
    const groupId = await api.group(a, [b, c]);
    assertStatus(await setRole(a, groupId, c.user.id, 'admin'), 200, 'make c admin');
    const left = await removeMember(a, groupId, a.user.id);
    assertStatus(left, 200, 'leave');
    assert.equal(roleOf(left.body.conversation, b), 'member');
    assert.equal(roleOf(left.body.conversation, c), 'admin');
  });

  it('role changes are admin-only', async () => {
    const a = await api.user('role_a');
    const b = await api.user('role_b');
    const c = await api.user('role_c');
    const groupId = await api.group(a, [b, c]);

    const byMember = await setRole(b, groupId, c.user.id, 'admin');
    assertError(byMember, 403, 'forbidden', 'member promotes');
    const selfPromote = await setRole(b, groupId, b.user.id, 'admin');
    assertError(selfPromote, 403, 'forbidden', 'member promotes itself');
    assert.equal(roleOf((await getConversation(a, groupId)).body.conversation, b), 'member');

    const promoted = await setRole(a, groupId, b.user.id, 'admin');
    assertStatus(promoted, 200, 'admin promotes');
    assert.equal(roleOf(promoted.body.conversation, b), 'admin');
    // Now b may do admin things.
    assertStatus(await patchGroup(b, groupId, { name: 'by b' }), 200, 'new admin patches');

    const demoted = await setRole(a, groupId, b.user.id, 'member');
    assertStatus(demoted, 200, 'admin demotes');
    assert.equal(roleOf(demoted.body.conversation, b), 'member');
    assertError(await patchGroup(b, groupId, { name: 'by b again' }), 403, 'forbidden', 'demoted patches');

    const outsider = await api.user('role_out');
    const notMember = await setRole(a, groupId, outsider.user.id, 'admin');
    assert.ok([404, 409].includes(notMember.status), `role of a non-member: ${notMember.status}`);
  });

  it('send policy "admins" stops members (403) but not admins', async () => {
    const a = await api.user('pol_a');
    const b = await api.user('pol_b');
    const groupId = await api.group(a, [b]);
    assertStatus(await patchGroup(a, groupId, { sendPolicy: 'admins' }), 200, 'set admins');

    const memberSend = await api.send(b, groupId, 'may I?');
    assertError(memberSend, 403, 'forbidden', 'member sends under admins policy');
    const adminSend = await api.send(a, groupId, 'announcement');
    assertStatus(adminSend, 201, 'admin sends under admins policy');
    const page = await history(a, groupId);
    assert.ok(!page.body.messages.some((m) => m.content === 'may I?'), 'refused message stored');

    assertStatus(await patchGroup(a, groupId, { sendPolicy: 'all' }), 200, 'set all');
    assertStatus(await api.send(b, groupId, 'now I may'), 201, 'member sends under all policy');
  });

  it(`member cap ${MAX_MEMBERS}: refuses a larger group (4xx) and a member beyond it (409)`, async () => {
    const a = await api.user('cap_a');
    const b = await api.user('cap_b');
    const c = await api.user('cap_c');
    const d = await api.user('cap_d');

    const tooBig = await api.request('POST', '/api/v1/groups', {
      token: a.token,
      body: { name: 'too big', memberIds: [b.user.id, c.user.id, d.user.id] },
    });
    assert.ok(tooBig.status >= 400 && tooBig.status < 500, `create 4-member group: ${tooBig.status}`);
    assert.equal(typeof tooBig.body.error?.code, 'string', 'contract error body');
    assert.ok(!(await listConversations(b)).some((conv) => conv.name === 'too big'), 'a refused group is not created');

    const groupId = await api.group(a, [b, c], 'full');
    const fourth = await addMember(a, groupId, d);
    assertError(fourth, 409, 'conflict', 'add a 4th member');
    const after = await getConversation(a, groupId);
    assert.equal(after.body.conversation.members.length, 3);
    assert.equal(after.body.conversation.lastSeq, 1, 'a refused add posts nothing');

    // Room again after someone leaves.
    assertStatus(await removeMember(c, groupId, c.user.id), 200, 'leave');
    assertStatus(await addMember(a, groupId, d), 200, 'add after a leave');
  });

  it('group routes on a direct conversation answer 400', async () => {
    const a = await api.user('gd_a');
    const b = await api.user('gd_b');
    const c = await api.user('gd_c');
    const directId = await api.direct(a, b);

    assertError(await patchGroup(a, directId, { name: 'not a group' }), 400, 'invalid_request', 'PATCH');
    assertError(await addMember(a, directId, c), 400, 'invalid_request', 'add member');
    assertError(await removeMember(a, directId, b.user.id), 400, 'invalid_request', 'remove other');
    assertError(await removeMember(a, directId, a.user.id), 400, 'invalid_request', 'leave');
    assertError(await setRole(a, directId, b.user.id, 'admin'), 400, 'invalid_request', 'set role');

    const still = await getConversation(a, directId);
    assertStatus(still, 200, 'direct still readable');
    assert.deepEqual(memberIds(still.body.conversation), ids(a, b));
    assert.equal(still.body.conversation.lastSeq, 0, 'nothing was posted');
  });
});

// ---------------------------------------------------------------- the list

describe('conversation list', () => {
  it('is newest activity first; a send moves a conversation to the top', async () => {
    const me = await api.user('list_me');
    const b = await api.user('list_b');
    const c = await api.user('list_c');
    const withB = await api.direct(me, b);
    await send(b, withB, 'first from b');
    await nextMillisecond();
    const withC = await api.direct(me, c);
    await send(c, withC, 'first from c');
    await nextMillisecond();
    const groupId = await api.group(c, [me, b], 'later group');

    let list = await listConversations(me);
    assert.deepEqual(
      list.map((conv) => conv.id),
      [groupId, withC, withB],
    );

    await nextMillisecond();
    const latest = await send(b, withB, 'b again');
    list = await listConversations(me);
    assert.deepEqual(
      list.map((conv) => conv.id),
      [withB, groupId, withC],
      'the conversation just written to moves to the top',
    );
    const top = list[0];
    assert.equal(top?.lastMessage?.id, latest.id);
    assert.equal(top?.lastMessage?.content, 'b again');
    assert.equal(top?.lastMessage?.seq, latest.seq);
    assert.equal(list[1]?.lastMessage?.type, 'system');
    for (const summary of list) assertConversationShape(summary);

    // The outsider's list is its own.
    const bList = await listConversations(b);
    assert.deepEqual(
      bList.map((conv) => conv.id),
      [withB, groupId],
    );
  });

  it('lastMessage is null in a conversation without messages', async () => {
    const me = await api.user('empty_me');
    const b = await api.user('empty_b');
    const directId = await api.direct(me, b);
    const [summary] = await listConversations(me);
    assert.equal(summary?.id, directId);
    assert.equal(summary?.lastMessage, null);
    assert.equal(summary?.unreadCount, 0);
  });

  it("unreadCount counts the other side's messages, not one's own; reading clears it", async () => {
    const me = await api.user('unread_me');
    const b = await api.user('unread_b');
    const directId = await api.direct(me, b);
    await send(b, directId, 'one');
    await send(b, directId, 'two');
    const third = await send(b, directId, 'three');

    const mine = (await listConversations(me)).find((conv) => conv.id === directId);
    assert.equal(mine?.unreadCount, 3);
    assert.equal(mine?.lastMessage?.id, third.id);
    const theirs = (await listConversations(b)).find((conv) => conv.id === directId);
    assert.equal(theirs?.unreadCount, 0, "the sender's own messages are not unread");

    // Reading up to the second leaves one unread.
    const page = await history(me, directId);
    const second = page.body.messages[1];
    assert.ok(second);
    const read = await api.request('POST', `/api/v1/messages/${second.id}/read`, { token: me.token });
    assertStatus(read, 200, 'read');
    assert.equal((await listConversations(me)).find((conv) => conv.id === directId)?.unreadCount, 1);

    const readAll = await api.request('POST', `/api/v1/messages/${third.id}/read`, { token: me.token });
    assertStatus(readAll, 200, 'read all');
    assert.equal((await listConversations(me)).find((conv) => conv.id === directId)?.unreadCount, 0);

    // Reading an older message does not move the watermark back.
    await api.request('POST', `/api/v1/messages/${second.id}/read`, { token: me.token });
    assert.equal((await listConversations(me)).find((conv) => conv.id === directId)?.unreadCount, 0);

    await send(b, directId, 'four');
    assert.equal((await listConversations(me)).find((conv) => conv.id === directId)?.unreadCount, 1);
  });

  it('a new group member does not count messages from before it joined', async () => {
    const a = await api.user('unj_a');
    const b = await api.user('unj_b');
    const groupId = await api.group(a, []);
    await send(a, groupId, 'old one');
    await send(a, groupId, 'old two');
    assertStatus(await addMember(a, groupId, b), 200, 'add');
    const summary = (await listConversations(b)).find((conv) => conv.id === groupId);
    assert.ok(summary, 'the group is in the new member list');
    assert.equal(summary.unreadCount, 0, 'neither earlier history nor the system message counts');
    await send(a, groupId, 'new one');
    const next = (await listConversations(b)).find((conv) => conv.id === groupId);
    assert.equal(next?.unreadCount, summary.unreadCount + 1);
  });

  it("another user's list answers 403", async () => {
    const me = await api.user('other_me');
    const them = await api.user('other_them');
    await api.direct(them, await api.user('other_x'));
    const res = await api.request('GET', `/api/v1/users/${them.user.id}/conversations`, { token: me.token });
    assertError(res, 403, 'forbidden', "another user's list");
  });
});

/**
 * Authorization matrix: every conversation-, message- and user-scoped route,
 * called by someone who may not use it, answers 403 or 404 with the contract's
 * error body, never leaks content, and changes nothing.
 *
 * Callers:
 *  (a) outsider  - never a member of anything in the scenario;
 *  (b) removed   - was a group member, removed before the secret was posted;
 *  (c) member    - a current, authenticated member without the right (not
 *                  the sender, not an admin, not the owner of the list).
 *
 * A removed member may still read the history it saw while a member (the
 * contract: "a removed member sees nothing after its removal"), so for (b)
 * history and search answer either 403/404, or 200 holding nothing posted
 * after the removal.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Conversation, Message } from '../../protocol/dto.js';
import { type Api, type ApiResponse, startTestServer, type TestServer, type TestUser } from '../../testing/server.js';

let server: TestServer;
let api: Api;

before(async () => {
  server = await startTestServer();
  api = server.api;
});
after(() => server.close());

interface Scenario {
  admin: TestUser;
  member: TestUser;
  removed: TestUser;
  outsider: TestUser;
  groupId: string;
  directId: string;
  /** Posted in the group by the admin after `removed` left. */
  secret: Message;
  /** Posted in the direct chat of admin and member. */
  directSecret: Message;
  /** Posted in the group by `removed` while it was a member. */
  removedOwn: Message;
  /** Every text the scenario keeps from some caller. */
  secrets: string[];
  /** The group as its admin saw it at the end of set-up. */
  group: Conversation;
}

function token(prefix: string): string {
  return `${prefix}${Math.random().toString(36).slice(2, 12)}`;
}

async function scenario(): Promise<Scenario> {
  const [admin, member, removed, outsider] = await Promise.all([
    api.user('authz_admin'),
    api.user('authz_member'),
    api.user('authz_removed'),
    api.user('authz_out'),
  ]);
  const groupId = await api.group(admin, [member, removed], 'authz group');
  const directId = await api.direct(admin, member);
  const removedOwnRes = await api.send(removed, groupId, 'said while a member');
  assert.equal(removedOwnRes.status, 201);
  const removal = await api.request('DELETE', `/api/v1/groups/${groupId}/members/${removed.user.id}`, {
    token: admin.token,
  });
  assert.equal(removal.status, 200, `removal: ${JSON.stringify(removal.body)}`);

  const secretText = token('groupsecret');
  const directText = token('directsecret');
  const newName = token('secretname');
  const secretRes = await api.send(admin, groupId, `the ${secretText} plan`);
  assert.equal(secretRes.status, 201);
  const directRes = await api.send(admin, directId, `just us ${directText}`);
  assert.equal(directRes.status, 201);
  const renamed = await api.request('PATCH', `/api/v1/groups/${groupId}`, {
    token: admin.token,
    body: { name: newName },
  });
  assert.equal(renamed.status, 200);
  return {
    admin,
    member,
    removed,
    outsider,
    groupId,
    directId,
    secret: secretRes.body.message,
    directSecret: directRes.body.message,
    removedOwn: removedOwnRes.body.message,
    secrets: [secretText, directText, newName],
    group: renamed.body.conversation,
  };
}

/** The state the denied calls must not change, as the admin sees it. */
async function snapshot(s: Scenario) {
  const group = await api.request('GET', `/api/v1/conversations/${s.groupId}`, { token: s.admin.token });
  const direct = await api.request('GET', `/api/v1/conversations/${s.directId}`, { token: s.admin.token });
  const groupHistory = await api.request('GET', `/api/v1/conversations/${s.groupId}/messages?limit=200`, {
    token: s.admin.token,
  });
  const directHistory = await api.request('GET', `/api/v1/conversations/${s.directId}/messages?limit=200`, {
    token: s.admin.token,
  });
  const secretReceipts = await api.request('GET', `/api/v1/messages/${s.secret.id}/receipts`, {
    token: s.admin.token,
  });
  const directReceipts = await api.request('GET', `/api/v1/messages/${s.directSecret.id}/receipts`, {
    token: s.admin.token,
  });
  for (const res of [group, direct, groupHistory, directHistory, secretReceipts, directReceipts]) {
    assert.equal(res.status, 200, `snapshot read: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return {
    group: group.body,
    direct: direct.body,
    groupHistory: groupHistory.body,
    directHistory: directHistory.body,
    secretReceipts: secretReceipts.body,
    directReceipts: directReceipts.body,
  };
}

type Caller = 'outsider' | 'removed' | 'member';
type Outcome = 'denied' | 'denied-or-window';

interface Route {
  /** The server's route, "METHOD /path" as Fastify registers it. */
  route: string;
  name: string;
  /** Which callers this route is checked for, and what each may get. */
  callers: Partial<Record<Caller, Outcome>>;
  call(s: Scenario, caller: TestUser): Promise<ApiResponse>;
}

const ROUTES: Route[] = [
  {
    route: 'GET /api/v1/conversations/:id',
    name: 'GET /conversations/{id} (group)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) => api.request('GET', `/api/v1/conversations/${s.groupId}`, { token: u.token }),
  },
  {
    route: 'GET /api/v1/conversations/:id',
    name: 'GET /conversations/{id} (direct)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) => api.request('GET', `/api/v1/conversations/${s.directId}`, { token: u.token }),
  },
  {
    route: 'GET /api/v1/conversations/:id/messages',
    name: 'GET /conversations/{id}/messages (group)',
    callers: { outsider: 'denied', removed: 'denied-or-window' },
    call: (s, u) => api.request('GET', `/api/v1/conversations/${s.groupId}/messages`, { token: u.token }),
  },
  {
    route: 'GET /api/v1/conversations/:id/messages',
    name: 'GET /conversations/{id}/messages?after= (group, past the removal)',
    callers: { outsider: 'denied', removed: 'denied-or-window' },
    call: (s, u) =>
      api.request('GET', `/api/v1/conversations/${s.groupId}/messages?after=${s.secret.seq - 1}&limit=200`, {
        token: u.token,
      }),
  },
  {
    route: 'GET /api/v1/conversations/:id/messages',
    name: 'GET /conversations/{id}/messages (direct)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) => api.request('GET', `/api/v1/conversations/${s.directId}/messages`, { token: u.token }),
  },
  {
    route: 'POST /api/v1/messages',
    name: 'POST /messages (group)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) =>
      api.request('POST', '/api/v1/messages', {
        token: u.token,
        body: { conversationId: s.groupId, clientMsgId: token('authz'), content: 'intruding' },
      }),
  },
  {
    route: 'POST /api/v1/messages',
    name: 'POST /messages (direct)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) =>
      api.request('POST', '/api/v1/messages', {
        token: u.token,
        body: { conversationId: s.directId, clientMsgId: token('authz'), content: 'intruding' },
      }),
  },
  {
    route: 'PATCH /api/v1/groups/:id',
    name: 'PATCH /groups/{id}',
    callers: { outsider: 'denied', removed: 'denied', member: 'denied' },
    call: (s, u) => api.request('PATCH', `/api/v1/groups/${s.groupId}`, { token: u.token, body: { name: 'pwned' } }),
  },
  {
    route: 'PATCH /api/v1/groups/:id',
    name: 'PATCH /groups/{id} sendPolicy',
    callers: { outsider: 'denied', removed: 'denied', member: 'denied' },
    call: (s, u) =>
      api.request('PATCH', `/api/v1/groups/${s.groupId}`, { token: u.token, body: { sendPolicy: 'admins' } }),
  },
  {
    route: 'PUT /api/v1/groups/:id/members',
    name: 'PUT /groups/{id}/members (add oneself)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) =>
      api.request('PUT', `/api/v1/groups/${s.groupId}/members`, { token: u.token, body: { userId: u.user.id } }),
  },
  {
    route: 'PUT /api/v1/groups/:id/members',
    name: 'PUT /groups/{id}/members (add another user)',
    callers: { outsider: 'denied', removed: 'denied', member: 'denied' },
    call: async (s, u) => {
      const friend = u === s.member ? s.outsider : s.removed === u ? s.outsider : s.removed;
      return api.request('PUT', `/api/v1/groups/${s.groupId}/members`, {
        token: u.token,
        body: { userId: friend.user.id, role: 'admin' },
      });
    },
  },
  {
    route: 'DELETE /api/v1/groups/:id/members/:userId',
    name: 'DELETE /groups/{id}/members/{userId} (remove another)',
    callers: { outsider: 'denied', removed: 'denied', member: 'denied' },
    call: (s, u) =>
      api.request(
        'DELETE',
        `/api/v1/groups/${s.groupId}/members/${u === s.member ? s.admin.user.id : s.member.user.id}`,
        {
          token: u.token,
        },
      ),
  },
  {
    route: 'DELETE /api/v1/groups/:id/members/:userId',
    name: 'DELETE /groups/{id}/members/{self} (leave)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) => api.request('DELETE', `/api/v1/groups/${s.groupId}/members/${u.user.id}`, { token: u.token }),
  },
  {
    route: 'PUT /api/v1/groups/:id/members/:userId/role',
    name: 'PUT /groups/{id}/members/{userId}/role (promote oneself)',
    callers: { outsider: 'denied', removed: 'denied', member: 'denied' },
    call: (s, u) =>
      api.request('PUT', `/api/v1/groups/${s.groupId}/members/${u.user.id}/role`, {
        token: u.token,
        body: { role: 'admin' },
      }),
  },
  {
    route: 'PUT /api/v1/groups/:id/members/:userId/role',
    name: 'PUT /groups/{id}/members/{userId}/role (demote the admin)',
    callers: { outsider: 'denied', removed: 'denied', member: 'denied' },
    call: (s, u) =>
      api.request('PUT', `/api/v1/groups/${s.groupId}/members/${s.admin.user.id}/role`, {
        token: u.token,
        body: { role: 'member' },
      }),
  },
  {
    route: 'POST /api/v1/messages/:id/read',
    name: 'POST /messages/{id}/read (group secret)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) => api.request('POST', `/api/v1/messages/${s.secret.id}/read`, { token: u.token }),
  },
  {
    route: 'POST /api/v1/messages/:id/read',
    name: 'POST /messages/{id}/read (direct secret)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) => api.request('POST', `/api/v1/messages/${s.directSecret.id}/read`, { token: u.token }),
  },
  {
    route: 'POST /api/v1/messages/:id/read',
    name: 'POST /messages/{id}/read (own message from before the removal)',
    callers: { removed: 'denied' },
    call: (s, u) => api.request('POST', `/api/v1/messages/${s.removedOwn.id}/read`, { token: u.token }),
  },
  {
    route: 'GET /api/v1/messages/:id/receipts',
    name: 'GET /messages/{id}/receipts (group secret)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) => api.request('GET', `/api/v1/messages/${s.secret.id}/receipts`, { token: u.token }),
  },
  {
    route: 'GET /api/v1/messages/:id/receipts',
    name: 'GET /messages/{id}/receipts (direct secret)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) => api.request('GET', `/api/v1/messages/${s.directSecret.id}/receipts`, { token: u.token }),
  },
  {
    route: 'PUT /api/v1/messages/:id/reaction',
    name: 'PUT /messages/{id}/reaction (group secret)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) =>
      api.request('PUT', `/api/v1/messages/${s.secret.id}/reaction`, { token: u.token, body: { emoji: '👍' } }),
  },
  {
    route: 'PUT /api/v1/messages/:id/reaction',
    name: 'PUT /messages/{id}/reaction (direct secret)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) =>
      api.request('PUT', `/api/v1/messages/${s.directSecret.id}/reaction`, { token: u.token, body: { emoji: '👍' } }),
  },
  {
    route: 'DELETE /api/v1/messages/:id/reaction',
    name: 'DELETE /messages/{id}/reaction (group secret)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) => api.request('DELETE', `/api/v1/messages/${s.secret.id}/reaction`, { token: u.token }),
  },
  {
    route: 'GET /api/v1/messages/:id/reactions',
    name: 'GET /messages/{id}/reactions (group secret)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) => api.request('GET', `/api/v1/messages/${s.secret.id}/reactions`, { token: u.token }),
  },
  {
    route: 'PATCH /api/v1/messages/:id',
    name: 'PATCH /messages/{id} (group secret)',
    callers: { outsider: 'denied', removed: 'denied', member: 'denied' },
    call: (s, u) =>
      api.request('PATCH', `/api/v1/messages/${s.secret.id}`, { token: u.token, body: { content: 'forged' } }),
  },
  {
    route: 'PATCH /api/v1/messages/:id',
    name: 'PATCH /messages/{id} (direct secret)',
    callers: { outsider: 'denied', removed: 'denied', member: 'denied' },
    call: (s, u) =>
      api.request('PATCH', `/api/v1/messages/${s.directSecret.id}`, { token: u.token, body: { content: 'forged' } }),
  },
  {
    route: 'PATCH /api/v1/messages/:id',
    name: 'PATCH /messages/{id} (own message from before the removal)',
    callers: { removed: 'denied' },
    call: (s, u) =>
      api.request('PATCH', `/api/v1/messages/${s.removedOwn.id}`, { token: u.token, body: { content: 'rewritten' } }),
  },
  {
    route: 'DELETE /api/v1/messages/:id',
    name: 'DELETE /messages/{id} (group secret)',
    callers: { outsider: 'denied', removed: 'denied', member: 'denied' },
    call: (s, u) => api.request('DELETE', `/api/v1/messages/${s.secret.id}`, { token: u.token }),
  },
  {
    route: 'DELETE /api/v1/messages/:id',
    name: 'DELETE /messages/{id} (direct secret)',
    callers: { outsider: 'denied', removed: 'denied', member: 'denied' },
    call: (s, u) => api.request('DELETE', `/api/v1/messages/${s.directSecret.id}`, { token: u.token }),
  },
  {
    route: 'DELETE /api/v1/messages/:id',
    name: 'DELETE /messages/{id} (own message from before the removal)',
    callers: { removed: 'denied' },
    call: (s, u) => api.request('DELETE', `/api/v1/messages/${s.removedOwn.id}`, { token: u.token }),
  },
  {
    route: 'GET /api/v1/search/messages',
    name: 'GET /search/messages?conversationId= (group)',
    callers: { outsider: 'denied', removed: 'denied-or-window' },
    call: (s, u) =>
      api.request('GET', `/api/v1/search/messages?q=${s.secrets[0]}&conversationId=${s.groupId}`, { token: u.token }),
  },
  {
    route: 'GET /api/v1/search/messages',
    name: 'GET /search/messages?conversationId= (direct)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) =>
      api.request('GET', `/api/v1/search/messages?q=${s.secrets[1]}&conversationId=${s.directId}`, { token: u.token }),
  },
  {
    route: 'GET /api/v1/users/:id/conversations',
    name: 'GET /users/{id}/conversations (the admin list)',
    callers: { outsider: 'denied', removed: 'denied', member: 'denied' },
    call: (s, u) => api.request('GET', `/api/v1/users/${s.admin.user.id}/conversations`, { token: u.token }),
  },
  // Push: muting is for members only (src/push/service.ts).
  {
    route: 'GET /api/v1/conversations/:id/mute',
    name: 'GET /conversations/{id}/mute (group)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) => api.request('GET', `/api/v1/conversations/${s.groupId}/mute`, { token: u.token }),
  },
  {
    route: 'PUT /api/v1/conversations/:id/mute',
    name: 'PUT /conversations/{id}/mute (group)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) => api.request('PUT', `/api/v1/conversations/${s.groupId}/mute`, { token: u.token, body: {} }),
  },
  {
    route: 'DELETE /api/v1/conversations/:id/mute',
    name: 'DELETE /conversations/{id}/mute (direct)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) => api.request('DELETE', `/api/v1/conversations/${s.directId}/mute`, { token: u.token }),
  },
  {
    route: 'POST /api/v1/messages/:id/forward',
    name: 'POST /messages/{id}/forward (group secret into the direct chat)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) =>
      api.request('POST', `/api/v1/messages/${s.secret.id}/forward`, {
        token: u.token,
        body: { targets: [{ conversationId: s.directId, clientMsgId: token('fwd') }] },
      }),
  },
  {
    route: 'GET /api/v1/conversations/:id/pinned-messages',
    name: 'GET /conversations/{id}/pinned-messages (group)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) => api.request('GET', `/api/v1/conversations/${s.groupId}/pinned-messages`, { token: u.token }),
  },
  {
    route: 'PUT /api/v1/conversations/:id/pinned-messages/:messageId',
    name: 'PUT /conversations/{id}/pinned-messages/{messageId} (group: admins only)',
    callers: { outsider: 'denied', removed: 'denied', member: 'denied' },
    call: (s, u) =>
      api.request('PUT', `/api/v1/conversations/${s.groupId}/pinned-messages/${s.secret.id}`, { token: u.token }),
  },
  {
    route: 'DELETE /api/v1/conversations/:id/pinned-messages/:messageId',
    name: 'DELETE /conversations/{id}/pinned-messages/{messageId} (direct)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) =>
      api.request('DELETE', `/api/v1/conversations/${s.directId}/pinned-messages/${s.directSecret.id}`, {
        token: u.token,
      }),
  },
  {
    route: 'GET /api/v1/messages/:id/preview/image',
    name: 'GET /messages/{id}/preview/image (group secret)',
    callers: { outsider: 'denied', removed: 'denied' },
    call: (s, u) => api.request('GET', `/api/v1/messages/${s.secret.id}/preview/image`, { token: u.token }),
  },
];

function callerOf(s: Scenario, caller: Caller): TestUser {
  return s[caller];
}

function assertNoLeak(res: ApiResponse, s: Scenario, caller: Caller, what: string): void {
  const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
  // A current member legitimately knows the group's content; its error answers
  // must still not echo it.
  for (const secret of s.secrets) {
    assert.ok(!text.includes(secret), `${what} as ${caller}: the answer leaks "${secret}": ${text}`);
  }
}

function assertDenied(res: ApiResponse, what: string): void {
  assert.ok(
    res.status === 403 || res.status === 404,
    `${what}: expected 403 or 404, got ${res.status} ${JSON.stringify(res.body)}`,
  );
  assert.equal(typeof res.body, 'object', `${what}: the error body must be JSON`);
  assert.deepEqual(Object.keys(res.body), ['error'], `${what}: the body holds only "error"`);
  const { error } = res.body as { error: { code: unknown; message: unknown } };
  assert.equal(error.code, res.status === 403 ? 'forbidden' : 'not_found', `${what}: error code`);
  assert.equal(typeof error.message, 'string', `${what}: error message`);
}

/** 200 allowed only as a page of the removed member's own window. */
function assertDeniedOrWindow(res: ApiResponse, s: Scenario, what: string): void {
  if (res.status !== 200) {
    assertDenied(res, what);
    return;
  }
  const messages = res.body.messages as Message[];
  assert.ok(Array.isArray(messages), `${what}: 200 without messages`);
  for (const m of messages) {
    assert.equal(m.conversationId, s.groupId, `${what}: a message of another conversation`);
    assert.ok(m.seq < s.secret.seq, `${what}: seq ${m.seq} is past the removal`);
  }
}

describe('authorization matrix', () => {
  for (const route of ROUTES) {
    for (const [caller, outcome] of Object.entries(route.callers) as Array<[Caller, Outcome]>) {
      it(`${route.name} as ${caller}`, async () => {
        const s = await scenario();
        const before = await snapshot(s);
        const res = await route.call(s, callerOf(s, caller));
        const what = `${route.name} as ${caller}`;
        if (outcome === 'denied') assertDenied(res, what);
        else assertDeniedOrWindow(res, s, what);
        assertNoLeak(res, s, caller, what);
        assert.deepEqual(await snapshot(s), before, `${what}: a refused call changed state`);
      });
    }
  }

  it('covers every conversation-, message- and user-scoped route of the server', () => {
    // Creating a direct chat or a group touches no existing conversation.
    const creations = new Set(['POST /api/v1/conversations', 'POST /api/v1/groups']);
    const scoped = server.node.app.registeredRoutes.filter(
      (route) =>
        /^\w+ \/api\/v1\/(conversations|groups|messages|search|users\/:id\/conversations)/.test(route) &&
        !creations.has(route),
    );
    assert.ok(scoped.length >= 13, `expected the scoped routes, found ${scoped.join(', ')}`);
    const covered = new Set(ROUTES.map((r) => r.route));
    const missing = scoped.filter((route) => !covered.has(route));
    assert.deepEqual(missing, [], 'routes without a matrix entry');
    const unknown = [...covered].filter((route) => !scoped.includes(route));
    assert.deepEqual(unknown, [], 'matrix entries for routes the server does not have');
  });

  it('search without conversationId never returns other users messages', async () => {
    const s = await scenario();
    for (const caller of ['outsider', 'removed'] as const) {
      for (const q of s.secrets) {
        const res = await api.request('GET', `/api/v1/search/messages?q=${q}`, { token: callerOf(s, caller).token });
        assert.equal(res.status, 200, `search as ${caller}`);
        assert.deepEqual(res.body.messages, [], `search as ${caller} for ${q}`);
        assertNoLeak(res, s, caller, 'search');
      }
    }
    // The admin does find them: the searches above could have matched.
    const found = await api.request('GET', `/api/v1/search/messages?q=${s.secrets[0]}`, { token: s.admin.token });
    assert.deepEqual(
      found.body.messages.map((m: Message) => m.id),
      [s.secret.id],
    );
  });

  it('the lists of outsider and removed member do not show the conversations', async () => {
    const s = await scenario();
    for (const caller of ['outsider', 'removed'] as const) {
      const u = callerOf(s, caller);
      const res = await api.request('GET', `/api/v1/users/${u.user.id}/conversations`, { token: u.token });
      assert.equal(res.status, 200);
      const ids = (res.body.conversations as Conversation[]).map((c) => c.id);
      assert.ok(!ids.includes(s.groupId), `${caller} lists the group`);
      assert.ok(!ids.includes(s.directId), `${caller} lists the direct chat`);
      assertNoLeak(res, s, caller, 'own list');
    }
  });

  it('unknown ids answer 404 with the contract error body', async () => {
    const s = await scenario();
    const u = s.member;
    const missing = 'no_such_id_0123456789';
    const calls: Array<[string, string, unknown?]> = [
      ['GET', `/api/v1/conversations/${missing}`],
      ['GET', `/api/v1/conversations/${missing}/messages`],
      ['POST', '/api/v1/messages', { conversationId: missing, clientMsgId: 'x', content: 'x' }],
      ['PATCH', `/api/v1/groups/${missing}`, { name: 'x' }],
      ['PUT', `/api/v1/groups/${missing}/members`, { userId: s.outsider.user.id }],
      ['DELETE', `/api/v1/groups/${missing}/members/${u.user.id}`],
      ['PUT', `/api/v1/groups/${missing}/members/${u.user.id}/role`, { role: 'admin' }],
      ['POST', `/api/v1/messages/${missing}/read`],
      ['GET', `/api/v1/messages/${missing}/receipts`],
      ['PATCH', `/api/v1/messages/${missing}`, { content: 'x' }],
      ['DELETE', `/api/v1/messages/${missing}`],
      ['GET', `/api/v1/search/messages?q=x&conversationId=${missing}`],
    ];
    for (const [method, path, body] of calls) {
      const res = await api.request(method, path, body === undefined ? { token: u.token } : { token: u.token, body });
      assert.equal(res.status, 404, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error?.code, 'not_found', `${method} ${path}`);
    }
  });
});

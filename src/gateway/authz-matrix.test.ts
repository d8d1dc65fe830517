/**
 * The authorization matrix, generated from the router's route list and the
 * frame registry: every route and every client frame needs a row
 * (src/testing/authz/routes.ts, FRAME_ROWS below), or this test fails.
 *
 * Route callers: the legitimate member, a non-member, a removed member, the
 * legitimate caller naming another user's object, and seven token faults (none,
 * expired, not yet valid, alg=none, bad signature, wrong audience, deleted
 * user). Token faults get 401 (the WebSocket: refused before the upgrade with
 * 401); authorization failures one consistent 403/404 with the contract's error
 * body and nothing of the content. Frames are sent by a member, a non-member
 * and a removed member. An open socket stops delivering at removal and is
 * closed with 4401 at token expiry.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TokenService } from '../auth/tokens.js';
import { CLIENT_FRAME_TYPES, CLOSE_CODES, type ClientFrameType } from '../protocol/frames.js';
import { type Cast, cast, PASSWORD, type Scene, scene } from '../testing/authz/fixture.js';
import { type Call, ROUTE_ROWS, type RouteRow } from '../testing/authz/routes.js';
import { faultyToken, TOKEN_FAULTS } from '../testing/authz/tokens.js';
import { upload } from '../testing/media-client.js';
import { png } from '../testing/media-fixtures.js';
import { startTestServer, type TestServer, type TestUser } from '../testing/server.js';
import { HandshakeRefused, WsClient } from '../testing/ws.js';

const SECRET = 'authz-secret-authz-secret-authz-secret-0123';
const SECRET_TEXT = 'for members only';
const CALLERS = ['member', 'nonMember', 'removedMember', 'otherObject', ...TOKEN_FAULTS] as const;
type Caller = (typeof CALLERS)[number];

interface Answer {
  status: number;
  text: string;
}

let server: TestServer;
let people: Cast;

before(async () => {
  server = await startTestServer({
    CHAT_JWT_SECRET: SECRET,
    CHAT_LOGIN_LIMIT_PER_IP: '100000',
    CHAT_LOGIN_LIMIT_PER_USERNAME: '100000',
    // Every scene creates a group and a channel for the same admin.
    CHAT_GROUP_CREATE_PER_HOUR: '100000',
  });
  people = await cast(server);
});
after(() => server.close());

async function perform(call: Call, token: string | null): Promise<Answer> {
  if (call.path === '/api/v1/ws') {
    try {
      const client = await WsClient.connect(server.url, token ?? '');
      await client.close();
      return { status: 200, text: '' };
    } catch (error) {
      if (error instanceof HandshakeRefused) return { status: error.status, text: '' };
      throw error;
    }
  }
  if (call.upload) {
    const fake = token ? ({ token } as TestUser) : null;
    const bytes = await png(
      16,
      16,
      `#${Math.floor(Math.random() * 0xffffff)
        .toString(16)
        .padStart(6, '0')}`,
    );
    const res = await upload(server, fake, { fileName: 'x.png', type: 'image/png', bytes });
    return { status: res.status, text: JSON.stringify(res.body) };
  }
  const res = await server.api.request(call.method, call.path, {
    ...(token ? { token } : {}),
    ...(call.body !== undefined ? { body: call.body } : {}),
  });
  return { status: res.status, text: typeof res.body === 'string' ? res.body : JSON.stringify(res.body) };
}

const denied = (a: Answer) => a.status === 403 || a.status === 404;
const ok = (a: Answer) => a.status >= 200 && a.status < 300;
const errorBody = (a: Answer) => /"error":\{"code":"[a-z_]+","message":/.test(a.text);

/** Runs one route for every caller; returns the failures, in words. */
async function runRow(route: string, row: RouteRow): Promise<string[]> {
  const s: Scene = await scene(server, people);
  const legit = s[row.legit];
  const failures: string[] = [];
  const expect = (caller: Caller, answer: Answer, good: boolean, wanted: string) => {
    if (!good) failures.push(`${route} as ${caller}: ${answer.status}, expected ${wanted}`);
    if (answer.status >= 400 && route !== 'GET /api/v1/ws' && !errorBody(answer)) {
      failures.push(`${route} as ${caller}: ${answer.status} without the contract's error body`);
    }
    if (!ok(answer) && answer.text.includes(SECRET_TEXT)) failures.push(`${route} as ${caller}: leaked content`);
  };
  for (const fault of TOKEN_FAULTS) {
    const token = await faultyToken(fault, SECRET, legit.user.id);
    const answer = await perform(row.call(s, legit), token);
    if (row.kind === 'public') expect(fault, answer, answer.status < 500 && answer.status !== 401, 'served');
    else expect(fault, answer, answer.status === 401, '401');
  }
  if (row.kind === 'public') {
    for (const caller of ['nonMember', 'removedMember', 'otherObject', 'member'] as const) {
      const answer = await perform(row.call(s, legit), legit.token);
      expect(caller, answer, answer.status < 500, 'served');
    }
    return failures;
  }
  const outsider = await perform(row.call(s, s.outsider), s.outsider.token);
  expect(
    'nonMember',
    outsider,
    row.kind === 'user' ? ok(outsider) : denied(outsider),
    row.kind === 'user' ? '2xx' : '403/404',
  );
  const removed = await perform(row.call(s, s.removed), s.removed.token);
  const removedOk =
    row.kind === 'user' ? ok(removed) : row.removed === 'either' ? ok(removed) || denied(removed) : denied(removed);
  expect('removedMember', removed, removedOk, row.kind === 'user' ? '2xx' : '403/404');
  if (row.kind === 'scoped' && ok(removed) && removed.text.includes(SECRET_TEXT)) {
    failures.push(`${route} as removedMember: sees what was posted after its removal`);
  }
  if (row.otherObject) {
    const foreign = await perform(row.otherObject(s, legit), legit.token);
    expect('otherObject', foreign, denied(foreign), '403/404');
    if (row.kind === 'scoped' && denied(outsider) && denied(foreign) && outsider.status !== foreign.status) {
      failures.push(`${route}: non-member ${outsider.status} but other's object ${foreign.status} (inconsistent)`);
    }
  }
  const member = await perform(row.call(s, legit), legit.token);
  expect('member', member, ok(member), '2xx');
  return failures;
}

interface FrameRow {
  /** conversation: about the group; user: the caller's own state; admin: server admins only. */
  scope: 'conversation' | 'user' | 'admin';
  frame(s: Scene): Record<string, unknown>;
}

const FRAME_ROWS: Record<ClientFrameType, FrameRow> = {
  'message:send': {
    scope: 'conversation',
    frame: (s) => ({ type: 'message:send', conversationId: s.groupId, clientMsgId: `f-${Date.now()}`, content: 'x' }),
  },
  'message:forward': {
    scope: 'conversation',
    frame: (s) => ({
      type: 'message:forward',
      messageId: s.messageId,
      targets: [{ conversationId: s.groupId, clientMsgId: `fw-${Date.now()}-${Math.random()}` }],
      ref: 'authz',
    }),
  },
  'message:received': {
    scope: 'conversation',
    frame: (s) => ({ type: 'message:received', conversationId: s.groupId, seq: 5 }),
  },
  'message:read': {
    scope: 'conversation',
    frame: (s) => ({ type: 'message:read', conversationId: s.groupId, seq: 5 }),
  },
  'message:react': {
    scope: 'conversation',
    frame: (s) => ({ type: 'message:react', messageId: s.messageId, emoji: '👍', ref: 'authz' }),
  },
  'typing:start': { scope: 'conversation', frame: (s) => ({ type: 'typing:start', conversationId: s.groupId }) },
  'typing:stop': { scope: 'conversation', frame: (s) => ({ type: 'typing:stop', conversationId: s.groupId }) },
  'presence:set': { scope: 'user', frame: () => ({ type: 'presence:set', status: 'idle' }) },
  sync: { scope: 'conversation', frame: (s) => ({ type: 'sync', conversations: { [s.groupId]: 0 }, ref: 'authz' }) },
  ping: { scope: 'user', frame: () => ({ type: 'ping' }) },
  'admin:subscribe': { scope: 'admin', frame: () => ({ type: 'admin:subscribe', ref: 'authz' }) },
  'admin:unsubscribe': { scope: 'user', frame: () => ({ type: 'admin:unsubscribe', ref: 'authz' }) },
};

async function runFrame(type: ClientFrameType, row: FrameRow, s: Scene): Promise<string[]> {
  const failures: string[] = [];
  const callers: Array<[string, TestUser, boolean]> = [
    ['member', row.scope === 'admin' ? s.sysadmin : s.member, true],
    ['nonMember', s.outsider, row.scope === 'user'],
    ['removedMember', s.removed, row.scope === 'user'],
  ];
  // A member of the group watches: nothing an unauthorized caller does may reach it.
  const watcher = await WsClient.ready(server.url, s.admin.token, { deviceId: `watch-${type.replace(':', '-')}` });
  for (const [name, user, allowed] of callers) {
    const client = await WsClient.ready(server.url, user.token, {
      deviceId: `authz-${type.replace(':', '-')}-${name}`,
    });
    const seen = client.frames.length;
    const watched = watcher.frames.length;
    client.send(row.frame(s));
    await client.ping();
    await watcher.ping();
    const answers = client.frames.slice(seen);
    const errors = answers.filter((f) => f.type === 'error');
    if (!client.isOpen) failures.push(`${type} as ${name}: the connection closed`);
    if (allowed && errors.length > 0) failures.push(`${type} as ${name}: refused (${errors[0]?.code})`);
    if (!allowed) {
      for (const e of errors) {
        if (e.code !== 'not_found' && e.code !== 'forbidden') failures.push(`${type} as ${name}: error ${e.code}`);
      }
      if (JSON.stringify(answers).includes(SECRET_TEXT)) failures.push(`${type} as ${name}: leaked content`);
      // A removed member may still get what it saw while a member, nothing after.
      const limit = name === 'removedMember' ? s.removedAtSeq : 0;
      if (
        answers.some((f) => f.type === 'message:new' && f.message.conversationId === s.groupId && f.message.seq > limit)
      ) {
        failures.push(`${type} as ${name}: received the group's messages`);
      }
      if (watcher.frames.slice(watched).some((f) => 'userId' in f && f.userId === user.user.id)) {
        failures.push(`${type} as ${name}: reached a member of the group`);
      }
    }
    await client.close();
  }
  await watcher.close();
  return failures;
}

describe('authorization matrix', () => {
  it('every route has a row, and every row a route', () => {
    const routes = server.node.app.registeredRoutes;
    assert.deepEqual(
      routes.filter((r) => !ROUTE_ROWS[r]),
      [],
      'routes without a row in src/testing/authz/routes.ts',
    );
    assert.deepEqual(
      Object.keys(ROUTE_ROWS).filter((r) => !routes.includes(r)),
      [],
      'rows for routes that do not exist',
    );
    assert.deepEqual(
      CLIENT_FRAME_TYPES.filter((t) => !FRAME_ROWS[t]),
      [],
      'frame types without a row',
    );
  });

  it('routes x callers', async () => {
    const failures: string[] = [];
    const routes = server.node.app.registeredRoutes.filter((r) => ROUTE_ROWS[r]);
    for (const route of routes) failures.push(...(await runRow(route, ROUTE_ROWS[route] as RouteRow)));
    assert.deepEqual(failures, []);
    console.log(`${routes.length} routes x ${CALLERS.length} callers, all pass`);
  });

  it('frames x callers', async () => {
    const s = await scene(server, people);
    const failures: string[] = [];
    for (const type of CLIENT_FRAME_TYPES) failures.push(...(await runFrame(type, FRAME_ROWS[type], s)));
    assert.deepEqual(failures, []);
    console.log(`${CLIENT_FRAME_TYPES.length} frames x 3 callers, all pass`);
  });

  it('an open socket stops delivering at removal', async () => {
    const s = await scene(server, people);
    const member = await WsClient.ready(server.url, s.member.token, { deviceId: 'removal' });
    const removal = await server.api.request('DELETE', `/api/v1/groups/${s.groupId}/members/${s.member.user.id}`, {
      token: s.admin.token,
    });
    assert.equal(removal.status, 200);
    const after = await server.api.send(s.admin, s.groupId, 'after the removal');
    assert.equal(after.status, 201);
    await member.ping();
    const seqs = member.seqs(s.groupId);
    assert.ok(!seqs.includes(after.body.message.seq), `the removed member got seq ${after.body.message.seq}`);
    assert.ok(member.isOpen, 'the socket itself stays open');
    await member.close();
  });

  it('an open socket is closed with 4401 when its token expires, and gets nothing after', async () => {
    const s = await scene(server, people);
    const token = await new TokenService(SECRET, 1).issue(s.member.user.id);
    const member = await WsClient.ready(server.url, token, { deviceId: 'expiry' });
    const code = await member.closedWithin(3_500);
    assert.equal(code, CLOSE_CODES.unauthorized);
    const count = member.frames.length;
    await server.api.send(s.admin, s.groupId, 'after the expiry');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(member.frames.length, count);
    // And the same token cannot come back.
    await assert.rejects(WsClient.connect(server.url, token), (e) => e instanceof HandshakeRefused && e.status === 401);
  });

  it('login with the fixture password works (the matrix logs in as a member)', async () => {
    const res = await server.api.request('POST', '/api/v1/auth/login', {
      body: { username: people.member.user.username, password: PASSWORD },
    });
    assert.equal(res.status, 200);
  });
});

/**
 * Abuse limits and security headers: message rate per user (REST and
 * WebSocket share one budget), group creations per hour, connections per
 * user, failed logins per username; each refusal is the contract's 429 with
 * Retry-After (or an error frame naming the send), and nothing accepted is
 * lost. Helmet's headers and the CSP are on every answer; CORS answers only
 * the allowed origins.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../testing/server.js';
import { HandshakeRefused, WsClient, WsFrameError } from '../../testing/ws.js';

describe('abuse limits', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      CHAT_MESSAGE_RATE_PER_SECOND: '3',
      CHAT_MESSAGE_RATE_BURST: '6',
      CHAT_GROUP_CREATE_PER_HOUR: '2',
      CHAT_MAX_CONNECTIONS_PER_USER: '2',
      CHAT_LOGIN_LIMIT_PER_USERNAME: '3',
      CHAT_ALLOWED_ORIGINS: 'https://app.example',
    });
  });
  after(() => server.close());

  it('message rate: a burst, then 429 with Retry-After; every accepted message is stored, none refused is', async () => {
    const { api } = server;
    const [a, b] = await Promise.all([api.user('rl_a'), api.user('rl_b')]);
    const conversation = await api.direct(a, b);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => api.send(a, conversation, `m${i}`, `rl-${i}`)),
    );
    const accepted = answers.filter((r) => r.status === 201);
    const refused = answers.filter((r) => r.status === 429);
    assert.equal(accepted.length + refused.length, 12);
    assert.ok(accepted.length >= 6 && accepted.length <= 7, `${accepted.length} accepted in the burst`);
    for (const r of refused) {
      assert.equal(r.body.error.code, 'rate_limited');
      assert.ok(Number(r.headers.get('retry-after')) >= 1, 'Retry-After in seconds');
    }
    const history = await api.request('GET', `/api/v1/conversations/${conversation}/messages?limit=50`, {
      token: a.token,
    });
    const stored = history.body.messages.map((m: { clientMsgId: string }) => m.clientMsgId).sort();
    const acked = accepted.map((r) => r.body.message.clientMsgId).sort();
    assert.deepEqual(stored, acked, 'exactly the accepted messages are stored');
  });

  it('the WebSocket shares the budget: a refused send gets rate_limited with its clientMsgId', async () => {
    const { api } = server;
    const [a, b] = await Promise.all([api.user('rl_wa'), api.user('rl_wb')]);
    const conversation = await api.direct(a, b);
    const client = await WsClient.ready(server.url, a.token);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => client.sendMessage(conversation, `w${i}`, `ws-rl-${i}`)),
    );
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    assert.ok(refused.length >= 3, `${refused.length} refused`);
    for (const reason of refused) {
      assert.ok(reason instanceof WsFrameError);
      assert.equal(reason.frame.code, 'rate_limited');
    }
    assert.ok(client.isOpen, 'a rate-limited connection stays open');
    await client.close();
  });

  it('group creations per hour: the third is 429 with Retry-After', async () => {
    const { api } = server;
    const [a, b] = await Promise.all([api.user('rl_ga'), api.user('rl_gb')]);
    const create = () =>
      api.request('POST', '/api/v1/groups', { token: a.token, body: { name: 'g', memberIds: [b.user.id] } });
    assert.equal((await create()).status, 201);
    assert.equal((await create()).status, 201);
    const third = await create();
    assert.equal(third.status, 429);
    assert.equal(third.body.error.code, 'rate_limited');
    assert.ok(Number(third.headers.get('retry-after')) > 60, 'wait for the hour to roll');
  });

  it('connections per user: the third socket is refused with 429 before the upgrade', async () => {
    const user = await server.api.user('rl_c');
    const open = [await WsClient.ready(server.url, user.token), await WsClient.ready(server.url, user.token)];
    await assert.rejects(
      WsClient.connect(server.url, user.token),
      (e) => e instanceof HandshakeRefused && e.status === 429,
    );
    await Promise.all(open.map((c) => c.close()));
  });

  it('failed logins per username: 429 with Retry-After once the budget is spent', async () => {
    const user = await server.api.user('rl_l');
    const attempt = () =>
      server.api.request('POST', '/api/v1/auth/login', {
        body: { username: user.user.username, password: 'wrong password' },
      });
    for (let i = 0; i < 3; i++) assert.equal((await attempt()).status, 401);
    const refused = await attempt();
    assert.equal(refused.status, 429);
    assert.ok(refused.headers.get('retry-after'));
  });

  it('security headers and the CSP on API answers and the web client', async () => {
    for (const path of ['/healthz', '/api/v1/users/me', '/']) {
      const res = await fetch(server.url + path);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/, `${path}: CSP`);
      assert.match(csp, /script-src 'self'(;|$)/, `${path}: scripts from this origin only`);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.ok(res.headers.get('x-frame-options'));
      assert.ok(res.headers.get('referrer-policy'));
    }
  });

  it('CORS: an allowed origin gets its preflight answered, another does not', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/api/v1/users/me`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const allowed = await preflight('https://app.example');
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /authorization/);
    const foreign = await preflight('https://evil.example');
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
  });
});

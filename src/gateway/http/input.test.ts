/**
 * Hostile and unusual input: unknown routes, malformed JSON, wrong content types,
 * oversized bodies and fields, wrong types, NUL and lone surrogates, Unicode
 * round trips, odd ids and a bounded fuzz. Bad input must answer a 4xx in the
 * contract's error shape, never a 5xx, and must store nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { type ApiResponse, startTestServer, type TestServer, type TestUser } from '../../testing/server.js';

/** The contract's error codes and their statuses. */
const CONTRACT_ERRORS: Record<string, number> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  username_taken: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
};

/**
 * A 4xx in exactly the contract shape `{error: {code, message}}`, the code one
 * of the contract's and matching the status. `expected` narrows status or code.
 */
function assertError(res: ApiResponse<unknown>, expected: { status?: number | number[]; code?: string } = {}): void {
  const where = `${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`;
  assert.ok(res.status >= 400 && res.status < 500, `a 4xx answer, got ${where}`);
  if (expected.status !== undefined) {
    const allowed = [expected.status].flat();
    assert.ok(allowed.includes(res.status), `status in ${allowed.join('/')}, got ${where}`);
  }
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `JSON error body: ${where}`);
  assert.ok(res.body !== null && typeof res.body === 'object' && !Array.isArray(res.body), `object body: ${where}`);
  const body = res.body as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['error'], where);
  const error = body.error as Record<string, unknown>;
  assert.ok(error !== null && typeof error === 'object' && !Array.isArray(error), where);
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message'], where);
  assert.equal(typeof error.code, 'string', where);
  assert.ok((error.code as string) in CONTRACT_ERRORS, `a contract error code: ${where}`);
  assert.equal(CONTRACT_ERRORS[error.code as string], res.status, `code matches status: ${where}`);
  assert.equal(typeof error.message, 'string', where);
  assert.ok((error.message as string).length > 0, where);
  if (expected.code !== undefined) assert.equal(error.code, expected.code, where);
}

const bad = (res: ApiResponse<unknown>) => assertError(res, { status: 400, code: 'invalid_request' });

/** Never a 5xx; any error in the contract shape. */
function assertNot5xx(res: ApiResponse<unknown>, label: string): void {
  assert.ok(res.status < 500, `${label}: got ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`);
  if (res.status >= 400) assertError(res);
}

const PASSWORD = 'correct horse battery';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('input handling', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });

  after(async () => {
    await server?.close();
  });

  const api = () => server.api;
  const register = (body: unknown) => api().request('POST', '/api/v1/auth/register', { body });
  const registerRaw = (rawBody: string, headers?: Record<string, string>) =>
    api().request('POST', '/api/v1/auth/register', { rawBody, ...(headers ? { headers } : {}) });
  const sendBody = (who: TestUser, body: unknown) =>
    api().request('POST', '/api/v1/messages', { token: who.token, body });
  const sendRaw = (who: TestUser, rawBody: string, headers?: Record<string, string>) =>
    api().request('POST', '/api/v1/messages', { token: who.token, rawBody, ...(headers ? { headers } : {}) });
  const history = async (who: TestUser, conversationId: string) => {
    const res = await api().request('GET', `/api/v1/conversations/${conversationId}/messages?limit=200`, {
      token: who.token,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.messages as Array<{
      id: string;
      content: string;
      clientMsgId: string;
      senderId: string;
      seq: number;
    }>;
  };
  /** Whether a username is still free: registering it succeeds. */
  const nameIsFree = async (username: string) => {
    const res = await register({ username, password: PASSWORD });
    return res.status === 201;
  };
  /** Two users and their direct conversation. */
  const pair = async (label: string) => {
    const a = await api().user(`${label}_a`);
    const b = await api().user(`${label}_b`);
    return { a, b, conversationId: await api().direct(a, b) };
  };
  let nameSeq = 0;
  const freshName = (prefix: string) => {
    nameSeq += 1;
    return `${prefix}_${process.pid.toString(36)}_${nameSeq}`.slice(0, 32);
  };

  describe('routes and bodies', () => {
    it('answers an unknown route with 404 not_found in the contract shape', async () => {
      const u = await api().user('routes');
      for (const [method, path] of [
        ['GET', '/nope'],
        ['GET', '/api/v1/nope'],
        ['GET', '/api/v2/users/me'],
        ['POST', '/api/v1/users/me/nothing'],
        ['DELETE', '/api/v1/users/me'],
        ['PUT', '/api/v1/auth/login'],
        ['GET', '/api/v1/users/me/contacts/extra/segments'],
      ] as const) {
        for (const token of [undefined, u.token]) {
          const res = await api().request(method, path, token ? { token } : {});
          assertError(res, { status: 404, code: 'not_found' });
        }
      }
    });

    it('answers a JSON parse error with 400 invalid_request, on open and authenticated routes', async () => {
      const { a } = await pair('parse');
      for (const raw of [
        '{',
        '{"username":',
        '{"a":1,}',
        "{'a':1}",
        '[1,2',
        'NaN',
        'undefined',
        '{"a":1}}',
        '\u0000',
        '{"a":"\\x41"}',
        '{"a":01}',
      ]) {
        bad(await registerRaw(raw));
        bad(await sendRaw(a, raw));
      }
    });

    it('refuses an empty JSON body with 400', async () => {
      const { a } = await pair('emptybody');
      bad(await registerRaw(''));
      bad(await sendRaw(a, ''));
    });

    it('refuses prototype-pollution keys without polluting anything', async () => {
      const { a, conversationId } = await pair('proto');
      for (const raw of [
        '{"__proto__":{"polluted":true},"username":"protouser","password":"correct horse battery"}',
        '{"constructor":{"prototype":{"polluted":true}},"username":"protouser2","password":"correct horse battery"}',
      ]) {
        const res = await registerRaw(raw);
        assert.ok(res.status === 201 || res.status === 400, `${res.status}`);
        if (res.status !== 201) bad(res);
      }
      const send = await sendRaw(
        a,
        `{"conversationId":"${conversationId}","clientMsgId":"p1","content":"hi","__proto__":{"polluted":true}}`,
      );
      assertNot5xx(send, 'proto send');
      // The server runs in this process: its objects would show the pollution here.
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false);
    });

    it('refuses a non-JSON content type on a JSON route with 415 or 400, and stores nothing', async () => {
      const { a, conversationId } = await pair('ctype');
      for (const contentType of [
        'application/xml',
        'text/plain',
        'text/html',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=xyz',
        'application/octet-stream',
        'application/jsonp',
        'image/png',
      ]) {
        const username = freshName('ct');
        const reg = await registerRaw(JSON.stringify({ username, password: PASSWORD }), {
          'content-type': contentType,
        });
        assertError(reg, { status: [400, 415] });
        if (reg.status === 415) assertError(reg, { code: 'unsupported_media_type' });
        else assertError(reg, { code: 'invalid_request' });

        const send = await sendRaw(
          a,
          JSON.stringify({ conversationId, clientMsgId: `ct-${contentType}`, content: 'x' }),
          {
            'content-type': contentType,
          },
        );
        assertError(send, { status: [400, 415] });
        assert.ok(await nameIsFree(username), `${contentType}: the refused registration stored nothing`);
      }
      assert.deepEqual(await history(a, conversationId), []);
    });

    it('refuses a body over 1 MiB with 413 payload_too_large', async () => {
      const { a, conversationId } = await pair('big');
      const pad = 'x'.repeat(1024 * 1024);
      assertError(await registerRaw(JSON.stringify({ username: freshName('big'), password: pad })), {
        status: 413,
        code: 'payload_too_large',
      });
      assertError(await sendRaw(a, JSON.stringify({ conversationId, clientMsgId: 'big', content: pad })), {
        status: 413,
        code: 'payload_too_large',
      });
      assert.deepEqual(await history(a, conversationId), []);
    });

    it('refuses a chunked body (no Content-Length) over 1 MiB with 413', async () => {
      const { a, conversationId } = await pair('chunked');
      const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
      let sent = 0;
      const head = new TextEncoder().encode(`{"conversationId":"${conversationId}","clientMsgId":"ch","content":"`);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(head);
        },
        pull(controller) {
          if (sent >= 20) {
            controller.enqueue(new TextEncoder().encode('"}'));
            controller.close();
            return;
          }
          sent += 1;
          controller.enqueue(chunk);
        },
      });
      let status: number;
      let body: unknown;
      let contentType: string | null;
      try {
        const response = await fetch(`${server.url}/api/v1/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
          body: stream,
          duplex: 'half',
        } as RequestInit);
        status = response.status;
        contentType = response.headers.get('content-type');
        const text = await response.text();
        body = text ? JSON.parse(text) : text;
      } catch (error) {
        // The server may close the connection once the limit is passed; that is a refusal too.
        status = 0;
        body = String(error);
        contentType = null;
      }
      if (status !== 0) {
        assertError(
          { status, body, headers: new Headers(contentType ? { 'content-type': contentType } : {}) },
          {
            status: 413,
            code: 'payload_too_large',
          },
        );
      }
      assert.deepEqual(await history(a, conversationId), []);
    });
  });

  describe('message content size', () => {
    it('refuses content over 64 KiB of UTF-8 (20,000 4-byte emoji) with 413 and stores nothing', async () => {
      const { a, conversationId } = await pair('emoji');
      const content = '😀'.repeat(20_000);
      assert.equal(new TextEncoder().encode(content).byteLength, 80_000);
      assert.ok(content.length < 64 * 1024, 'under the limit in UTF-16 units, over it in bytes');
      assertError(await api().send(a, conversationId, content), { status: 413, code: 'payload_too_large' });
      assert.deepEqual(await history(a, conversationId), []);
    });

    it('accepts exactly 64 KiB of ASCII and refuses one byte more', async () => {
      const { a, b, conversationId } = await pair('ascii');
      const exact = 'a'.repeat(64 * 1024);
      const ok = await api().send(a, conversationId, exact, 'exact');
      assert.equal(ok.status, 201, JSON.stringify(ok.body).slice(0, 300));
      assert.equal(ok.body.message.content, exact);
      assertError(await api().send(a, conversationId, `${exact}a`, 'over'), { status: 413, code: 'payload_too_large' });
      const stored = await history(b, conversationId);
      assert.equal(stored.length, 1);
      assert.equal(stored[0]?.content, exact);
    });

    it('counts bytes at the boundary: 16,384 emoji (64 KiB) accepted, one more byte refused', async () => {
      const { a, conversationId } = await pair('emojiedge');
      const exact = '😀'.repeat(16_384);
      assert.equal(new TextEncoder().encode(exact).byteLength, 64 * 1024);
      const ok = await api().send(a, conversationId, exact, 'e1');
      assert.equal(ok.status, 201, JSON.stringify(ok.body).slice(0, 300));
      assertError(await api().send(a, conversationId, `${exact}!`, 'e2'), { status: 413, code: 'payload_too_large' });
      assert.equal(new TextEncoder().encode(`${exact.slice(2)}é€`).byteLength, 64 * 1024 + 1);
      assertError(await api().send(a, conversationId, `${exact.slice(2)}é€`, 'e3'), { status: 413 });
      const stored = await history(a, conversationId);
      assert.deepEqual(
        stored.map((m) => m.clientMsgId),
        ['e1'],
      );
      assert.equal(stored[0]?.content, exact);
    });

    it('refuses an edit over 64 KiB with 413 and keeps the original content', async () => {
      const { a, conversationId } = await pair('editbig');
      const sent = await api().send(a, conversationId, 'small');
      assert.equal(sent.status, 201);
      const res = await api().request('PATCH', `/api/v1/messages/${sent.body.message.id}`, {
        token: a.token,
        body: { content: '😀'.repeat(20_000) },
      });
      assertError(res, { status: 413, code: 'payload_too_large' });
      assert.equal((await history(a, conversationId))[0]?.content, 'small');
    });
  });

  describe('shapes and types', () => {
    it('refuses wrong types, non-object bodies and null fields with 400', async () => {
      const { a, b, conversationId } = await pair('types');
      const name = freshName('types');
      for (const body of [
        { username: 12345, password: PASSWORD },
        { username: name, password: 12345678 },
        { username: [name], password: PASSWORD },
        { username: { value: name }, password: PASSWORD },
        { username: null, password: PASSWORD },
        { username: name, password: null },
        { username: name, password: PASSWORD, displayName: null },
        { username: name, password: PASSWORD, displayName: 7 },
        { username: name, password: PASSWORD, phone: ['+33'] },
        { username: true, password: false },
        [],
        [{ username: name, password: PASSWORD }],
        'string',
        42,
        null,
        true,
      ]) {
        bad(await register(body));
      }
      assert.ok(await nameIsFree(name), 'none of the refusals stored the user');

      const valid = { conversationId, clientMsgId: 'types', content: 'hello' };
      for (const body of [
        { ...valid, conversationId: 123 },
        { ...valid, conversationId: null },
        { ...valid, conversationId: [conversationId] },
        { ...valid, clientMsgId: null },
        { ...valid, clientMsgId: 17 },
        { ...valid, clientMsgId: '' },
        { ...valid, content: 42 },
        { ...valid, content: null },
        { ...valid, content: ['hello'] },
        { ...valid, content: { text: 'hello' } },
        { ...valid, type: 'system' },
        { ...valid, type: 'sticker' },
        { ...valid, type: null },
        { ...valid, replyToId: 5 },
        { ...valid, replyToId: { id: 'x' } },
        { ...valid, mediaId: [] },
        [valid],
        'hello',
        null,
      ]) {
        bad(await sendBody(a, body));
      }
      assert.deepEqual(await history(a, conversationId), []);

      for (const body of [
        { type: 'direct', userId: 5 },
        { type: 'direct', userId: [b.user.id] },
        { type: 'group', userId: b.user.id },
        { type: 'direct', userId: null },
      ]) {
        bad(await api().request('POST', '/api/v1/conversations', { token: a.token, body }));
      }
      for (const body of [
        { name: 'g', memberIds: b.user.id },
        { name: 'g', memberIds: [{ id: b.user.id }] },
        { name: 'g', memberIds: null },
        { name: 42, memberIds: [] },
        { name: null, memberIds: [] },
        { name: '   ', memberIds: [] },
      ]) {
        bad(await api().request('POST', '/api/v1/groups', { token: a.token, body }));
      }
    });

    it('refuses missing required fields with 400', async () => {
      const { a, conversationId } = await pair('missing');
      const name = freshName('missing');
      for (const body of [{}, { username: name }, { password: PASSWORD }]) bad(await register(body));
      for (const body of [{}, { username: name }, { password: PASSWORD }]) {
        bad(await api().request('POST', '/api/v1/auth/login', { body }));
      }
      for (const body of [{}, { conversationId, content: 'x' }, { clientMsgId: 'm', content: 'x' }]) {
        bad(await sendBody(a, body));
      }
      for (const body of [{}, { type: 'direct' }, { userId: a.user.id }]) {
        bad(await api().request('POST', '/api/v1/conversations', { token: a.token, body }));
      }
      for (const body of [{}, { name: 'g' }, { memberIds: [] }]) {
        bad(await api().request('POST', '/api/v1/groups', { token: a.token, body }));
      }
      bad(await api().request('PATCH', '/api/v1/messages/some-id', { token: a.token, body: {} }));
      assert.ok(await nameIsFree(name));
      assert.deepEqual(await history(a, conversationId), []);
    });

    it('refuses junk nested in place of known fields with 400', async () => {
      const { a, conversationId } = await pair('junk');
      const junk = { a: [{ b: { c: [null, 1, 'x', { d: {} }] } }] };
      for (const body of [
        { privacy: { presence: junk } },
        { privacy: { presence: 'everyone', lastSeen: [junk] } },
        { privacy: [junk] },
        { displayName: junk },
        { avatarUrl: junk },
      ]) {
        bad(await api().request('PATCH', '/api/v1/users/me', { token: a.token, body }));
      }
      const me = await api().request('GET', '/api/v1/users/me', { token: a.token });
      assert.deepEqual(me.body.settings.privacy, { presence: 'everyone', lastSeen: 'everyone' });
      assert.equal(me.body.user.displayName, 'junk_a');
      for (const body of [
        { conversationId, clientMsgId: junk, content: 'x' },
        { conversationId: junk, clientMsgId: 'j', content: 'x' },
        { conversationId, clientMsgId: 'j', content: [junk] },
      ]) {
        bad(await sendBody(a, body));
      }
      assert.deepEqual(await history(a, conversationId), []);
    });

    it('never takes server-owned fields from the client (ids, sender, seq, times)', async () => {
      const { a, b, conversationId } = await pair('mass');
      const res = await sendBody(a, {
        conversationId,
        clientMsgId: 'mass-1',
        content: 'mine',
        id: 'chosen-id',
        senderId: b.user.id,
        seq: 999,
        createdAt: '1999-01-01T00:00:00.000Z',
        deletedAt: '1999-01-01T00:00:00.000Z',
        editedAt: '1999-01-01T00:00:00.000Z',
        nested: { deep: [{ junk: true }] },
      });
      if (res.status === 201) {
        const m = res.body.message;
        assert.notEqual(m.id, 'chosen-id');
        assert.equal(m.senderId, a.user.id);
        assert.equal(m.seq, 1);
        assert.notEqual(m.createdAt, '1999-01-01T00:00:00.000Z');
        assert.equal(m.deletedAt, null);
        assert.equal(m.editedAt, null);
        assert.ok(!('nested' in m));
        const stored = await history(b, conversationId);
        assert.equal(stored.length, 1);
        assert.equal(stored[0]?.senderId, a.user.id);
      } else {
        bad(res);
      }
    });
  });

  describe('NUL and surrogates', () => {
    it('refuses NUL in message content and clientMsgId with 400 and stores nothing', async () => {
      const { a, conversationId } = await pair('nul');
      for (const content of ['a\u0000b', '\u0000', 'end\u0000']) {
        bad(await api().send(a, conversationId, content));
      }
      bad(await api().send(a, conversationId, 'fine', 'id\u0000x'));
      // Also as a raw JSON escape.
      bad(await sendRaw(a, `{"conversationId":"${conversationId}","clientMsgId":"raw","content":"x\\u0000y"}`));
      assert.deepEqual(await history(a, conversationId), []);
      const sent = await api().send(a, conversationId, 'to edit');
      bad(
        await api().request('PATCH', `/api/v1/messages/${sent.body.message.id}`, {
          token: a.token,
          body: { content: 'edited\u0000' },
        }),
      );
      assert.deepEqual(
        (await history(a, conversationId)).map((m) => m.content),
        ['to edit'],
      );
    });

    it('refuses NUL in usernames and display names with 400 and stores nothing', async () => {
      const base = freshName('nulname');
      bad(await register({ username: `${base}\u0000x`, password: PASSWORD }));
      bad(await register({ username: base, password: PASSWORD, displayName: 'Mr\u0000X' }));
      assert.ok(await nameIsFree(base), 'the refused registrations stored nothing');
      const u = await api().user('nulpatch');
      bad(await api().request('PATCH', '/api/v1/users/me', { token: u.token, body: { displayName: 'a\u0000b' } }));
      bad(await api().request('GET', '/api/v1/users?search=a%00b', { token: u.token }));
      bad(await api().request('POST', '/api/v1/groups', { token: u.token, body: { name: 'g\u0000', memberIds: [] } }));
      const me = await api().request('GET', '/api/v1/users/me', { token: u.token });
      assert.equal(me.body.user.displayName, 'nulpatch');
      const lists = await api().request('GET', `/api/v1/users/${u.user.id}/conversations`, { token: u.token });
      assert.deepEqual(lists.body.conversations, []);
    });

    it('refuses lone surrogates in raw JSON with 400 and stores nothing', async () => {
      const { a, conversationId } = await pair('surrogate');
      for (const escaped of ['\\ud800', '\\udfff', 'a\\ud800b', '\\udbff\\udbff', '\\udc00\\ud800', '\\ud83d']) {
        bad(
          await sendRaw(
            a,
            `{"conversationId":"${conversationId}","clientMsgId":"s-${escaped}","content":"${escaped}"}`,
          ),
        );
        bad(await sendRaw(a, `{"conversationId":"${conversationId}","clientMsgId":"x${escaped}","content":"ok"}`));
      }
      assert.deepEqual(await history(a, conversationId), []);
      // A well-formed pair in the same notation is an ordinary emoji.
      const pairRes = await sendRaw(
        a,
        `{"conversationId":"${conversationId}","clientMsgId":"pair","content":"\\ud83d\\ude00"}`,
      );
      assert.equal(pairRes.status, 201, JSON.stringify(pairRes.body));
      assert.equal(pairRes.body.message.content, '😀');

      const name = freshName('lone');
      bad(await registerRaw(`{"username":"${name}","password":"${PASSWORD}","displayName":"x\\ud800"}`));
      bad(await api().request('PATCH', '/api/v1/users/me', { token: a.token, rawBody: '{"displayName":"\\udc00"}' }));
      assert.ok(await nameIsFree(name));
      assert.equal(
        (await api().request('GET', '/api/v1/users/me', { token: a.token })).body.user.displayName,
        'surrogate_a',
      );
    });

    it('refuses a password with a lone surrogate, which could not be hashed as sent', async () => {
      // UTF-8 cannot carry a lone surrogate: hashing would replace it with U+FFFD, so
      // "pw\ud800" and "pw\udbff" (and "pw\ufffd") would all be the same password.
      const name = freshName('lonepw');
      bad(await registerRaw(`{"username":"${name}","password":"password\\ud800"}`));
      assert.ok(await nameIsFree(name));
    });
  });

  describe('unicode round trips', () => {
    const samples: Array<[string, string]> = [
      ['emoji', '😀🎉👍🏽'],
      ['ZWJ family and flags', '👩‍👩‍👧‍👦 🇫🇷🇯🇵 🏳️‍🌈'],
      ['right-to-left mark', 'abc\u200Fdef\u200E'],
      ['Arabic', 'مرحبا بالعالم'],
      ['Hebrew with marks', 'שָׁלוֹם עולם'],
      ['mixed direction with isolates', 'hello \u2067שלום\u2069 world \u202Eevil\u202C'],
      ['combining acute (NFD)', 'e\u0301 vs \u00e9'],
      [
        'stacked combining marks',
        'Z\u0351\u036B\u0343\u036A\u0302\u036B\u033D\u034F\u0334\u0319\u0324\u031E\u0349\u035A\u032F',
      ],
      ['Hangul jamo (decomposed)', '\u1112\u1161\u11AB'],
      ['zero-width and BOM', 'a\u200Bb\uFEFFc\u2060d'],
      ['astral CJK and math', '𠜎𠜱𝔘𝔫𝔦𝔠𝔬𝔡𝔢'],
      ['control-ish but legal', 'tab\tnewline\ncr\r\u0007bell'],
      ['JSON and HTML metacharacters', '"quoted" \\ back </script><b>&amp;'],
      ['noncharacters', '\uFFFE\uFFFF\u{10FFFF}'],
    ];

    it('sends and reads back every sample exactly, code unit for code unit', async () => {
      const { a, b, conversationId } = await pair('unicode');
      for (const [label, content] of samples) {
        const res = await api().send(a, conversationId, content, `u-${label}`);
        assert.equal(res.status, 201, `${label}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.message.content, content, `${label} in the send answer`);
      }
      const stored = await history(b, conversationId);
      assert.equal(stored.length, samples.length);
      for (const [i, [label, content]] of samples.entries()) {
        assert.equal(stored[i]?.clientMsgId, `u-${label}`);
        assert.equal(stored[i]?.content, content, `${label} in history`);
        assert.equal(stored[i]?.content.length, content.length, `${label}: not normalized`);
      }
      // NFD stays NFD: the server does not normalize text.
      assert.ok(stored[6]?.content.startsWith('e\u0301'));
    });

    it('round-trips a clientMsgId and a display name with emoji, RTL and combining marks', async () => {
      const { a, b, conversationId } = await pair('unicodeid');
      const clientMsgId = '🆔-\u200F-e\u0301-שלום';
      const first = await api().send(a, conversationId, 'hi', clientMsgId);
      assert.equal(first.status, 201);
      assert.equal(first.body.message.clientMsgId, clientMsgId);
      const again = await api().send(a, conversationId, 'hi', clientMsgId);
      assert.equal(again.status, 200, 'the same clientMsgId is a repeat');
      assert.equal(again.body.message.id, first.body.message.id);
      const differentNormalization = await api().send(a, conversationId, 'hi', clientMsgId.normalize('NFC'));
      assert.equal(differentNormalization.status, 201, 'ids are compared exactly, not normalized');

      const displayName = 'نور 🌙 Zoe\u0308 \u200F';
      const patched = await api().request('PATCH', '/api/v1/users/me', { token: a.token, body: { displayName } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.body.user.displayName, displayName.trim());
      const seen = await api().request('GET', `/api/v1/users/${a.user.id}`, { token: b.token });
      assert.equal(seen.body.user.displayName, displayName.trim());
    });
  });

  describe('odd ids', () => {
    const badIds = [
      '../x',
      '..',
      '../../etc/passwd',
      "' OR 1=1 --",
      '1; DROP TABLE users; --',
      '" OR ""="',
      '%',
      '*',
      '\\',
      'ïd',
      ' ',
      '<script>',
      'a'.repeat(65),
      'a'.repeat(5000),
    ];

    it('answers path ids with traversal or SQL-ish content with 400 or 404, never 5xx', async () => {
      const { a, b, conversationId } = await pair('ids');
      const sent = await api().send(a, conversationId, 'keep me');
      assert.equal(sent.status, 201);
      for (const raw of badIds) {
        const id = encodeURIComponent(raw);
        for (const [method, path] of [
          ['GET', `/api/v1/users/${id}`],
          ['GET', `/api/v1/users/${id}/presence`],
          ['GET', `/api/v1/users/${id}/conversations`],
          ['GET', `/api/v1/conversations/${id}`],
          ['GET', `/api/v1/conversations/${id}/messages`],
          ['POST', `/api/v1/messages/${id}/read`],
          ['GET', `/api/v1/messages/${id}/receipts`],
          ['DELETE', `/api/v1/messages/${id}`],
          ['PUT', `/api/v1/users/me/contacts/${id}`],
          ['DELETE', `/api/v1/users/me/blocks/${id}`],
          ['DELETE', `/api/v1/groups/${id}/members/${a.user.id}`],
          ['PUT', `/api/v1/groups/${id}/members/${id}/role`],
        ] as const) {
          const body = method === 'PUT' && path.endsWith('/role') ? { role: 'admin' } : undefined;
          const res = await api().request(method, path, { token: a.token, ...(body ? { body } : {}) });
          // /users/{id}/conversations refuses another id with 403 before looking at it.
          const allowed =
            path.endsWith('/conversations') && path.startsWith('/api/v1/users/') ? [400, 403, 404] : [400, 404];
          assertError(res, { status: allowed });
        }
      }
      // Body ids too.
      for (const raw of badIds) {
        bad(
          await api().request('POST', '/api/v1/conversations', {
            token: a.token,
            body: { type: 'direct', userId: raw },
          }),
        );
        bad(await sendBody(a, { conversationId: raw, clientMsgId: `id-${raw.slice(0, 20)}`, content: 'x' }));
        bad(await api().request('POST', '/api/v1/groups', { token: a.token, body: { name: 'g', memberIds: [raw] } }));
      }
      // Malformed percent-encoding and raw dot segments.
      for (const path of [
        '/api/v1/users/%E0%A4%A',
        '/api/v1/conversations/%',
        '/api/v1/users/%2e%2e',
        '/api/v1/users/..%2F..%2F',
      ]) {
        assertError(await api().request('GET', path, { token: a.token }), { status: [400, 404] });
      }
      // Nothing was harmed: the data and accounts are all still there.
      const stored = await history(b, conversationId);
      assert.deepEqual(
        stored.map((m) => m.content),
        ['keep me'],
      );
      const login = await api().request('POST', '/api/v1/auth/login', {
        body: { username: a.user.username, password: PASSWORD },
      });
      assert.equal(login.status, 200);
    });

    it('answers SQL-ish and odd ids of valid format with 404', async () => {
      const { a } = await pair('idfmt');
      for (const id of [UNKNOWN_ID, 'OR_1_1', '--', '_', 'DROP-TABLE-users']) {
        assertError(await api().request('GET', `/api/v1/users/${id}`, { token: a.token }), {
          status: 404,
          code: 'not_found',
        });
        assertError(await api().request('GET', `/api/v1/conversations/${id}`, { token: a.token }), {
          status: 404,
          code: 'not_found',
        });
      }
    });

    it('treats query strings with SQL and search syntax as text, never 5xx, never leaking', async () => {
      const { a, b, conversationId } = await pair('query');
      const outsider = await api().user('query_out');
      assert.equal((await api().send(a, conversationId, 'secret words between a and b')).status, 201);
      for (const q of [
        "' OR 1=1 --",
        '" OR ""="',
        'secret*',
        'secret OR words',
        'NEAR(secret words)',
        'content:secret',
        '-secret',
        '^secret',
        '"',
        '(',
        'AND',
        '*',
        '%',
        '\\',
        'secret\u200Fwords',
        '😀',
        'a'.repeat(256),
      ]) {
        const qs = encodeURIComponent(q);
        const mine = await api().request('GET', `/api/v1/search/messages?q=${qs}`, { token: b.token });
        assertNot5xx(mine, `search ${q}`);
        const theirs = await api().request('GET', `/api/v1/search/messages?q=${qs}`, { token: outsider.token });
        assertNot5xx(theirs, `outsider search ${q}`);
        if (theirs.status === 200) assert.deepEqual(theirs.body.messages, [], `outsider sees nothing for ${q}`);
        assertNot5xx(
          await api().request('GET', `/api/v1/users?search=${qs.slice(0, 90)}`, { token: a.token }),
          `user search ${q}`,
        );
      }
      for (const qs of [
        'before=1%20OR%201=1',
        'after=-1',
        'limit=0',
        'limit=201',
        'limit=abc',
        'before=1&after=2',
        'limit=1e400',
        'before=99999999999999999999',
      ]) {
        bad(await api().request('GET', `/api/v1/conversations/${conversationId}/messages?${qs}`, { token: a.token }));
      }
      bad(await api().request('GET', `/api/v1/search/messages?q=${'a'.repeat(257)}`, { token: a.token }));
      bad(await api().request('GET', '/api/v1/search/messages?q=%20%20', { token: a.token }));
      bad(await api().request('GET', '/api/v1/users?search=a&search=b', { token: a.token }));
    });
  });

  describe('fuzz', () => {
    let fixture: { a: TestUser; b: TestUser; conversationId: string; groupId: string; messageId: string };

    before(async () => {
      const { a, b, conversationId } = await pair('fuzz');
      const groupId = await api().group(a, [b], 'fuzz group');
      const sent = await api().send(a, conversationId, 'survives the fuzz', 'fuzz-anchor');
      assert.equal(sent.status, 201);
      fixture = { a, b, conversationId, groupId, messageId: sent.body.message.id };
    });

    const routes = () => {
      const { groupId, messageId, b } = fixture;
      return [
        ['POST', '/api/v1/auth/register'],
        ['POST', '/api/v1/auth/login'],
        ['PATCH', '/api/v1/users/me'],
        ['POST', '/api/v1/conversations'],
        ['POST', '/api/v1/groups'],
        ['POST', '/api/v1/messages'],
        ['PATCH', `/api/v1/messages/${messageId}`],
        ['PATCH', `/api/v1/groups/${groupId}`],
        ['PUT', `/api/v1/groups/${groupId}/members`],
        ['PUT', `/api/v1/groups/${groupId}/members/${b.user.id}/role`],
        ['POST', `/api/v1/messages/${messageId}/read`],
        ['DELETE', `/api/v1/users/me/contacts/${b.user.id}`],
      ] as const;
    };

    it('answers random JSON values posted to JSON routes without a 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: 11 }), fc.jsonValue({ maxDepth: 3 }), async (i, value) => {
          const route = routes()[i];
          assert.ok(route);
          const [method, path] = route;
          const rawBody = JSON.stringify(value) ?? 'null';
          const res = await api().request(method, path, { token: fixture.a.token, rawBody });
          assertNot5xx(res, `${method} ${path} ${rawBody.slice(0, 200)}`);
        }),
        { numRuns: 100 },
      );
    });

    it('answers near-valid bodies with random field values without a 5xx', async () => {
      const { a, b, conversationId, groupId, messageId } = fixture;
      const anyValue = fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.constantFrom(
          conversationId,
          groupId,
          messageId,
          a.user.id,
          b.user.id,
          '',
          ' ',
          '..',
          'text',
          'admin',
          'direct',
        ),
      );
      const bodies = fc.oneof(
        fc
          .record(
            {
              conversationId: fc.oneof(fc.constant(conversationId), anyValue),
              clientMsgId: anyValue,
              content: anyValue,
              type: anyValue,
              replyToId: anyValue,
              mediaId: anyValue,
            },
            { requiredKeys: ['conversationId', 'clientMsgId'] },
          )
          .map((body) => ['POST', '/api/v1/messages', body] as const),
        fc
          .record(
            { username: anyValue, password: anyValue, displayName: anyValue, phone: anyValue },
            { requiredKeys: [] },
          )
          .map((body) => ['POST', '/api/v1/auth/register', body] as const),
        fc
          .record(
            {
              displayName: anyValue,
              avatarUrl: anyValue,
              privacy: fc.oneof(anyValue, fc.record({ presence: anyValue, lastSeen: anyValue })),
            },
            { requiredKeys: [] },
          )
          .map((body) => ['PATCH', '/api/v1/users/me', body] as const),
        fc
          .record(
            {
              name: anyValue,
              memberIds: fc.oneof(anyValue, fc.array(anyValue, { maxLength: 4 })),
              avatarUrl: anyValue,
            },
            { requiredKeys: [] },
          )
          .map((body) => ['POST', '/api/v1/groups', body] as const),
        fc
          .record({ name: anyValue, avatarUrl: anyValue, sendPolicy: anyValue }, { requiredKeys: [] })
          .map((body) => ['PATCH', `/api/v1/groups/${groupId}`, body] as const),
        fc
          .record({ userId: anyValue, role: anyValue }, { requiredKeys: [] })
          .map((body) => ['PUT', `/api/v1/groups/${groupId}/members`, body] as const),
        fc
          .record({ type: anyValue, userId: anyValue }, { requiredKeys: [] })
          .map((body) => ['POST', '/api/v1/conversations', body] as const),
      );
      await fc.assert(
        fc.asyncProperty(bodies, async ([method, path, body]) => {
          const res = await api().request(method, path, { token: a.token, body });
          assertNot5xx(res, `${method} ${path} ${JSON.stringify(body).slice(0, 200)}`);
        }),
        { numRuns: 100 },
      );
    });

    it('answers random raw text bodies, JSON escapes, query strings and path ids without a 5xx', async () => {
      const { a, conversationId } = fixture;
      const jsonEscape = fc.integer({ min: 0, max: 0xffff }).map((n) => `\\u${n.toString(16).padStart(4, '0')}`);
      const rawJsonString = fc
        .array(fc.oneof(jsonEscape, fc.string({ maxLength: 3 })), { maxLength: 6 })
        .map((parts) => parts.join('').replaceAll('"', ''));
      const cases = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 60 }).map((raw) => ['POST', '/api/v1/messages', raw] as const),
        rawJsonString.map(
          (s) =>
            [
              'POST',
              '/api/v1/messages',
              `{"conversationId":"${conversationId}","clientMsgId":"${s}","content":"${s}"}`,
            ] as const,
        ),
        rawJsonString.map(
          (s) =>
            [
              'POST',
              '/api/v1/auth/register',
              `{"username":"${s}","password":"${s}${s}xxxxxxxx","displayName":"${s}"}`,
            ] as const,
        ),
        fc
          .string({ unit: 'binary', maxLength: 40 })
          .map((s) => ['GET', `/api/v1/users?search=${encodeURIComponent(s)}`, null] as const),
        fc
          .string({ unit: 'binary', maxLength: 40 })
          .map((s) => ['GET', `/api/v1/search/messages?q=${encodeURIComponent(s)}`, null] as const),
        fc
          .string({ unit: 'binary', maxLength: 40 })
          .map(
            (s) =>
              [
                'GET',
                `/api/v1/conversations/${conversationId}/messages?limit=${encodeURIComponent(s)}&before=${encodeURIComponent(s)}`,
                null,
              ] as const,
          ),
        fc
          .string({ unit: 'binary', minLength: 1, maxLength: 40 })
          .map((s) => ['GET', `/api/v1/users/${encodeURIComponent(s)}`, null] as const),
        fc
          .string({ unit: 'binary', minLength: 1, maxLength: 40 })
          .map((s) => ['DELETE', `/api/v1/messages/${encodeURIComponent(s)}`, null] as const),
      );
      await fc.assert(
        fc.asyncProperty(cases, async ([method, path, raw]) => {
          const res = await api().request(method, path, { token: a.token, ...(raw === null ? {} : { rawBody: raw }) });
          assertNot5xx(res, `${method} ${path.slice(0, 200)} ${raw?.slice(0, 200) ?? ''}`);
        }),
        { numRuns: 100 },
      );
    });

    it('leaves the node serving and the stored data intact after the fuzz', async () => {
      const health = await api().request('GET', '/healthz');
      assert.equal(health.status, 200);
      const ready = await api().request('GET', '/readyz');
      assert.equal(ready.status, 200);
      const stored = await history(fixture.b, fixture.conversationId);
      const anchor = stored.find((m) => m.clientMsgId === 'fuzz-anchor');
      assert.ok(anchor, 'the anchor message is still there');
      const seqs = stored.map((m) => m.seq);
      assert.deepEqual(
        seqs,
        seqs.map((_, i) => i + 1),
        'seqs stay dense',
      );
    });
  });
});

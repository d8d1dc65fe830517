/**
 * Registration, login, login rate limits and bearer-token checks, against a real
 * node over a temporary SQLite folder.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { assertError, assertUserShape } from '../../testing/assertions.js';
import { startTestServer, type TestServer } from '../../testing/server.js';

const SECRET = 'test-secret-test-secret-test-secret-0123456789';
const ISSUER = 'chat-server';
const AUDIENCE = 'chat-client';
const PASSWORD = 'correct horse battery';

let seq = 0;
/** A fresh valid username (lowercase, well inside 3-32 characters). */
function freshName(prefix = 'u'): string {
  seq += 1;
  return `${prefix}${process.pid.toString(36)}_${seq}_${Math.random().toString(36).slice(2, 6)}`.slice(0, 32);
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('auth', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });

  after(async () => {
    await server?.close();
  });

  const register = (body: unknown) => server.api.request('POST', '/api/v1/auth/register', { body });
  const login = (body: unknown, headers?: Record<string, string>) =>
    server.api.request('POST', '/api/v1/auth/login', { body, ...(headers ? { headers } : {}) });
  const me = (token?: string, headers?: Record<string, string>) =>
    server.api.request('GET', '/api/v1/users/me', { ...(token ? { token } : {}), ...(headers ? { headers } : {}) });

  describe('register', () => {
    it('answers 201 {user, token} with the contract user shape and no secrets', async () => {
      const username = freshName('reg');
      const res = await register({ username, password: PASSWORD, displayName: 'Reg User' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.deepEqual(Object.keys(res.body).sort(), ['token', 'user']);
      assertUserShape(res.body.user);
      assert.equal(res.body.user.username, username);
      assert.equal(res.body.user.displayName, 'Reg User');
      assert.equal(res.body.user.avatarUrl, null);
      assert.equal(typeof res.body.token, 'string');
      assert.equal(res.body.token.split('.').length, 3, 'the token is a JWT');
      const raw = JSON.stringify(res.body);
      assert.doesNotMatch(raw, /password|argon2|phone/i, 'no password, hash or phone in the answer');
      assert.ok(!raw.includes(PASSWORD));
    });

    it('defaults displayName to the username and does not echo the phone', async () => {
      const username = freshName('dflt');
      const res = await register({ username, password: PASSWORD, phone: '+33 6 12 34 56 78' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.user.displayName, username);
      assert.ok(!JSON.stringify(res.body).includes('12 34'));
    });

    it('gives a token that works on authenticated routes', async () => {
      const res = await register({ username: freshName('tok'), password: PASSWORD });
      assert.equal(res.status, 201);
      const meRes = await me(res.body.token);
      assert.equal(meRes.status, 200, JSON.stringify(meRes.body));
      assert.deepEqual(meRes.body.user, res.body.user);
    });

    it('ignores client-chosen server fields (id, createdAt, passwordHash)', async () => {
      const res = await register({
        username: freshName('mass'),
        password: PASSWORD,
        id: 'chosen-id',
        createdAt: '1999-01-01T00:00:00.000Z',
        passwordHash: 'x',
        avatarUrl: 'https://evil.example/a.png',
      });
      // Either refused or the extra fields ignored; never taken as given.
      if (res.status === 201) {
        assert.notEqual(res.body.user.id, 'chosen-id');
        assert.notEqual(res.body.user.createdAt, '1999-01-01T00:00:00.000Z');
        assert.equal(res.body.user.avatarUrl, null);
        const loginRes = await login({ username: res.body.user.username, password: PASSWORD });
        assert.equal(loginRes.status, 200, 'the real password still logs in');
      } else {
        assertError(res, 400, 'invalid_request');
      }
    });

    it('accepts usernames at the bounds of the rules: 3 and 32 characters of [a-z0-9_.]', async () => {
      const three = `${Math.random().toString(36).slice(2, 4)}.`;
      const thirtyTwo = `${freshName('b')}_${'x'.repeat(40)}`.slice(0, 32);
      assert.equal(three.length, 3);
      assert.equal(thirtyTwo.length, 32);
      for (const username of [three, thirtyTwo, `a.b_c.${seq}9`]) {
        const res = await register({ username, password: PASSWORD });
        assert.equal(res.status, 201, `${username}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.user.username, username);
      }
    });

    for (const [label, username] of [
      ['uppercase', 'Alice_upper'],
      ['a single uppercase letter', 'alicE_upper'],
      ['too short (2)', 'ab'],
      ['too long (33)', 'a'.repeat(33)],
      ['empty', ''],
      ['a space', 'has space'],
      ['a leading space', ' leading'],
      ['a trailing newline', 'trailing\n'],
      ['a hyphen', 'has-hyphen'],
      ['an at sign', 'me@example'],
      ['a slash', 'a/b/c'],
      ['unicode letters', 'josé_user'],
      ['cyrillic look-alikes', 'аdmin'],
      ['fullwidth letters', 'ａｄｍｉｎ'],
      ['emoji', 'smile😀'],
      ['a NUL', 'nul\u0000name'],
    ] as const) {
      it(`refuses a username with ${label} as 400 invalid_request`, async () => {
        const res = await register({ username, password: PASSWORD });
        assertError(res, 400, 'invalid_request');
      });
    }

    it('refuses a password shorter than 8 characters and accepts exactly 8', async () => {
      const username = freshName('pw');
      assertError(await register({ username, password: '1234567' }), 400, 'invalid_request');
      assertError(await register({ username, password: '' }), 400, 'invalid_request');
      // Nothing was stored by the refusals: the name is still free.
      const ok = await register({ username, password: '12345678' });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      assert.equal((await login({ username, password: '12345678' })).status, 200);
    });

    it('refuses a taken username with 409 username_taken and keeps the first account', async () => {
      const username = freshName('dup');
      const first = await register({ username, password: PASSWORD });
      assert.equal(first.status, 201);
      assertError(await register({ username, password: 'another password' }), 409, 'username_taken');
      const loginRes = await login({ username, password: PASSWORD });
      assert.equal(loginRes.status, 200);
      assert.equal(loginRes.body.user.id, first.body.user.id);
      assertError(await login({ username, password: 'another password' }), 401, 'unauthorized');
    });

    it('lets exactly one of several concurrent registrations of a name win', async () => {
      const username = freshName('race');
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => register({ username, password: `${PASSWORD} ${i}` })),
      );
      const created = results.filter((r) => r.status === 201);
      assert.equal(created.length, 1, results.map((r) => r.status).join(','));
      for (const r of results) if (r.status !== 201) assertError(r, 409, 'username_taken');
    });
  });

  describe('login', () => {
    it('answers 200 {user, token} with a working token', async () => {
      const username = freshName('login');
      const reg = await register({ username, password: PASSWORD, displayName: 'Login Me' });
      assert.equal(reg.status, 201);
      const res = await login({ username, password: PASSWORD });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(Object.keys(res.body).sort(), ['token', 'user']);
      assertUserShape(res.body.user);
      assert.deepEqual(res.body.user, reg.body.user);
      assert.doesNotMatch(JSON.stringify(res.body), /password|argon2/i);
      const meRes = await me(res.body.token);
      assert.equal(meRes.status, 200);
      assert.equal(meRes.body.user.id, reg.body.user.id);
    });

    it('answers a wrong password and an unknown user with the same 401 body', async () => {
      const username = freshName('enum');
      assert.equal((await register({ username, password: PASSWORD })).status, 201);
      const wrong = await login({ username, password: 'not the password' });
      const unknown = await login({ username: freshName('ghost'), password: 'not the password' });
      const wrongCaseWrongPassword = await login({ username: username.toUpperCase(), password: 'not the password' });
      assertError(wrong, 401, 'unauthorized');
      assertError(unknown, 401, 'unauthorized');
      assertError(wrongCaseWrongPassword, 401, 'unauthorized');
      assert.deepEqual(unknown.body, wrong.body, 'no user enumeration through the error body');
      assert.deepEqual(wrongCaseWrongPassword.body, wrong.body);
      assert.equal(wrong.headers.get('www-authenticate'), unknown.headers.get('www-authenticate'));
    });

    it('matches usernames case-insensitively at login (usernames are lowercase)', async () => {
      const username = freshName('case');
      const reg = await register({ username, password: PASSWORD });
      const res = await login({ username: username.toUpperCase(), password: PASSWORD });
      assert.equal(res.status, 200);
      assert.equal(res.body.user.id, reg.body.user.id);
    });

    it('refuses a malformed login body with 400', async () => {
      assertError(await login({ username: 'someone' }), 400, 'invalid_request');
      assertError(await login({ password: PASSWORD }), 400, 'invalid_request');
      assertError(await login({ username: 42, password: PASSWORD }), 400, 'invalid_request');
    });
  });

  describe('login rate limit per username', () => {
    let limited: TestServer;

    before(async () => {
      limited = await startTestServer({ CHAT_LOGIN_LIMIT_PER_USERNAME: '3' });
    });

    after(async () => {
      await limited?.close();
    });

    const attempt = (username: string, password: string) =>
      limited.api.request('POST', '/api/v1/auth/login', { body: { username, password } });

    it('refuses the 4th failed attempt with 429 and Retry-After, then refuses the right password too', async () => {
      const victim = await limited.api.user('victim');
      const username = victim.user.username;
      for (let i = 1; i <= 3; i += 1) assertError(await attempt(username, `wrong-${i}-password`), 401, 'unauthorized');
      const fourth = await attempt(username, 'wrong-4-password');
      assertError(fourth, 429, 'rate_limited');
      const retryAfter = Number(fourth.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter), `Retry-After is an integer: ${fourth.headers.get('retry-after')}`);
      assert.ok(retryAfter >= 1 && retryAfter <= 15 * 60, `Retry-After ${retryAfter} within the 15 minute window`);
      const right = await attempt(username, PASSWORD);
      assertError(right, 429, 'rate_limited');
      assert.ok(Number(right.headers.get('retry-after')) >= 1);
      assert.ok(!('token' in right.body), 'no token while limited');
      // The account itself is untouched: its existing token still works.
      const meRes = await limited.api.request('GET', '/api/v1/users/me', { token: victim.token });
      assert.equal(meRes.status, 200);
    });

    it('limits one username without locking out others from the same address', async () => {
      const a = await limited.api.user('limited_a');
      const b = await limited.api.user('limited_b');
      for (let i = 0; i < 3; i += 1) assertError(await attempt(a.user.username, 'bad password!'), 401, 'unauthorized');
      assertError(await attempt(a.user.username, PASSWORD), 429, 'rate_limited');
      const other = await attempt(b.user.username, PASSWORD);
      assert.equal(other.status, 200, JSON.stringify(other.body));
    });

    it('counts only failures: a success resets the count', async () => {
      const u = await limited.api.user('resets');
      for (let i = 0; i < 2; i += 1) assertError(await attempt(u.user.username, 'bad password!'), 401, 'unauthorized');
      assert.equal((await attempt(u.user.username, PASSWORD)).status, 200);
      for (let i = 0; i < 2; i += 1) assertError(await attempt(u.user.username, 'bad password!'), 401, 'unauthorized');
      assert.equal((await attempt(u.user.username, PASSWORD)).status, 200, 'two failures after a success are not 4');
    });

    it('limits unknown usernames the same way, so limiting does not reveal which names exist', async () => {
      const ghost = freshName('ghost');
      for (let i = 0; i < 3; i += 1) assertError(await attempt(ghost, 'bad password!'), 401, 'unauthorized');
      assertError(await attempt(ghost, 'bad password!'), 429, 'rate_limited');
    });
  });

  describe('login rate limit per address', () => {
    let limited: TestServer;

    before(async () => {
      limited = await startTestServer({ CHAT_LOGIN_LIMIT_PER_IP: '3' });
    });

    after(async () => {
      await limited?.close();
    });

    const attempt = (username: string, password: string, headers?: Record<string, string>) =>
      limited.api.request('POST', '/api/v1/auth/login', {
        body: { username, password },
        ...(headers ? { headers } : {}),
      });

    it('refuses the 4th attempt from one address with 429 and Retry-After, whatever the username and password', async () => {
      const ua = await limited.api.user('ip_a');
      const ub = await limited.api.user('ip_b');
      const uc = await limited.api.user('ip_c');
      // Three attempts (two failures, one success) spend the address's budget.
      assertError(await attempt(ua.user.username, 'bad password!'), 401, 'unauthorized');
      assertError(await attempt(freshName('ghost'), 'bad password!'), 401, 'unauthorized');
      assert.equal((await attempt(ub.user.username, PASSWORD)).status, 200);
      const fourth = await attempt(uc.user.username, PASSWORD);
      assertError(fourth, 429, 'rate_limited');
      const retryAfter = Number(fourth.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      // Registration is not login, and tokens already issued keep working.
      const meRes = await limited.api.request('GET', '/api/v1/users/me', { token: uc.token });
      assert.equal(meRes.status, 200);
    });

    it('cannot be dodged by forging X-Forwarded-For on a direct connection', async () => {
      // The address budget above is spent for 127.0.0.1. A client that is not a
      // proxy must not get a fresh budget by claiming another address.
      const u = await limited.api.user('xff');
      const forged = await attempt(u.user.username, PASSWORD, { 'x-forwarded-for': '203.0.113.77' });
      assertError(forged, 429, 'rate_limited');
    });
  });

  describe('bearer tokens', () => {
    const key = new TextEncoder().encode(SECRET);

    function jwt(
      claims: Record<string, unknown>,
      options: {
        sub?: string;
        issuer?: string;
        audience?: string;
        exp?: number | string | null;
        alg?: string;
        key?: Uint8Array;
      } = {},
    ): Promise<string> {
      let builder = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'HS256' }).setIssuedAt();
      if (options.sub !== undefined) builder = builder.setSubject(options.sub);
      builder = builder.setIssuer(options.issuer ?? ISSUER).setAudience(options.audience ?? AUDIENCE);
      if (options.exp !== null) builder = builder.setExpirationTime(options.exp ?? '1h');
      return builder.sign(options.key ?? key);
    }

    it('accepts a well-formed token signed with the server secret (the control for the cases below)', async () => {
      const u = await server.api.user('ctl');
      const res = await me(await jwt({}, { sub: u.user.id }));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.user.id, u.user.id);
    });

    it('refuses a missing Authorization header', async () => {
      assertError(await me(), 401, 'unauthorized');
    });

    for (const [label, header] of [
      ['Bearer x', 'Bearer x'],
      ['Bearer with nothing after it', 'Bearer '],
      ['Bearer alone', 'Bearer'],
      ['Basic credentials', `Basic ${Buffer.from('user:correct horse battery').toString('base64')}`],
      ['a bare JWT-looking string without scheme', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
      ['three dots of garbage', 'Bearer a.b.c'],
      ['two tokens', 'Bearer a.b.c d.e.f'],
    ] as const) {
      it(`refuses a malformed Authorization header: ${label}`, async () => {
        assertError(await me(undefined, { authorization: header }), 401, 'unauthorized');
      });
    }

    it('refuses a real token under a Basic scheme', async () => {
      const u = await server.api.user('basic');
      assertError(await me(undefined, { authorization: `Basic ${u.token}` }), 401, 'unauthorized');
    });

    it('refuses a token whose signature was tampered with', async () => {
      const u = await server.api.user('tamper');
      const [header, payload, signature] = u.token.split('.') as [string, string, string];
      // Flip a character in the middle of the signature (the last one may only carry padding bits).
      const i = Math.floor(signature.length / 2);
      const flipped = signature[i] === 'A' ? 'B' : 'A';
      const tampered = `${header}.${payload}.${signature.slice(0, i)}${flipped}${signature.slice(i + 1)}`;
      assert.notEqual(tampered, u.token);
      assertError(await me(tampered), 401, 'unauthorized');
      // And the genuine token still works, so the refusal was about the change.
      assert.equal((await me(u.token)).status, 200);
    });

    it("refuses a token whose payload was swapped for another user's", async () => {
      const attacker = await server.api.user('attacker');
      const victim = await server.api.user('victim');
      const [header, payload, signature] = attacker.token.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      const forged = `${header}.${b64url({ ...claims, sub: victim.user.id })}.${signature}`;
      assertError(await me(forged), 401, 'unauthorized');
    });

    it('refuses a token signed with another secret', async () => {
      const u = await server.api.user('othersecret');
      const other = new TextEncoder().encode('another-secret-another-secret-another-secret-xyz');
      assertError(await me(await jwt({}, { sub: u.user.id, key: other })), 401, 'unauthorized');
    });

    it('refuses an alg "none" token', async () => {
      const u = await server.api.user('algnone');
      const now = Math.floor(Date.now() / 1000);
      const claims = { sub: u.user.id, iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 3600 };
      for (const alg of ['none', 'None', 'NONE']) {
        const unsigned = `${b64url({ alg, typ: 'JWT' })}.${b64url(claims)}.`;
        assertError(await me(unsigned), 401, 'unauthorized');
        // Also with the real signature of a valid token left in place.
        const realSig = u.token.split('.')[2];
        assertError(await me(`${b64url({ alg, typ: 'JWT' })}.${b64url(claims)}.${realSig}`), 401, 'unauthorized');
      }
    });

    it('refuses a token signed with the right secret but another HMAC algorithm (HS512)', async () => {
      const u = await server.api.user('hs512');
      assertError(await me(await jwt({}, { sub: u.user.id, alg: 'HS512' })), 401, 'unauthorized');
    });

    it('refuses an expired token', async () => {
      const u = await server.api.user('expired');
      const past = Math.floor(Date.now() / 1000) - 3600;
      assertError(await me(await jwt({}, { sub: u.user.id, exp: past })), 401, 'unauthorized');
    });

    it('refuses a token without an expiry', async () => {
      const u = await server.api.user('noexp');
      assertError(await me(await jwt({}, { sub: u.user.id, exp: null })), 401, 'unauthorized');
    });

    it('refuses a token with the wrong issuer', async () => {
      const u = await server.api.user('iss');
      assertError(await me(await jwt({}, { sub: u.user.id, issuer: 'someone-else' })), 401, 'unauthorized');
    });

    it('refuses a token with the wrong audience', async () => {
      const u = await server.api.user('aud');
      assertError(await me(await jwt({}, { sub: u.user.id, audience: 'another-client' })), 401, 'unauthorized');
    });

    it('refuses a token without a subject, or naming a user that does not exist', async () => {
      assertError(await me(await jwt({})), 401, 'unauthorized');
      assertError(await me(await jwt({}, { sub: '' })), 401, 'unauthorized');
      assertError(await me(await jwt({}, { sub: '00000000-0000-4000-8000-000000000000' })), 401, 'unauthorized');
    });

    it('refuses a missing or bad token on other authenticated routes too', async () => {
      const u = await server.api.user('routes');
      const bad = `${u.token}x`;
      for (const [method, path] of [
        ['GET', `/api/v1/users/${u.user.id}`],
        ['GET', '/api/v1/users?search=ro'],
        ['PATCH', '/api/v1/users/me'],
        ['GET', '/api/v1/users/me/contacts'],
        ['POST', '/api/v1/conversations'],
        ['POST', '/api/v1/messages'],
        ['POST', '/api/v1/groups'],
      ] as const) {
        const body = method === 'GET' ? undefined : {};
        assertError(await server.api.request(method, path, { body }), 401, 'unauthorized');
        assertError(await server.api.request(method, path, { body, token: bad }), 401, 'unauthorized');
      }
    });
  });
});
